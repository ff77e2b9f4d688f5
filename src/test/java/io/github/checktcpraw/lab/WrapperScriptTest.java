package io.github.checktcpraw.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plugin-wrapper/check_tcp_raw without a JVM: a copy of the script whose /etc/default file and JDK
 * directory point into a temp dir, fake runtimes whose {@code bin/java} prints what it was given, and a
 * clean environment like the one sudo and monitoring daemons give.
 */
class WrapperScriptTest {

    private static final String MAIN_CLASS = "io.github.checktcpraw.CheckTcpRaw";
    private static final String CONSTANTS = "CONF=/etc/default/check_tcp_raw JVM_DIR=/usr/lib/jvm MAIN_CLASS="
            + MAIN_CLASS + " PACKAGE_HOME=/usr/lib/check-tcp-raw \\\n    PACKAGE_CACHE=/var/cache/check-tcp-raw";
    private static final String OPTIONS = "check_tcp_raw.jvm-options";
    private static final String SERVE_OPTIONS = "check_tcp_raw-serve.jvm-options";
    private static final String TLS_OPTIONS = "check_tcp_raw-tls.jvm-options";

    @TempDir
    Path tmp;
    private Path wrapperDir;
    private Path wrapper;
    private Path conf;
    private Path jvmDir;
    private Path tools;
    private Path packageHome;
    private Path packageCache;

    @BeforeEach
    void layOut() throws IOException {
        wrapperDir = Files.createDirectories(tmp.resolve("opt/check_tcp_raw/plugin-wrapper"));
        wrapper = wrapperDir.resolve("check_tcp_raw");
        conf = tmp.resolve("etc-default-check_tcp_raw");
        jvmDir = Files.createDirectories(tmp.resolve("jvm"));
        Path repoWrapper = Lab.findRepoRoot().resolve("plugin-wrapper/check_tcp_raw");
        Files.copy(repoWrapper.resolveSibling(OPTIONS), wrapperDir.resolve(OPTIONS));
        Files.copy(repoWrapper.resolveSibling(SERVE_OPTIONS), wrapperDir.resolve(SERVE_OPTIONS));
        String script = Files.readString(repoWrapper);
        assertTrue(script.contains(CONSTANTS), "the wrapper's constants line changed; update this test");
        packageHome = tmp.resolve("usr/lib/check-tcp-raw");
        packageCache = tmp.resolve("var/cache/check-tcp-raw");
        Files.writeString(wrapper, script.replace(CONSTANTS, "CONF=" + conf + " JVM_DIR=" + jvmDir
                + " MAIN_CLASS=" + MAIN_CLASS + " PACKAGE_HOME=" + packageHome + " PACKAGE_CACHE=" + packageCache));
        executable(wrapper);
        // PATH holds only readlink, so no java on this machine's PATH can leak into the tests.
        tools = Files.createDirectories(tmp.resolve("tools"));
        Path readlink = tools.resolve("readlink");
        Files.writeString(readlink, "#!/bin/sh\nexec /usr/bin/readlink \"$@\"\n");
        executable(readlink);
    }

    @Test
    void execsTheNewestJdkUnderTheJvmDirectoryWithTheOptionsFileAndUntouchedArguments() throws IOException {
        jar(wrapperDir);
        jdk(jvmDir.resolve("jdk-17"), "17.0.15");
        jdk(jvmDir.resolve("jdk-25.0.9"), "25.0.9");
        jdk(jvmDir.resolve("jdk-25.0.10"), "25.0.10");
        jdk(jvmDir.resolve("jdk-8"), "1.8.0_392");

        Lab.Result r = run(Map.of(), "-v", "a b", "", "*", "--", "$HOME");

        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(jvmDir.resolve("jdk-25.0.10/bin/java").toString(), ranJava(r));
        assertEquals(List.of("@" + wrapperDir.resolve(OPTIONS), "-cp", wrapperDir.resolve("check_tcp_raw.jar").toString(),
                MAIN_CLASS, "-v", "a b", "", "*", "--", "$HOME"), args(r));
    }

