package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A monitoring system that times a check out kills only its own child (Nagios 4: the sudo in front
 * of the plugin, with SIGKILL when it does not end). The plugin under it must not run on as an
 * orphan holding the monitoring system's output pipe: it ends as on SIGTERM, resetting what the real
 * server holds, within a second.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ParentDeathIT extends OneLabPerClass {

    private static final Duration RUN = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @BeforeAll
    static void dropFinsFromPort8080() {
        Lab.requireCommand("sudo", "sudo");
        // rs1 never sends a FIN from port 8080: with no timeouts, a clean close there waits until it is ended.
        NftTables.dropFinsFrom(lab, 8080);
    }

    @Test
    void killingTheSudoInFrontOfAWaitingCheckEndsTheCheckAndResetsTheConnection() {
        // ip netns exec execs sudo, and sudo (no terminal, so no pty) forks the plugin: the JVM is sudo's child.
        Path output = tmp.resolve("sudo.out");
        Process sudo = lab.start("dir", output, "sudo", "-n",
                lab.pluginWrapper().toString(), "-v", "-c", "-t", "0", "-T", "0", "eth0", RS1_IP, VIP, "8080");
        try {
            Optional<String> close = Daemon.await(sudo, RUN,
                    () -> read(output).lines().filter(l -> l.contains("Flags [F.]")).findFirst());
            assertTrue(close.isPresent(), "the clean close never began: " + read(output));
            Optional<ProcessHandle> jvm = sudo.children().findFirst();
            assertTrue(jvm.isPresent(), "sudo has no child");
            assertTrue(Lab.awaitBlockedInPoll(jvm.get().pid(), RUN), "the plugin never waited for the server's FIN");

            sudo.destroyForcibly(); // SIGKILL: sudo cannot pass anything on
            long killed = System.nanoTime();
            boolean ended = Lab.awaitExit(jvm.get().pid(), Duration.ofSeconds(1));

            assertTrue(ended, "the plugin outlived its parent by more than a second");
            System.out.println("FIGURE parent-death: the plugin ended " + (System.nanoTime() - killed) / 1_000_000
                    + " ms after its sudo was killed");
            assertNoConnectionFromDirector("rs1", Duration.ofSeconds(3));
        } finally {
            sudo.destroyForcibly();
            sudo.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * The parent can die between the plugin's start and the moment it asks to be signalled, and then
     * no signal will ever come: the plugin compares its parent with the one the wrapper recorded.
     */
    @Test
    void aParentThatDiedBeforeThePluginAskedToBeSignalledEndsTheCheckAtOnce() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Lab.Result r = lab.exec("dir", RUN, "env", "CHECK_TCP_RAW_PARENT=1", java.toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", lab.repoRoot().resolve("target/check_tcp_raw.jar").toString(),
                "io.github.checktcpraw.CheckTcpRaw", "-t", "0", "-T", "0", "eth0", RS1_IP, VIP, "80");

        assertEquals(3, r.exitCode(), r.describe());
        assertEquals("TCP_RAW UNKNOWN - the process that started this check is gone: nobody would read its answer",
                r.stdout().strip(), r.describe());
    }

    /** What sudo and the plugin under it wrote so far (stdout and stderr, the trace included). */
    private static String read(Path file) {
        try {
            // Lenient decoding: the last line may be cut in the middle of a character.
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
