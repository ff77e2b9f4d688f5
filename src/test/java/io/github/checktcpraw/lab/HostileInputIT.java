package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.HostileInvocations;
import io.github.checktcpraw.HostileInvocations.Invocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The malformed invocations, through the real launcher (plugin-wrapper, a fresh JVM each) in the
 * director's namespace: the whole {@link HostileInvocations} table, plus the cases only a real
 * director has (an interface that is not Ethernet, role files that are not files, names the
 * resolver cannot resolve). Each must print exactly one line {@code TCP_RAW UNKNOWN - ...} and
 * exit 3 with nothing on stderr; a sample is repeated with {@code --compat}: exit 1, nothing on
 * stdout, one line on stderr. About 40 JVMs, a quarter of a second each.
 */
class HostileInputIT extends OneLabPerClass {

    /** Generous: every case answers at once; only a hang reaches this. */
    private static final Duration RUN = Duration.ofSeconds(10);
    static final List<Invocation> TABLE = HostileInvocations.ALL;

    private static Path files;

    /** In the lab's state directory, so they go with the lab. */
    @BeforeAll
    static void makeFiles() throws IOException {
        files = Files.createDirectories(lab.stateDir().resolve("hostile"));
        Lab.Result fifo = Lab.run(RUN, List.of("mkfifo", files.resolve("role.fifo").toString()));
        assertEquals(0, fifo.exitCode(), fifo.describe());
    }

    /** Cases that need the lab's director: its eth0 and lo, files of the test's making, its resolver. */
    static Stream<Invocation> directorCases() {
        String roleDir = files.toString();
        String fifo = files.resolve("role.fifo").toString();
        return Stream.of(
                bad("loopback is not Ethernet", "interface \"lo\" is not Ethernet", "lo", RS1_IP, VIP, "80"),
                bad("a directory as role file", "role file " + roleDir + " is a directory", "-r", roleDir, "eth0",
                        RS1_IP, VIP, "80"),
                bad("a role file that does not exist", "role file " + roleDir + "/none does not exist", "-r",
                        roleDir + "/none", "eth0", RS1_IP, VIP, "80"),
                // A FIFO blocks open(2) until a writer comes: the check must not hang on it.
                bad("a FIFO as role file", "role file " + fifo, "-r", fifo, "eth0", RS1_IP, VIP, "80"),
                // Control characters in a role file name must not break or forge the status line.
                bad("a carriage return in the role file name", "role file ", "-r",
                        roleDir + "/x\rTCP_RAW OK - all is well\u001b[0m", "eth0", RS1_IP, VIP, "80"),
                bad("an unresolvable real server", "cannot resolve real server \"no-such-host.invalid\"", "eth0",
                        "no-such-host.invalid", VIP, "80"),
                bad("an unresolvable virtual IP", "virtual IP \"no-such-vip.invalid\"", "eth0", RS1_IP,
                        "no-such-vip.invalid", "80"),
                bad("an octet above 255", "\"300.1.2.3\"", "eth0", "300.1.2.3", VIP, "80"));
    }

    /** A sample in compat mode: one of each kind (parser, environment, resolver). */
    static Stream<Invocation> compatCases() {
        return Stream.concat(
                TABLE.stream().filter(i -> List.of("port 80x", "a missing argument", "warning above critical",
                        "interface that does not exist").contains(i.name())),
                directorCases().filter(i -> List.of("loopback is not Ethernet", "a directory as role file",
                        "an unresolvable real server").contains(i.name())));
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("TABLE")
    void malformedInvocationIsUnknownInOneLine(Invocation invocation) {
        assertUnknown(invocation);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("directorCases")
    void unusableEnvironmentIsUnknownInOneLine(Invocation invocation) {
        assertUnknown(invocation);
    }

    @ParameterizedTest(name = "--compat: {0}")
    @MethodSource("compatCases")
    void inCompatModeIsExit1WithOneLineOnStderr(Invocation invocation) {
        Lab.Result r = lab.plugin(RUN, invocation.compatArgs().toArray(String[]::new));

        assertFalse(r.timedOut(), "hung: " + r.describe());
        assertEquals(1, r.exitCode(), r.describe());
        assertEquals("", r.stdout(), r.describe());
        assertTrue(r.stderr().endsWith("\n") && r.stderr().indexOf('\n') == r.stderr().length() - 1,
                "one line on stderr: " + r.describe());
        HostileInvocations.assertOneCleanLine(r.stderr().substring(0, r.stderr().length() - 1), "check_tcp_raw: ",
                invocation.reason());
    }

    private static void assertUnknown(Invocation invocation) {
        Lab.Result r = lab.plugin(RUN, invocation.args().toArray(String[]::new));

        assertFalse(r.timedOut(), "hung: " + r.describe());
        assertEquals(3, r.exitCode(), r.describe());
        assertTrue(r.stdout().endsWith("\n") && r.stdout().indexOf('\n') == r.stdout().length() - 1,
                "one line on stdout: " + r.describe());
        HostileInvocations.assertOneCleanLine(r.stdout().substring(0, r.stdout().length() - 1), "TCP_RAW UNKNOWN - ",
                invocation.reason());
        assertEquals("", r.stderr(), "no stack trace, no JVM warning: " + r.describe());
    }

    private static Invocation bad(String name, String reason, String... args) {
        return new Invocation(name, List.of(args), reason);
    }
}
