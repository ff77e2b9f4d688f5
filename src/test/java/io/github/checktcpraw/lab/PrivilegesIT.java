package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.DIRECTOR_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin run as an ordinary user (nobody, through setpriv in the director's namespace), as a
 * monitoring daemon would without sudo: without privileges it must say in one UNKNOWN line which
 * privilege is missing; with the CAP_NET_RAW capability alone (ambient, so it survives the exec
 * of bash and java) the raw check works; a BACKUP check needs no privilege at all.
 */
class PrivilegesIT {

    private static final Duration RUN = Duration.ofSeconds(30);
    /** nobody and its group, by number: the group's name differs between distributions. */
    private static final String NOBODY = "65534";
    /** A user id of no account, for the task limit test: RLIMIT_NPROC counts all of a user's tasks. */
    private static final String TASK_LIMIT_UID = "64123";

    private static Lab lab;
    private static Path shared;

    @BeforeAll
    static void buildLab() throws IOException {
        Lab.requireRoot();
        Lab.requireCommand("setpriv", "util-linux");
        lab = Lab.up();
        Path wrapper = lab.pluginWrapper();
        Path jar = lab.repoRoot().resolve("target/check_tcp_raw.jar");
        Lab.Result readable = lab.exec("dir", RUN, asNobody(List.of("-all"), "test", "-x", wrapper.toString(), "-a", "-r",
                jar.toString()));
        Assumptions.assumeTrue(readable.exitCode() == 0, "user nobody cannot run " + wrapper + " or read " + jar
                + ": the checkout is not world-readable (a path component without o+rx?), so this test cannot run"
                + " the plugin as nobody here");
        // A directory nobody can read, for role files (the lab's state directory may not be).
        shared = Files.createTempDirectory("ctqa-priv-");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (shared != null) {
            try (Stream<Path> files = Files.list(shared)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(shared);
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void withoutPrivilegesTheCheckIsUnknownAndNamesWhatIsMissing() {
        Lab.Result r = pluginAsNobody(List.of("-all"), "eth0", RS1_IP, VIP, "80");

        assertEquals(3, r.exitCode(), r.describe());
        assertEquals(1, r.stdoutLines().size(), r.describe());
        assertTrue(r.stdout().startsWith("TCP_RAW UNKNOWN - "), r.describe());
        assertTrue(r.stdout().contains("CAP_NET_RAW") && r.stdout().contains("root"),
                "names the missing privilege: " + r.describe());
        assertEquals("", r.stderr(), "no stack trace, no JVM warning");
    }

    @Test
    void withoutPrivilegesInCompatModeTheReasonGoesToStderr() {
        Lab.Result r = pluginAsNobody(List.of("-all"), "--compat", "eth0", RS1_IP, VIP, "80");

        assertEquals(1, r.exitCode(), r.describe());
        assertEquals("", r.stdout(), r.describe());
        assertEquals(1, r.stderrLines().size(), r.describe());
        assertTrue(r.stderr().startsWith("check_tcp_raw: ") && r.stderr().contains("CAP_NET_RAW"), r.describe());
    }

    /** The finding for operators: setcap-free, sudo-free operation works with CAP_NET_RAW alone. */
    @Test
    void anOrdinaryUserWithAmbientCapNetRawCanRunTheRawCheck() {
        Lab.Result r = pluginAsNobody(List.of("+net_raw", "--ambient-caps=+net_raw"), "eth0", RS1_IP, VIP, "80");

        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().startsWith("TCP_RAW OK - " + VIP + ":80 via " + RS1_IP + " ("), r.describe());
        assertEquals("", r.stderr());
        assertNoConnectionFromDirector();
    }

    /** Inheritable without ambient is not enough: a non-root exec drops it (so ambient is what works). */
    @Test
    void capNetRawThatIsOnlyInheritableDoesNotReachTheJvm() {
        Lab.Result r = pluginAsNobody(List.of("+net_raw"), "eth0", RS1_IP, VIP, "80");

        assertEquals(3, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("CAP_NET_RAW"), r.describe());
    }

    @Test
    void aBackupDirectorsCheckNeedsNoPrivilege() throws IOException {
        Path role = readableRoleFile("backup.role", "0\n", "rw-r--r--");

        Lab.Result r = pluginAsNobody(List.of("-all"), "-r", role.toString(), "eth0", RS1_IP, VIP, "80");

        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().startsWith("TCP_RAW OK - BACKUP role: connected to " + RS1_IP + ":80 in "), r.describe());
        assertNoConnectionFromDirector();
    }

    @Test
    void aRoleFileTheUserCannotReadIsUnknown() throws IOException {
        Path role = readableRoleFile("secret.role", "1\n", "rw-------");

        Lab.Result r = pluginAsNobody(List.of("-all"), "-r", role.toString(), "eth0", RS1_IP, VIP, "80");

        assertEquals(3, r.exitCode(), r.describe());
        assertEquals("TCP_RAW UNKNOWN - role file " + role + " is not readable (permission denied)", r.stdout().strip());
        assertEquals("", r.stderr());
    }

    /**
     * A limit on tasks (RLIMIT_NPROC here; a cgroup's pids.max or systemd's TasksMax act alike) that
     * leaves the JVM just the threads it starts with has no room for the thread that links the native
     * calls in the background: the check links them in its own thread instead and still answers in
     * one line. (One task fewer and the JVM itself cannot start, which no Java code can report.)
     * RLIMIT_NPROC counts every task of the user, so this runs as a user id of its own that nothing
     * else runs as.
     */
    @Test
    void aTaskLimitWithNoRoomForBackgroundThreadsStillChecks() throws IOException {
        Lab.requireCommand("prlimit", "util-linux");
        Assumptions.assumeTrue(processesOf(TASK_LIMIT_UID) == 0, "user id " + TASK_LIMIT_UID + " is in use here");
        int jvmStarts = smallestTaskLimitTheJvmStartsWith();

        for (int limit = jvmStarts; limit <= jvmStarts + 3; limit++) {
            Lab.Result r = lab.exec("dir", RUN, withTaskLimit(limit, asUser(TASK_LIMIT_UID,
                    List.of("+net_raw", "--ambient-caps=+net_raw"), lab.pluginWrapper().toString(), "eth0", RS1_IP, VIP,
                    "80")));

            String at = "at most " + limit + " tasks (the JVM starts with " + jvmStarts + "): ";
            assertEquals(0, r.exitCode(), at + r.describe());
            assertEquals(1, r.stdoutLines().size(), at + r.describe());
            assertTrue(r.stdout().startsWith("TCP_RAW OK - " + VIP + ":80 via " + RS1_IP + " ("), at + r.describe());
            assertFalse(r.stderr().contains("Exception") || r.stderr().contains("\tat "), at + r.describe());
            // The JVM's own warning shows when the linking thread could not start.
            assertEquals(limit == jvmStarts, r.stderr().contains("java.lang.Thread \"ffm-link\""), at + r.describe());
        }
        assertNoConnectionFromDirector();
    }

    private static int smallestTaskLimitTheJvmStartsWith() {
        for (int limit = 2; limit <= 64; limit++) {
            Lab.Result r = lab.exec("dir", RUN, withTaskLimit(limit, asUser(TASK_LIMIT_UID, List.of("-all"),
                    lab.pluginWrapper().toString(), "--version")));
            if (r.exitCode() == 0) {
                return limit;
            }
        }
        throw new AssertionError("the JVM did not start as user " + TASK_LIMIT_UID + " with up to 64 tasks");
    }

    private static long processesOf(String uid) throws IOException {
        long count = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    for (String line : Files.readAllLines(process.resolve("status"))) {
                        if (line.startsWith("Uid:") && line.split("\\s+")[1].equals(uid)) {
                            count++;
                        }
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            }
        }
        return count;
    }

    // ------------------------------------------------------------------------------------ helpers

    /**
     * setpriv as nobody; {@code caps} starts with the --inh-caps value ({@code -all}, {@code +net_raw})
     * and may add more setpriv options.
     */
    private static String[] asNobody(List<String> caps, String... command) {
        return asUser(NOBODY, caps, command);
    }

    private static String[] asUser(String uid, List<String> caps, String... command) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        cmd.add("--inh-caps=" + caps.getFirst());
        cmd.addAll(caps.subList(1, caps.size()));
        cmd.addAll(Arrays.asList(command));
        return cmd.toArray(String[]::new);
    }

    private static String[] withTaskLimit(int tasks, String... command) {
        List<String> cmd = new ArrayList<>(List.of("prlimit", "--nproc=" + tasks + ":" + tasks));
        cmd.addAll(Arrays.asList(command));
        return cmd.toArray(String[]::new);
    }

    private static Lab.Result pluginAsNobody(List<String> caps, String... args) {
        List<String> command = new ArrayList<>();
        command.add(lab.pluginWrapper().toString());
        command.addAll(Arrays.asList(args));
        return lab.exec("dir", RUN, asNobody(caps, command.toArray(String[]::new)));
    }

    private static Path readableRoleFile(String name, String content, String permissions) throws IOException {
        Path role = Files.writeString(shared.resolve(name), content);
        Files.setPosixFilePermissions(role, PosixFilePermissions.fromString(permissions));
        return role;
    }

    private static void assertNoConnectionFromDirector() {
        assertEquals(List.of(), lab.connectionsFrom("rs1", DIRECTOR_IP, Duration.ofSeconds(3)),
                "connections from the director left on rs1");
    }
}
