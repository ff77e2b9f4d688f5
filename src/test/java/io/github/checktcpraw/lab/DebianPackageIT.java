package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Debian package (issues 6 and 16) from end to end: {@link DebPackage} builds it (when missing or older
 * than what goes into it), {@code dpkg --root} installs it into a clean root that has bash, the essential
 * tools, libc and the package's Depends but no JDK ({@link DebRoot}), the plugin installed there checks the
 * lab's real servers from the director's namespace (OK for the good one, CRITICAL for the one without the
 * VIP) with the package's own runtime and the AOT cache its postinst built in /var/cache (also with /usr
 * read-only), an upgrade to the same package as a newer version rebuilds the cache, and a purge leaves
 * the root exactly as it was.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DebianPackageIT {

    private static final String PACKAGE = DebPackage.NAME;
    private static final String LIBDIR = "usr/lib/check-tcp-raw";
    private static final String PLUGIN = "/usr/lib/nagios/plugins/check_tcp_raw";
    private static final String AOT = "var/cache/check-tcp-raw/check_tcp_raw.aot";
    private static final String ICINGA_CONF = "usr/share/icinga2/include/plugins-contrib.d/check_tcp_raw.conf";
    private static final Path ICINGA2 = Path.of("/usr/sbin/icinga2");
    private static final String TRAINING_CLASS = "io/github/checktcpraw/AotTraining.class";
    private static final Duration DPKG = Duration.ofMinutes(3);
    private static final Duration RUN = Duration.ofSeconds(30);
    /** dpkg's own bookkeeping in the root, which install and purge may leave changed. */
    private static final Pattern DPKG_ADMIN = Pattern.compile(
            "var/lib/dpkg/(format|info/format|lock|lock-frontend|status-old|available-old|diversions(-old)?|triggers/.*|updates/.*)");

    @Test
    void installsIntoARootWithoutJavaChecksTheLabAndPurgesWithoutATrace() throws Exception {
        Lab.requireRoot();
        Path repo = Lab.findRepoRoot();
        Path deb = DebPackage.built(repo);
        String control = DebRoot.must(Lab.run(RUN, List.of("dpkg-deb", "-f", deb.toString())), "dpkg-deb -f").stdout();
        assertEquals(PACKAGE, DebRoot.field(control, "Package"), control);
        assertEquals("amd64", DebRoot.field(control, "Architecture"), control);
        String depends = DebRoot.field(control, "Depends");
        assertFalse(packageNames(depends).contains("libpcap0.8"), "the plugin's own packet socket needs no libpcap: "
                + control);

        Path scratch = Files.createTempDirectory("deb-it-");
        Path dir = scratch.resolve("root");
        DebRoot root = null;
        try {
            String upgradeVersion = DebRoot.field(control, "Version") + "+1";
            Path upgradeDeb = DebPackage.repack(deb, scratch.resolve("upgrade"), upgradeVersion);
            root = DebRoot.create(dir, repo.resolve("target/deb-cache"), packageNames(depends));
            // A root without Java: no JDK directory, no java anywhere (the package brings its own).
            assertFalse(Files.exists(dir.resolve("usr/lib/jvm")), "the clean root has /usr/lib/jvm");
            Lab.Result java = root.chroot(RUN, null, Map.of(), "sh", "-c", "command -v java");
            assertNotEquals(0, java.exitCode(), "java on the clean root's PATH: " + java.describe());
            assertEquals(List.of(), javaBinaries(dir), "java binaries in the clean root before the install");
            Map<String, Long> before = root.files();

            long start = System.nanoTime();
            Lab.Result install = root.dpkg(DPKG, "-i", deb.toString());
            Duration installTime = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(0, install.exitCode(), "dpkg -i into a root of " + root.packages() + ": " + install.describe());
            boolean trained = hasTrainingClass(dir.resolve(LIBDIR + "/check_tcp_raw.jar"));
            assertEquals(List.of(LIBDIR + "/runtime/bin/java"), javaBinaries(dir), "the only java is the package's own");
            assertInstalled(root, before, install, trained);
            Map<String, Long> installed = root.files();

            try (Lab lab = Lab.up()) {
                String ns = lab.namespace("dir");
                Lab.Result good = root.chroot(RUN, ns, Map.of(), PLUGIN, "-t", "500", "eth0", RS1_IP, VIP, "80");
                assertEquals(0, good.exitCode(), "good real server, from the clean root: " + good.describe());
                assertTrue(good.stdout().startsWith("TCP_RAW OK - " + VIP + ":80 via " + RS1_IP + " (" + lab.mac("rs1") + ")"),
                        good.describe());
                Lab.Result bad = root.chroot(RUN, ns, Map.of(), PLUGIN, "-t", "500", "eth0", RS2_IP, VIP, "80");
                assertEquals(2, bad.exitCode(), "misconfigured real server, from the clean root: " + bad.describe());
                assertTrue(bad.stdout().startsWith("TCP_RAW CRITICAL - no SYN/ACK"), bad.describe());
                if (trained) {
                    // -XX:AOTMode=on: the JVM refuses to start unless it can use the cache postinst built.
                    Lab.Result withCache = root.chroot(RUN, ns, Map.of("JAVA_TOOL_OPTIONS", "-XX:AOTMode=on"),
                            PLUGIN, "-t", "500", "eth0", RS1_IP, VIP, "80");
                    assertEquals(0, withCache.exitCode(), "the real check with the AOT cache required: " + withCache.describe());

                    // Nothing is generated under /usr: with it read-only, configure rebuilds the cache and checks use it.
                    Lab.Result write = root.chrootReadOnlyUsr(RUN, null, Map.of(), "touch", "/" + LIBDIR + "/probe");
                    assertNotEquals(0, write.exitCode(), "/usr is not read-only: " + write.describe());
                    Lab.Result configure = root.chrootReadOnlyUsr(DPKG, null, Map.of(),
                            "/var/lib/dpkg/info/" + PACKAGE + ".postinst", "configure");
                    assertEquals(0, configure.exitCode(), "postinst configure with /usr read-only: " + configure.describe());
                    assertFalse(configure.stderr().contains("check-tcp-raw:"), "postinst complained: " + configure.describe());
                    Lab.Result readOnly = root.chrootReadOnlyUsr(RUN, ns, Map.of("JAVA_TOOL_OPTIONS", "-XX:AOTMode=on"),
                            PLUGIN, "-t", "500", "eth0", RS1_IP, VIP, "80");
                    assertEquals(0, readOnly.exitCode(), "the real check with /usr read-only: " + readOnly.describe());
                }

                // Upgrade: the same package as version <v>+1 (old prerm upgrade, unpack, new postinst configure).
                FileTime firstCache = trained ? DebPackage.mtime(dir.resolve(AOT)) : null;
                Lab.Result upgrade = root.dpkg(DPKG, "-i", upgradeDeb.toString());
                assertEquals(0, upgrade.exitCode(), "dpkg -i " + upgradeVersion + " (upgrade): " + upgrade.describe());
                assertTrue(root.dpkg(RUN, "-s", PACKAGE).stdout().contains("Version: " + upgradeVersion + "\n"),
                        "not upgraded to " + upgradeVersion);
                assertInstalled(root, before, upgrade, trained);
                if (trained) {
                    assertNotEquals(firstCache, DebPackage.mtime(dir.resolve(AOT)), "the upgrade rebuilt the AOT cache");
                }
                Lab.Result again = root.chroot(RUN, ns, Map.of(), PLUGIN, "-t", "500", "eth0", RS1_IP, VIP, "80");
                assertEquals(0, again.exitCode(), "after the upgrade: " + again.describe());
            }

            Lab.Result purge = root.dpkg(DPKG, "--purge", PACKAGE);
            assertEquals(0, purge.exitCode(), "dpkg --purge: " + purge.describe());
            assertFalse(purge.stderr().contains("not empty so not removed"), "dpkg left a directory: " + purge.describe());
            Lab.Result status = root.dpkg(RUN, "-s", PACKAGE);
            assertNotEquals(0, status.exitCode(), "still known to dpkg after purge: " + status.describe());
            Map<String, Long> after = root.files();
            assertEquals(List.of(), difference(withoutDpkgAdmin(after), withoutDpkgAdmin(before)),
                    "files left behind by install + purge");
            assertEquals(List.of(), difference(withoutDpkgAdmin(before), withoutDpkgAdmin(after)),
                    "files of the clean root gone after install + purge");

            long debKib = (Files.size(deb) + 1023) / 1024;
            long installedKib = installed.entrySet().stream().filter(e -> !before.containsKey(e.getKey()))
                    .filter(e -> !e.getKey().startsWith("var/lib/dpkg/"))
                    .mapToLong(e -> e.getKey().endsWith("/") ? 1 : (e.getValue() + 1023) / 1024).sum();
            long cacheKib = installed.containsKey(AOT) ? (installed.get(AOT) + 1023) / 1024 : 0;
            System.out.println("FIGURE deb: " + debKib + " KiB package, " + installedKib + " KiB installed");
            System.out.println("deb: " + deb.getFileName() + ", Installed-Size " + DebRoot.field(control, "Installed-Size")
                    + " KiB + AOT cache " + cacheKib + " KiB built by postinst; dpkg -i took " + installTime.toMillis()
                    + " ms; clean root of " + root.packages().size() + " packages: " + root.packages());
        } finally {
            if (root != null) {
                root.delete(); // refuses if anything is mounted below it (never: mounts live in private namespaces)
            }
            DebRoot.deleteTree(scratch);
        }
    }

    /**
     * lintian at every level (errors and warnings, which an upload must not have, down to info, pedantic
     * and experimental) reports nothing: what remains is overridden in debian/lintian-overrides, each with
     * its reason, and an override that no longer matches is reported too.
     */
    @Test
    void lintianReportsNothingBeyondTheJustifiedOverrides() throws Exception {
        Lab.requireRoot(); // the package may have to be built, as for the other tests here
        Lab.requireCommand("lintian", "lintian");
        Path deb = DebPackage.built(Lab.findRepoRoot());
        Path tmp = Files.createTempDirectory("deb-lintian-"); // lintian leaves files in $TMPDIR
        try {
            Lab.Result r = Lab.run(DPKG, List.of("env", "TMPDIR=" + tmp, "lintian", "--fail-on", "error,warning",
                    "--pedantic", "--display-info", "--display-experimental", deb.toString()));
            assertEquals(0, r.exitCode(), "lintian: " + r.describe());
            assertEquals("", r.stdout(), "lintian: " + r.describe());
        } finally {
            DebRoot.deleteTree(tmp);
        }
    }

    /**
     * Icinga 2 finds the packaged CheckCommands where the package puts them: an include directory laid
     * out like /usr/share/icinga2/include (links to the real ITL) plus the package's plugins-contrib.d
     * file, and a configuration like Debian's default ({@code include <plugins-contrib>}) validates with
     * a service using {@code tcp_raw_sudo}, next to every ITL contrib command (no name clashes).
     */
    @Test
    void icinga2LoadsTheCheckCommandsFromTheItlContribDirectory() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(ICINGA2), "needs icinga2 (scripts/install-deps)");
        Lab.requireRoot(); // build-deb may have to run, and icinga2 -C wants to drop privileges to RunAsUser
        Path repo = Lab.findRepoRoot();
        Path deb = DebPackage.built(repo);
        Path work = Files.createTempDirectory("deb-icinga-");
        try {
            Path itl = Path.of("/usr/share/icinga2/include");
            Path include = Files.createDirectories(work.resolve("include/plugins-contrib.d"));
            try (Stream<Path> s = Files.list(itl)) {
                for (Path p : s.filter(p -> !p.getFileName().toString().equals("plugins-contrib.d")).toList()) {
                    Files.createSymbolicLink(work.resolve("include").resolve(p.getFileName()), p);
                }
            }
            try (Stream<Path> s = Files.list(itl.resolve("plugins-contrib.d"))) {
                for (Path p : s.toList()) {
                    Files.createSymbolicLink(include.resolve(p.getFileName()), p);
                }
            }
            Path conf = include.resolve("check_tcp_raw.conf");
            DebRoot.must(Lab.run(RUN, List.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -xO \"$2\" >\"$3\"", "sh",
                    deb.toString(), "./" + ICINGA_CONF, conf.toString())), "extract " + ICINGA_CONF);
            assertTrue(Files.size(conf) > 0, ICINGA_CONF + " is not in the package");
            for (String d : List.of("data", "log", "cache", "spool", "run")) {
                Files.createDirectories(work.resolve(d));
            }
            Path main = Files.writeString(work.resolve("icinga2.conf"), """
                    const PluginDir = "/usr/lib/nagios/plugins"
                    const PluginContribDir = "/usr/lib/nagios/plugins"
                    include <itl>
                    include <plugins>
                    include <plugins-contrib>
                    object IcingaApplication "app" { }
                    object Host "director" { check_command = "dummy" }
                    object Service "vip-http" {
                      host_name = "director"
                      check_command = "tcp_raw_sudo"
                      vars.tcp_raw_interface = "eth0"
                      vars.tcp_raw_real_server = "198.51.100.42"
                      vars.tcp_raw_virtual_ip = "198.51.100.100"
                      vars.tcp_raw_port = 80
                    }
                    """);
            List<String> cmd = new ArrayList<>(List.of(ICINGA2.toString(), "daemon", "-C", "-c", main.toString(),
                    "-DConfiguration.IncludeConfDir=" + work.resolve("include"), "-DConfiguration.RunAsUser=root",
                    "-DConfiguration.RunAsGroup=root"));
            for (String[] c : new String[][] {{"DataDir", "data"}, {"LogDir", "log"}, {"CacheDir", "cache"},
                    {"SpoolDir", "spool"}, {"InitRunDir", "run"}}) {
                cmd.add("-DConfiguration." + c[0] + "=" + work.resolve(c[1]));
            }
            Lab.Result r = Lab.run(RUN, cmd);
            assertEquals(0, r.exitCode(), "icinga2 daemon -C with the packaged " + ICINGA_CONF + ": " + r.describe());
            assertTrue(r.stdout().contains("Instantiated 1 Service."), r.describe());
        } finally {
            DebRoot.deleteTree(work);
        }
    }

    /**
     * The resident checker's unit as the package's maintainer scripts treat it on a systemd host: a fresh
     * install neither enables nor starts it, an upgrade restarts it only when it is running, removal
     * stops it; an operator's enabling survives upgrades. The debhelper sections of postinst and prerm
     * run with the real deb-systemd-invoke under a private /run that has /run/systemd/system (and no
     * policy-rc.d), against a systemctl and deb-systemd-helper that record their calls and answer for
     * the unit's state (the AOT cache part of the scripts is not run).
     */
    @Test
    void residentCheckerIsNeitherEnabledNorStartedOnInstallRestartedOnUpgradeOnlyWhenRunning() throws Exception {
        Lab.requireRoot(); // the package may have to be built; unshare for the private /run
        Lab.requireCommand("deb-systemd-invoke", "init-system-helpers");
        Path deb = DebPackage.built(Lab.findRepoRoot());
        Path work = Files.createTempDirectory("deb-systemd-");
        try {
            Path control = work.resolve("DEBIAN");
            DebRoot.must(Lab.run(RUN, List.of("dpkg-deb", "-e", deb.toString(), control.toString())), "dpkg-deb -e");
            Path stubs = Files.createDirectories(work.resolve("bin"));
            Path calls = work.resolve("calls");
            stub(stubs.resolve("systemctl"), calls, """
                    case " $* " in
                      *" is-enabled "*) if [ "$UNIT_ENABLED" = yes ]; then echo enabled; else echo disabled; exit 1; fi ;;
                      *" is-active "*) [ "$UNIT_RUNNING" = yes ]; exit ;;
                    esac""");
            stub(stubs.resolve("deb-systemd-helper"), calls, """
                    case " $* " in
                      *" debian-installed "*) [ "$UNIT_INSTALLED" = yes ]; exit ;;
                      *" was-enabled "*) [ "$UNIT_INSTALLED" = no ] || [ "$UNIT_ENABLED" = yes ]; exit ;; # true when new
                    esac""");
            String postinst = debhelperSections(Files.readString(control.resolve("postinst")));
            String prerm = debhelperSections(Files.readString(control.resolve("prerm")));
            assertTrue(postinst.contains("check-tcp-raw.service"), "postinst has no section for the unit: " + postinst);

            String install = maintainerCalls(work, stubs, calls, postinst, "no", "no", "no", "configure", "");
            assertFalse(install.contains(" enable "), "a fresh install enables the unit: " + install);
            assertFalse(install.matches("(?s).*systemctl.* (start|restart) .*"), "a fresh install starts the unit: " + install);

            String upgradeRunning = maintainerCalls(work, stubs, calls, postinst, "yes", "no", "yes", "configure", "1.0.0-1");
            assertTrue(upgradeRunning.matches("(?s).*systemctl[^\n]* restart check-tcp-raw\\.service.*"),
                    "an upgrade does not restart the running unit (on the new jar): " + upgradeRunning);
            assertFalse(upgradeRunning.contains(" enable "), "an upgrade enables the unit: " + upgradeRunning);
            String upgradeStopped = maintainerCalls(work, stubs, calls, postinst, "yes", "no", "no", "configure", "1.0.0-1");
            assertFalse(upgradeStopped.matches("(?s).*systemctl.* (start|restart) .*"),
                    "an upgrade starts the stopped unit: " + upgradeStopped);

            String upgradeEnabled = maintainerCalls(work, stubs, calls, postinst, "yes", "yes", "no", "configure", "1.0.0-1");
            assertTrue(upgradeEnabled.contains("deb-systemd-helper enable check-tcp-raw.service"),
                    "an upgrade forgets that the operator enabled the unit: " + upgradeEnabled);

            String remove = maintainerCalls(work, stubs, calls, prerm, "yes", "no", "yes", "remove", "");
            assertTrue(remove.matches("(?s).*systemctl[^\n]* stop check-tcp-raw\\.service.*"),
                    "removal does not stop the unit: " + remove);
        } finally {
            DebRoot.deleteTree(work);
        }
    }

    /** A command that appends its arguments to {@code calls}, then runs {@code body}. */
    private static void stub(Path command, Path calls, String body) throws IOException {
        Files.writeString(command, "#!/bin/sh\necho \"$(basename \"$0\") $*\" >>'" + calls + "'\n" + body + "\nexit 0\n");
        Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The sections debhelper added to a maintainer script, without the script's own code around them. */
    private static String debhelperSections(String script) {
        StringBuilder sections = new StringBuilder();
        Matcher m = Pattern.compile("(?ms)^# Automatically added by dh_\\S+.*?^# End automatically added section$").matcher(script);
        while (m.find()) {
            sections.append(m.group()).append('\n');
        }
        return sections.toString();
    }

    /** The calls the sections make for "$@" = args and the unit's state (yes or no each), under a private /run with /run/systemd/system. */
    private static String maintainerCalls(Path work, Path stubs, Path calls, String sections, String installed,
            String enabled, String running, String... args) throws IOException {
        Files.deleteIfExists(calls);
        Files.createFile(calls);
        Path script = Files.writeString(work.resolve("sections.sh"), sections);
        List<String> cmd = new ArrayList<>(List.of("env", "PATH=" + stubs + ":/usr/sbin:/usr/bin:/sbin:/bin",
                "UNIT_INSTALLED=" + installed, "UNIT_ENABLED=" + enabled, "UNIT_RUNNING=" + running, "DPKG_MAINTSCRIPT_PACKAGE=" + PACKAGE,
                "unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs lab-run /run && mkdir -p /run/systemd/system"
                        // A container's policy-rc.d forbids every start: the host's rules are not the package's.
                        + " && { [ ! -e /usr/sbin/policy-rc.d ] || mount --bind /bin/true /usr/sbin/policy-rc.d; }"
                        + " && exec sh \"$0\" \"$@\"",
                script.toString()));
        cmd.addAll(List.of(args));
        Lab.Result r = Lab.run(RUN, cmd);
        assertEquals(0, r.exitCode(), "the debhelper sections with " + List.of(args) + ": " + r.describe());
        return Files.readString(calls);
    }

    // ------------------------------------------------------------------------------------ helpers

    /** Package names of a Depends field ("libc6 (>= 2.34), sudo | doas"), first alternatives. */
    private static List<String> packageNames(String depends) {
        return Arrays.stream(depends.split(","))
                .map(d -> d.split("\\|")[0].strip().split("[ (:]")[0])
                .filter(n -> !n.isEmpty()).toList();
    }

    private static boolean hasTrainingClass(Path jar) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            return z.getEntry(TRAINING_CLASS) != null;
        }
    }

    /** Regular files named java (or libjvm.so) anywhere in the root, relative. */
    private static List<String> javaBinaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> p.getFileName().toString().equals("java") && p.getParent().endsWith("bin"))
                    .map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /**
     * What dpkg -i must have produced in a root that held {@code before}: the layout, the symlink, the
     * Icinga 2 include, docs and, besides the package's own files, nothing but the AOT cache.
     */
    private static void assertInstalled(DebRoot root, Map<String, Long> before, Lab.Result install, boolean trained)
            throws IOException {
        Path dir = root.dir();
        Lab.Result status = root.dpkg(RUN, "-s", PACKAGE);
        assertTrue(status.stdout().contains("Status: install ok installed"), status.describe());
        for (String f : List.of(LIBDIR + "/check_tcp_raw", LIBDIR + "/check_tcp_raw.jar", LIBDIR + "/check_tcp_raw.jvm-options",
                LIBDIR + "/check_tcp_raw-tls.jvm-options", LIBDIR + "/check_tcp_raw-serve.jvm-options",
                "lib/systemd/system/check-tcp-raw.service", LIBDIR + "/runtime/bin/java",
                LIBDIR + "/runtime/lib/server/classes.jsa",
                ICINGA_CONF,
                "usr/share/doc/" + PACKAGE + "/copyright", "usr/share/doc/" + PACKAGE + "/changelog.Debian.gz",
                "usr/share/doc/" + PACKAGE + "/examples/sudoers")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f + " not installed");
        }
        Path link = dir.resolve(PLUGIN.substring(1));
        assertTrue(Files.isSymbolicLink(link), PLUGIN + " is not a symlink");
        assertEquals(dir.resolve(LIBDIR + "/check_tcp_raw").toRealPath(), link.toRealPath());
        Lab.Result version = root.chroot(RUN, null, Map.of(), PLUGIN, "--version");
        assertEquals(0, version.exitCode(), version.describe());
        assertTrue(version.stdout().startsWith("check_tcp_raw "), version.describe());
        if (trained) {
            assertFalse(install.stderr().contains("check-tcp-raw:"), "postinst complained: " + install.describe());
        } else {
            // A jar without the training class: postinst says so in one line, and the plugin works (above).
            assertTrue(install.stderr().contains("check-tcp-raw: "), install.describe());
        }
        Set<String> owned = new HashSet<>();
        for (String line : DebRoot.must(root.dpkg(RUN, "-L", PACKAGE), "dpkg -L").stdoutLines()) {
            // The root's /bin, /lib, /lib64 and /sbin are links into /usr (merged /usr, as Debian 12's):
            // a file the package puts in /lib is found in usr/lib.
            owned.add(line.replaceFirst("^/(bin|lib|lib64|sbin)(/|$)", "/usr/$1$2").replaceFirst("^/", ""));
        }
        List<String> generated = root.files().keySet().stream().filter(k -> !before.containsKey(k))
                .map(k -> k.endsWith("/") ? k.substring(0, k.length() - 1) : k)
                .filter(k -> !owned.contains(k) && !k.startsWith("var/lib/dpkg/")).toList();
        assertEquals(trained ? List.of(AOT) : List.of(), generated, "files the maintainer scripts left besides the package's");
    }

    /** The paths in {@code a} that are not in {@code b}. */
    private static List<String> difference(Map<String, Long> a, Map<String, Long> b) {
        return a.keySet().stream().filter(k -> !b.containsKey(k)).toList();
    }

    private static Map<String, Long> withoutDpkgAdmin(Map<String, Long> files) {
        Map<String, Long> m = new TreeMap<>(files);
        m.keySet().removeIf(k -> DPKG_ADMIN.matcher(k.endsWith("/") ? k.substring(0, k.length() - 1) : k).matches());
        return m;
    }
}
