package io.github.checktcpraw.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A clean Debian root for installing check-tcp-raw into, made of nothing but a few Debian packages:
 * the shells and tools its wrapper and maintainer scripts run (all Essential: yes, so never declared),
 * the package's own Depends, and the shared libraries those need, found with {@code apt-cache depends}
 * and fetched with {@code apt-get download} into a cache that later runs reuse. No JDK, no apt, no dpkg
 * inside: the packages are unpacked with {@code dpkg-deb} (merged /usr, as on Debian 12) and recorded
 * in the root's dpkg database, so the host's {@code dpkg --root} checks the package's dependencies
 * against them and runs its maintainer scripts chrooted into the root.
 *
 * <p>Commands run in the root ({@link #chroot}, {@link #dpkg}) get /proc, /dev and /sys mounted inside
 * a private mount namespace ({@code unshare --mount}) that dies with the command: nothing is ever
 * mounted in the host's namespace, so nothing can be left mounted.
 */
final class DebRoot {

    /**
     * The programs the wrapper and the maintainer scripts use: bash, sh, readlink/mktemp/timeout/..., grep;
     * and base-files, which owns /var and /var/cache on every Debian system (dpkg would otherwise try to
     * remove them with the package's /var/cache/check-tcp-raw).
     */
    static final List<String> TOOLS = List.of("bash", "dash", "coreutils", "grep", "base-files");
    /** The PATH of every command in the root (and of dpkg on the host): a clean one, as sudo would give. */
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final Duration APT = Duration.ofMinutes(3);
    private static final Duration QUICK = Duration.ofSeconds(30);
    private static final Pattern DEPENDENCY = Pattern.compile("^ ([ |])(?:Pre)?Depends: (\\S+)$");
    /**
     * Mounts what a JVM and the plugin read (/proc, /dev/urandom, /sys/class/net), makes the root's /usr
     * read-only if the second argument says {@code ro}, then runs "$@".
     */
    private static final String WITH_MOUNTS = """
            root=$1 usr=$2; shift 2
            mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" && mount -t sysfs sysfs "$root/sys" \
                || { echo "DebRoot: cannot mount /proc, /dev, /sys in $root" >&2; exit 125; }
            if [ "$usr" = ro ]; then
                mount --bind "$root/usr" "$root/usr" && mount -o remount,bind,ro "$root/usr" \
                    || { echo "DebRoot: cannot make $root/usr read-only" >&2; exit 125; }
            fi
            exec "$@"
            """;

    private final Path dir;
    private final List<String> packages;

    private DebRoot(Path dir, List<String> packages) {
        this.dir = dir;
        this.packages = packages;
    }

    /**
     * Builds a root in {@code dir} (empty or absent) from {@link #TOOLS} and {@code depends} (package
     * names, e.g. from the package's Depends field) plus every library package they need.
     */
    static DebRoot create(Path dir, Path cache, List<String> depends) throws IOException {
        Set<String> seeds = new LinkedHashSet<>(TOOLS);
        seeds.addAll(depends);
        List<String> closure = closure(seeds);
        Map<String, Path> debs = download(cache, closure);

        Files.createDirectories(dir);
        for (String d : List.of("usr/bin", "usr/lib", "usr/lib64", "usr/sbin", "etc", "proc", "dev", "sys", "tmp",
                "var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers")) {
            Files.createDirectories(dir.resolve(d));
        }
        for (String d : List.of("bin", "lib", "lib64", "sbin")) {
            Files.createSymbolicLink(dir.resolve(d), Path.of("usr", d));
        }
        Files.writeString(dir.resolve("var/lib/dpkg/available"), "");
        StringBuilder status = new StringBuilder();
        for (Map.Entry<String, Path> e : debs.entrySet()) {
            Path deb = e.getValue();
            must(Lab.run(APT, List.of("sh", "-c",
                    "dpkg-deb --fsys-tarfile \"$1\" | tar -x --keep-directory-symlink -C \"$2\"", "sh",
                    deb.toString(), dir.toString())), "unpack " + deb);
            String control = must(Lab.run(QUICK, List.of("dpkg-deb", "-f", deb.toString())), "control of " + deb).stdout();
            status.append(control.stripTrailing()).append("\nStatus: install ok installed\n\n");
            String name = field(control, "Package");
            if ("same".equals(field(control, "Multi-Arch"))) {
                name += ":" + field(control, "Architecture");
            }
            List<String> files = must(Lab.run(QUICK, List.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -t", "sh",
                    deb.toString())), "contents of " + deb).stdoutLines().stream()
                    .map(p -> p.equals("./") ? "/." : p.replaceFirst("^\\.", "").replaceFirst("/$", ""))
                    .toList();
            Files.write(dir.resolve("var/lib/dpkg/info/" + name + ".list"), files);
        }
        Files.writeString(dir.resolve("var/lib/dpkg/status"), status);
        // The root directory itself and /tmp as a real system has them (tar set the root to the packages' "./").
        must(Lab.run(QUICK, List.of("chmod", "0755", dir.toString())), "chmod root");
        must(Lab.run(QUICK, List.of("chmod", "1777", dir.resolve("tmp").toString())), "chmod /tmp");
        return new DebRoot(dir, List.copyOf(debs.keySet()));
    }

    Path dir() {
        return dir;
    }

    /** The Debian packages the root was made of. */
    List<String> packages() {
        return packages;
    }

    /** {@code dpkg --root=<root> args...}, from the host, with /proc, /dev and /sys mounted in the root. */
    Lab.Result dpkg(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("dpkg", "--root=" + dir));
        cmd.addAll(List.of(args));
        return withMounts(timeout, null, Map.of(), false, cmd);
    }

    /**
     * Runs {@code command} chrooted into the root, in a clean environment ({@link #PATH} and {@code env}
     * only), in network namespace {@code netns} (null: the host's).
     */
    Lab.Result chroot(Duration timeout, String netns, Map<String, String> env, String... command) {
        return withMounts(timeout, netns, env, false, chrooted(command));
    }

    /** {@link #chroot}, with the root's /usr mounted read-only. */
    Lab.Result chrootReadOnlyUsr(Duration timeout, String netns, Map<String, String> env, String... command) {
        return withMounts(timeout, netns, env, true, chrooted(command));
    }

    /** Every path in the root (relative, directories marked with a trailing /), with its size (0 for non-files). */
    Map<String, Long> files() throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = dir.relativize(p).toString();
                if (rel.isEmpty()) {
                    continue;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.put(rel + "/", 0L);
                } else {
                    files.put(rel, Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? Files.size(p) : 0L);
                }
            }
        }
        return files;
    }

    /** Deletes the root, unless something is mounted below it (which {@link #withMounts} never leaves). */
    void delete() throws IOException {
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        if (mounts.contains(" " + dir + "/") || mounts.contains(" " + dir + " ")) {
            throw new IllegalStateException("something is mounted below " + dir + ": not deleting it\n" + mounts);
        }
        deleteTree(dir);
    }

    /** Deletes a directory tree without following symbolic links. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    // -------------------------------------------------------------------------------------- helpers

    private List<String> chrooted(String... command) {
        List<String> cmd = new ArrayList<>(List.of("chroot", dir.toString()));
        cmd.addAll(List.of(command));
        return cmd;
    }

    private Lab.Result withMounts(Duration timeout, String netns, Map<String, String> env, boolean readOnlyUsr,
            List<String> command) {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.addAll(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", WITH_MOUNTS, "sh", dir.toString(),
                readOnlyUsr ? "ro" : "rw", "env", "-i", "PATH=" + PATH));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(command);
        return Lab.run(timeout, cmd);
    }

    /**
     * The seeds and, transitively, every library package they depend on (first alternative; Pre-Depends
     * too). Non-library dependencies of the tools (base-files, debianutils, dpkg, ...) are left out: the
     * root only has to run programs, not to be a Debian system.
     */
    private static List<String> closure(Set<String> seeds) {
        List<String> cmd = new ArrayList<>(List.of("apt-cache", "depends", "--recurse", "--no-recommends",
                "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"));
        cmd.addAll(seeds);
        Lab.Result r = must(Lab.run(APT, cmd), "apt-cache depends (apt lists missing? run apt-get update)");
        Map<String, List<String>> deps = new LinkedHashMap<>();
        String current = null;
        boolean alternative = false;
        for (String line : r.stdoutLines()) {
            if (!line.startsWith(" ")) {
                current = line.strip();
                deps.putIfAbsent(current, new ArrayList<>());
                alternative = false;
                continue;
            }
            Matcher m = DEPENDENCY.matcher(line);
            if (current == null || !m.matches()) {
                continue; // Conflicts & co. are off; indented provider lines of virtual packages
            }
            boolean firstOfGroup = !alternative;
            alternative = m.group(1).equals("|");
            String name = m.group(2);
            if (firstOfGroup && !name.startsWith("<")) {
                deps.get(current).add(name);
            }
        }
        Set<String> result = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(seeds);
        while (!todo.isEmpty()) {
            String p = todo.removeFirst();
            if (!result.add(p)) {
                continue;
            }
            for (String d : deps.getOrDefault(p, List.of())) {
                if (d.startsWith("lib") && !result.contains(d)) {
                    todo.addLast(d);
                }
            }
        }
        return List.copyOf(result);
    }

    /** package -> its .deb in {@code cache}, downloading (apt-get download) those not there yet. */
    private static Map<String, Path> download(Path cache, List<String> names) throws IOException {
        Files.createDirectories(cache);
        List<String> missing = names.stream().filter(n -> cached(cache, n) == null).toList();
        if (!missing.isEmpty()) {
            List<String> cmd = new ArrayList<>(List.of("sh", "-c", "cd \"$1\" && shift && exec apt-get -q "
                    + "-o APT::Sandbox::User=root -o Acquire::Retries=3 download \"$@\"", "sh", cache.toString()));
            cmd.addAll(missing);
            must(Lab.run(APT, cmd), "apt-get download " + missing);
        }
        Map<String, Path> debs = new LinkedHashMap<>();
        for (String n : names) {
            Path deb = cached(cache, n);
            if (deb == null) {
                throw new IllegalStateException("apt-get download left no " + n + "_*.deb in " + cache);
            }
            debs.put(n, deb);
        }
        return debs;
    }

    private static Path cached(Path cache, String name) {
        try (Stream<Path> s = Files.list(cache)) {
            return s.filter(p -> {
                String f = p.getFileName().toString();
                return f.startsWith(name + "_") && f.endsWith(".deb");
            }).max(Comparator.comparing(p -> p.getFileName().toString())).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of a field in a control stanza ({@code null} if absent). */
    static String field(String control, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ": *(.*)$").matcher(control);
        return m.find() ? m.group(1).strip() : null;
    }

    static Lab.Result must(Lab.Result r, String what) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException(what + " failed: " + r.describe());
        }
        return r;
    }
}