    @Test
    void withTlsTheJitOptionsFollowTheOthersAndOnlyThen() throws IOException {
        Path aot = newerThan(jar(wrapperDir), wrapperDir.resolve("check_tcp_raw.aot"));
        Files.copy(Lab.findRepoRoot().resolve("plugin-wrapper/" + TLS_OPTIONS), wrapperDir.resolve(TLS_OPTIONS));
        jdk(wrapperDir.resolve("runtime"), null);

        List<String> tls = args(run(Map.of(), "--tls", "--http", "eth0"));
        List<String> plain = args(run(Map.of(), "--http", "eth0"));
        List<String> operand = args(run(Map.of(), "--", "--tls"));

        assertEquals(List.of("@" + wrapperDir.resolve(OPTIONS), "-XX:AOTCache=" + aot, "@" + wrapperDir.resolve(TLS_OPTIONS)),
                tls.subList(0, 3));
        assertFalse(plain.contains("@" + wrapperDir.resolve(TLS_OPTIONS)), plain.toString());
        assertFalse(operand.contains("@" + wrapperDir.resolve(TLS_OPTIONS)), operand.toString());
        assertTrue(Files.readString(wrapperDir.resolve(TLS_OPTIONS)).contains("\n-Xmixed\n"), "undoes -Xint");
    }

    @Test
    void bundledRuntimeComesFirstAndTheAotCacheIsUsedWhenPresent() throws IOException {
        Path aot = newerThan(jar(wrapperDir), wrapperDir.resolve("check_tcp_raw.aot"));
        jdk(wrapperDir.resolve("runtime"), null);
        jdk(jvmDir.resolve("jdk-25"), "25.0.3");

        Lab.Result r = run(Map.of("JAVA_HOME", jvmDir.resolve("jdk-25").toString()), "x");

        assertEquals(wrapperDir.resolve("runtime/bin/java").toString(), ranJava(r), r.describe());
        assertTrue(args(r).contains("-XX:AOTCache=" + aot), r.describe());
        assertEquals("x", args(r).getLast());
    }

    @Test
    void serveStartsTheJvmWithTheResidentCheckersOwnOptionsAndNoAotCache() throws IOException {
        Path jar = jar(wrapperDir);
        newerThan(jar, wrapperDir.resolve("check_tcp_raw.aot"));
        jdk(wrapperDir.resolve("runtime"), null);

        Lab.Result r = run(Map.of(), "--serve");

        List<String> args = args(r);
        assertEquals("@" + wrapperDir.resolve(SERVE_OPTIONS), args.getFirst(), r.describe());
        String serveOptions = Files.readString(wrapperDir.resolve(SERVE_OPTIONS));
        assertTrue(serveOptions.contains("-Xmx32m") && serveOptions.contains("-XX:+ExitOnOutOfMemoryError"), serveOptions);
        assertFalse(serveOptions.contains("-Xint"), "a resident checker wants the JIT: " + serveOptions);
        assertTrue(args.stream().noneMatch(a -> a.startsWith("-XX:AOTCache")), "the cache is trained for -Xint: "
                + r.describe());
        assertEquals(List.of("-cp", jar.toString(), MAIN_CLASS, "--serve"), args.subList(args.size() - 4, args.size()));
    }

    @Test
    void anAotCacheOlderThanTheJarIsNotUsed() throws IOException {
        Path jar = jar(wrapperDir);
        Path aot = Files.createFile(wrapperDir.resolve("check_tcp_raw.aot"));
        Files.setLastModifiedTime(aot, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 1000));
        jdk(wrapperDir.resolve("runtime"), null);

        Lab.Result r = run(Map.of(), "x");

