package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A monitoring system kills a plugin at its check timeout (Icinga 2: SIGTERM). Mid-check, the
 * plugin must end within a fraction of a second, leave no JVM, report one UNKNOWN line, and leave
 * no connection on the real server: it resets whatever the server holds first.
 */
class SignalIT extends OneLabPerClass {

    private static final Duration SETTLE = Duration.ofSeconds(3);

    @BeforeAll
    static void dropFinsFromPort8080() {
        // rs1 never sends a FIN from port 8080: a clean close there waits until it is interrupted.
        NftTables.dropFinsFrom(lab, 8080);
    }

    @Test
    void sigtermWhileWaitingForTheServersFinResetsTheConnection() throws Exception {
        Interrupted run = interrupt("TERM", "Flags [F.]", "-v", "-c", "-t", "20000", "eth0", RS1_IP, VIP, "8080");

        assertEquals(3, run.exitCode, run.toString());
        assertEquals(List.of("TCP_RAW UNKNOWN - interrupted by a signal before the check finished;"
                + " reset the connection to the real server"), run.stdout, run.toString());
        assertTrue(run.stderr.stream().anyMatch(l -> l.contains("Flags [R.]")), "the RSTs are traced: " + run);
        assertNoConnectionFromDirector("rs1", Duration.ZERO);
    }

    @Test
    void sigintWhileWaitingForTheSynAckEndsTheCheck() throws Exception {
        Interrupted run = interrupt("INT", "Flags [S]", "-v", "-t", "20000", "eth0", RS2_IP, VIP, "80");

        assertEquals(3, run.exitCode, run.toString());
        assertTrue(run.stdout.getFirst().startsWith("TCP_RAW UNKNOWN - interrupted by a signal"), run.toString());
    }

    @Test
    void compatModeAnswersASignalWithFailure() throws Exception {
        Interrupted run = interrupt("TERM", "Flags [S]", "-v", "--compat", "-t", "20000", "eth0", RS2_IP, VIP, "80");

        assertEquals(1, run.exitCode, run.toString());
        assertEquals(List.of(), run.stdout);
        assertTrue(run.stderr.getLast().startsWith("check_tcp_raw: interrupted by a signal"), run.toString());
    }

    /** Starts the plugin, waits for {@code awaited} in its trace, sends SIGsignal, and collects the end. */
    private Interrupted interrupt(String signal, String awaited, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", lab.namespace("dir"),
                lab.pluginWrapper().toString()));
        command.addAll(List.of(args));
        // ip netns exec and the wrapper both exec: the process is the JVM itself.
        Process plugin = new ProcessBuilder(command).start();
        plugin.getOutputStream().close();
        List<String> stderr = new ArrayList<>();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(plugin.getErrorStream(),
                StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            for (String line; System.nanoTime() < deadline && (line = err.readLine()) != null; ) {
                stderr.add(line);
                if (line.contains(awaited)) {
                    break;
                }
            }
            assertTrue(stderr.stream().anyMatch(l -> l.contains(awaited)), "never saw " + awaited + ": " + stderr);
            assertTrue(Lab.awaitBlockedInPoll(plugin.pid(), SETTLE), "never waited for the reply in poll(2)");
            long signalled = System.nanoTime();
            Lab.signal(plugin.pid(), signal);
            assertTrue(plugin.waitFor(SETTLE.toMillis(), TimeUnit.MILLISECONDS), "still running after SIG" + signal);
            long endedMillis = (System.nanoTime() - signalled) / 1_000_000;
            System.out.println("FIGURE signal: SIG" + signal + " while waiting for " + awaited + "'s reply: the JVM was gone "
                    + endedMillis + " ms later");
            for (String line; (line = err.readLine()) != null; ) {
                stderr.add(line);
            }
            String out = new String(plugin.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Interrupted(plugin.exitValue(), out.lines().toList(), stderr, endedMillis);
        } finally {
            plugin.destroyForcibly();
            assertTrue(plugin.waitFor(10, TimeUnit.SECONDS));
            assertTrue(ProcessHandle.of(plugin.pid()).isEmpty() || !ProcessHandle.of(plugin.pid()).get().isAlive(),
                    "no JVM left behind");
        }
    }

    private record Interrupted(int exitCode, List<String> stdout, List<String> stderr, long endedMillis) {
    }
}