        assertTrue(args(r).stream().noneMatch(a -> a.startsWith("-XX:AOTCache")), "JDK 25.0.3 would run stale classes: "
                + r.describe());
    }

    @Test
    void javaHomeIsUsedWhenNewEnoughAndSkippedWhenOld() throws IOException {
        jar(wrapperDir);
        jdk(tmp.resolve("old"), "17.0.15");
        jdk(tmp.resolve("new"), "25");
        jdk(jvmDir.resolve("jdk-26"), "26-ea");

        assertEquals(tmp.resolve("new/bin/java").toString(),
                ranJava(run(Map.of("JAVA_HOME", tmp.resolve("new").toString()))));
        assertEquals(jvmDir.resolve("jdk-26/bin/java").toString(),
                ranJava(run(Map.of("JAVA_HOME", tmp.resolve("old").toString()))));
    }

    @Test
    void defaultsFileIsReadAsKeyValueLinesAndNeverExecuted() throws IOException {
        jar(wrapperDir);
        jdk(tmp.resolve("conf-jdk"), "25.0.1");
        jdk(tmp.resolve("other-jdk"), "25.0.1");
        jdk(jvmDir.resolve("jdk-26"), "26");
        Path marker = tmp.resolve("marker");
        Files.writeString(conf, "# settings\n$(touch " + marker + ")\nexport JAVA_HOME=\"" + tmp.resolve("conf-jdk")
                + "\"  # comment\n");
        assertEquals(tmp.resolve("conf-jdk/bin/java").toString(), ranJava(run(Map.of())));
        assertFalse(Files.exists(marker), "the defaults file was executed");

        Files.writeString(conf, "JAVA='" + tmp.resolve("other-jdk/bin/java") + "'\n");
        assertEquals(tmp.resolve("other-jdk/bin/java").toString(), ranJava(run(Map.of())));
    }

    @Test
    void javaOnPathIsFollowedThroughSymlinksToItsReleaseFile() throws IOException {
        jar(wrapperDir);
        jdk(tmp.resolve("path-jdk"), "25.0.2");
        jdk(jvmDir.resolve("jdk-26"), "26");
        Files.createSymbolicLink(tools.resolve("java"), tmp.resolve("path-jdk/bin/java"));

        assertEquals(tmp.resolve("path-jdk/bin/java").toString(), ranJava(run(Map.of())));
    }

    @Test
    void noRuntimeIsOneUnknownLineOrACompatFailure() throws IOException {
        jar(wrapperDir);
        jdk(jvmDir.resolve("jdk-17"), "17.0.15");

        Lab.Result r = run(Map.of("JAVA_HOME", jvmDir.resolve("jdk-17").toString()), "eth0");
        assertEquals(3, r.exitCode(), r.describe());
        assertEquals(1, r.stdoutLines().size(), r.describe());
        assertTrue(r.stdout().startsWith("TCP_RAW UNKNOWN - no Java 25+ runtime found (looked in: "), r.describe());
        assertTrue(r.stdout().contains("17.0.15"), r.describe());
        assertEquals("", r.stderr());

        Lab.Result compat = run(Map.of(), "--compat", "eth0");
        assertEquals(1, compat.exitCode(), compat.describe());
        assertEquals("", compat.stdout());
        assertTrue(compat.stderr().contains("no Java 25+ runtime found"), compat.describe());
    }

    @Test
    void missingJarIsOneUnknownLineNamingWhereItLooked() throws IOException {
        jdk(jvmDir.resolve("jdk-25"), "25.0.3");

        Lab.Result r = run(Map.of());
        assertEquals(3, r.exitCode(), r.describe());
        assertEquals(List.of("TCP_RAW UNKNOWN - check_tcp_raw.jar not found (looked in: " + wrapperDir + ", "
                + wrapperDir.getParent() + "/target)"), r.stdoutLines());

        Lab.Result compat = run(Map.of(), "-c", "--compat");
        assertEquals(1, compat.exitCode(), compat.describe());
        assertEquals("", compat.stdout());
    }

    @Test
    void missingOptionsFileIsOneUnknownLine() throws IOException {
        jar(wrapperDir);
        jdk(jvmDir.resolve("jdk-25"), "25.0.3");
        Files.delete(wrapperDir.resolve(OPTIONS));

        Lab.Result r = run(Map.of());
        assertEquals(3, r.exitCode(), r.describe());
        assertEquals(List.of("TCP_RAW UNKNOWN - " + OPTIONS + " not found (looked in: " + wrapperDir + ")"), r.stdoutLines());
    }

    @Test
    void findsTheJarInTargetWhenStartedThroughASymlinkFromElsewhere() throws IOException {
        Path target = Files.createDirectories(wrapperDir.resolveSibling("target"));
        jar(target);
        jdk(jvmDir.resolve("jdk-25"), "25.0.3");
        Path plugins = Files.createDirectories(tmp.resolve("usr/lib/nagios/plugins"));
        Path link = Files.createSymbolicLink(plugins.resolve("check_tcp_raw"), wrapper);

        Lab.Result r = Lab.run(Duration.ofSeconds(10), List.of("env", "-i", "PATH=" + tools, link.toString(), "x"));

        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(args(r).contains(wrapperDir.getParent() + "/target/check_tcp_raw.jar"), r.describe());
        assertFalse(args(r).stream().anyMatch(a -> a.startsWith("-XX:AOTCache")), r.describe());
    }

    /**
     * The Debian package's layout: started through its link, the wrapper needs no readlink, and takes
     * the AOT cache from /var/cache/check-tcp-raw, not from beside the jar in /usr.
     */
    @Test
    void startedThroughThePackagesLinkItFindsItsHomeWithoutReadlinkAndItsCacheUnderVar() throws IOException {
        Files.createDirectories(packageHome);
        Path packaged = Files.copy(wrapper, packageHome.resolve("check_tcp_raw"));
        Files.copy(wrapperDir.resolve(OPTIONS), packageHome.resolve(OPTIONS));
        Path jar = jar(packageHome);
        newerThan(jar, packageHome.resolve("check_tcp_raw.aot"));
        Path aot = newerThan(jar, Files.createDirectories(packageCache).resolve("check_tcp_raw.aot"));
        jdk(packageHome.resolve("runtime"), null);
        Path plugins = Files.createDirectories(tmp.resolve("usr/lib/nagios/plugins"));
        Path link = Files.createSymbolicLink(plugins.resolve("check_tcp_raw"), packaged);
        Path noTools = Files.createDirectories(tmp.resolve("no-tools")); // a readlink call would fail

        Lab.Result r = Lab.run(Duration.ofSeconds(10), List.of("env", "-i", "PATH=" + noTools, link.toString(), "x"));

        assertEquals(0, r.exitCode(), r.describe());
        assertEquals(packageHome.resolve("runtime/bin/java").toString(), ranJava(r), r.describe());
        assertTrue(args(r).contains(jar.toString()), r.describe());
        assertEquals(List.of("-XX:AOTCache=" + aot), args(r).stream().filter(a -> a.startsWith("-XX:AOTCache")).toList(),
                r.describe());
        assertEquals("", r.stderr(), r.describe());
    }

    // ---------------------------------------------------------------------------------------------

    private Lab.Result run(Map<String, String> env, String... args) {
        // A runtime directory without a resident checker: one serving this machine must not answer here.
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=" + tools,
                "CHECK_TCP_RAW_RUNTIME_DIR=" + tmp.resolve("no-resident-checker")));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.add(wrapper.toString());
        cmd.addAll(List.of(args));
        return Lab.run(Duration.ofSeconds(10), cmd);
    }

    private static String ranJava(Lab.Result r) {
        return r.stdoutLines().stream().filter(l -> l.startsWith("java="))
                .map(l -> l.substring(5)).findFirst().orElseThrow(() -> new AssertionError(r.describe()));
    }

    private static List<String> args(Lab.Result r) {
        return r.stdoutLines().stream().filter(l -> l.startsWith("arg=[") && l.endsWith("]"))
                .map(l -> l.substring(5, l.length() - 1)).toList();
    }

    /** A fake runtime: bin/java prints its path and arguments; release says JAVA_VERSION (none if null). */
    private static void jdk(Path home, String version) throws IOException {
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nprintf 'java=%s\\n' \"$0\"\nfor a in \"$@\"; do printf 'arg=[%s]\\n' \"$a\"; done\n");
        executable(java);
        if (version != null) {
            Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        }
    }

    /** An (empty) AOT cache file at {@code aot}, a second newer than {@code jar}. */
    private static Path newerThan(Path jar, Path aot) throws IOException {
        Files.createFile(aot);
        return Files.setLastModifiedTime(aot, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 1000));
    }

    private static Path jar(Path dir) throws IOException {
        return Files.writeString(dir.resolve("check_tcp_raw.jar"), "not really a jar");
    }

    private static void executable(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
