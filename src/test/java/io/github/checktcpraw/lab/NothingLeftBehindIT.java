package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.DIRECTOR_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * However a check ends, it leaves nothing behind: no connection from the director on the real
 * server (not even TIME_WAIT or LAST_ACK: the quick close resets, the clean close is closed by
 * the server's side last, a clean close that times out is reset), no process and no listening
 * socket (the reserved source port) in the director's namespace.
 */
class NothingLeftBehindIT extends OneLabPerClass {

    private static final Duration RUN = Duration.ofSeconds(30);
    /** How long the real server's kernel may take to process the last frames of a check. */
    private static final Duration SETTLE = Duration.ofSeconds(3);
    /** A port nothing in the lab uses: the test's own listener that never accepts. */
    private static final int NEVER_ACCEPTS = 8081;

    private static boolean nginx;

    @BeforeAll
    static void findNginx() {
        nginx = Files.isExecutable(Path.of("/usr/sbin/nginx"));
    }

    @Test
    void quickCloseLeavesNothing() {
        Lab.Result r = lab.plugin(RUN, "eth0", RS1_IP, VIP, "80");

        assertEquals(0, r.exitCode(), r.describe());
        assertNothingLeft();
    }

    @Test
    void refusedPortLeavesNothing() {
        Lab.Result r = lab.plugin(RUN, "eth0", RS1_IP, VIP, "81");

        assertEquals(2, r.exitCode(), r.describe());
        assertTrue(r.stdout().startsWith("TCP_RAW CRITICAL - connection refused (RST)"), r.describe());
        assertNothingLeft();
    }

    @Test
    void cleanCloseAgainstPythonHttpServerLeavesNothing() {
        Lab.Result r = lab.plugin(RUN, "-c", "eth0", RS1_IP, VIP, "80");

        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains(", closed cleanly |"), r.describe());
        assertNothingLeft();
    }

    @Test
    void cleanCloseAgainstNginxLeavesNothing() {
        Assumptions.assumeTrue(nginx, "nginx is not installed (scripts/install-deps installs it)");
        Lab.Result r = lab.plugin(RUN, "-c", "eth0", RS1_IP, VIP, "8080");

        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains(", closed cleanly |"), r.describe());
        assertNothingLeft();
    }

    /**
     * The server's FIN never arrives (nftables in rs1 drops every FIN it sends from the port): the
     * clean close times out, the check says WARNING and resets the connection, which the server's
     * LAST_ACK socket accepts. (nginx closes at once and the kernel's ACK of our FIN rides on its
     * FIN, so that ACK is lost too and the check usually sends both of its RSTs.)
     */
    @Test
    void cleanCloseWhoseServerFinIsLostIsWarningAndResetsTheConnection() {
        Assumptions.assumeTrue(NftTables.available(), "needs nft (scripts/install-deps installs nftables)");
        int port = nginx ? 8080 : 80;
        String rules = """
                table inet ctqafin {
                    chain out {
                        type filter hook output priority 0; policy accept;
                        tcp sport %d tcp flags & fin == fin counter drop
                    }
                }
                """.formatted(port);
        try (NftTables finLost = NftTables.load(lab, "rs1", rules)) {
            Lab.Result[] result = new Lab.Result[1];
            List<String> wire = capture(port,
                    () -> result[0] = lab.plugin(RUN, "-c", "-t", "500", "eth0", RS1_IP, VIP, Integer.toString(port)));

            Lab.Result r = result[0];
            assertEquals(1, r.exitCode(), r.describe());
            assertTrue(r.stdout().startsWith("TCP_RAW WARNING - " + VIP + ":" + port + " via " + RS1_IP + " ("), r.describe());
            assertTrue(r.stdout().contains(", but did not finish the clean close within 500 ms (connection reset) |"),
                    r.describe());
            assertTrue(finLost.droppedPackets("inet ctqafin") > 0, "rs1's FIN was never sent, so never dropped");
            assertTrue(fromDirector(wire).getLast().contains("R"), "ends with our RST: " + String.join("\n", wire));
            assertNothingLeft();
        }
    }

    /**
     * The server's kernel acknowledges our FIN but the application never closes (a listener that
     * never accepts, like a hung service): the check says WARNING and sends exactly one RST, at the
     * sequence after its FIN, which is the only one an RFC 5961 stack accepts then.
     */
    @Test
    void cleanCloseWithAServiceThatNeverClosesIsWarningAndResetsTheConnection() throws Exception {
        String listener = "import socket, time\n"
                + "s = socket.socket()\n"
                + "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                + "s.bind(('0.0.0.0', " + NEVER_ACCEPTS + "))\n"
                + "s.listen(8)\n"
                + "print('listening', flush=True)\n"
                + "time.sleep(60)\n";
        Path out = lab.stateDir().resolve("never-accepts.out");
        Process p = lab.start("rs1", out, python(), "-c", listener);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.readString(out).contains("listening") && p.isAlive() && System.nanoTime() - deadline < 0) {
                Lab.pause(Duration.ofMillis(50));
            }
            assertTrue(Files.readString(out).contains("listening"), "the listener in rs1 did not start: "
                    + Files.readString(out));

            Lab.Result[] result = new Lab.Result[1];
            List<String> wire = capture(NEVER_ACCEPTS, () -> result[0] = lab.plugin(RUN, "-c", "-t", "500", "eth0",
                    RS1_IP, VIP, Integer.toString(NEVER_ACCEPTS)));

            Lab.Result r = result[0];
            assertEquals(1, r.exitCode(), r.describe());
            assertTrue(r.stdout().contains(", but did not finish the clean close within 500 ms (connection reset) |"),
                    r.describe());
            List<String> ours = fromDirector(wire);
            assertEquals(List.of("S", ".", "F.", "R."), ours.stream().distinct().toList(),
                    "SYN, ACK, FIN (maybe again), one RST: " + String.join("\n", wire));
            assertEquals(1, ours.stream().filter(f -> f.contains("R")).count(), String.join("\n", wire));
            assertNothingLeft();
        } finally {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /**
     * After the SYN/ACK the server goes silent (nftables in rs1 drops everything it sends on the
     * port but SYN/ACKs): our FIN is never acknowledged, so the check cannot know whether the
     * server got it and resets at both possible sequences; one of them must end the connection.
     */
    @Test
    void serverSilentAfterTheHandshakeIsWarningAndResetsTheConnection() {
        Assumptions.assumeTrue(NftTables.available(), "needs nft (scripts/install-deps installs nftables)");
        int port = nginx ? 8080 : 80;
        String rules = """
                table inet ctqasilent {
                    chain out {
                        type filter hook output priority 0; policy accept;
                        tcp sport %d tcp flags & syn == 0 counter drop
                    }
                }
                """.formatted(port);
        try (NftTables silent = NftTables.load(lab, "rs1", rules)) {
            Lab.Result[] result = new Lab.Result[1];
            List<String> wire = capture(port,
                    () -> result[0] = lab.plugin(RUN, "-c", "-t", "500", "eth0", RS1_IP, VIP, Integer.toString(port)));

            Lab.Result r = result[0];
            assertEquals(1, r.exitCode(), r.describe());
            assertTrue(r.stdout().contains(", but did not finish the clean close within 500 ms (connection reset) |"),
                    r.describe());
            assertTrue(silent.droppedPackets("inet ctqasilent") > 0, "rs1 sent nothing after the SYN/ACK to drop");
            assertEquals(2, fromDirector(wire).stream().filter(f -> f.contains("R")).count(),
                    "two RSTs (before and after our unacknowledged FIN): " + String.join("\n", wire));
            assertNothingLeft();
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    /**
     * Nothing of the check remains: no socket with the director as peer on rs1 except listeners
     * (polled for up to {@link #SETTLE} while the kernel processes the last frames), no process
     * and no TCP socket at all in the director's namespace.
     */
    private static void assertNothingLeft() {
        assertNoConnectionFromDirector("rs1", SETTLE);
        Lab.Result pids = Lab.run(RUN, List.of("ip", "netns", "pids", lab.namespace("dir")));
        assertEquals("", pids.stdout().strip(), "processes left in the director's namespace: " + pids.describe());
        // The lab's own start-up probes may linger there in TIME_WAIT; the check's reserved port may not.
        List<String> onDirector = lab.sockets("dir").stream()
                .filter(l -> l.startsWith("LISTEN") || l.contains(" " + VIP + ":")).toList();
        assertEquals(List.of(), onDirector, "the check's sockets left in the director's namespace");
    }

    private static List<String> capture(int port, Runnable during) {
        return lab.captureWhile("rs1", "tcp port " + port + " and host " + DIRECTOR_IP, during);
    }

    /** The TCP flags of the frames the director sent to the VIP, in order (tcpdump -e lines). */
    private static List<String> fromDirector(List<String> wire) {
        return Wire.flags(wire, DIRECTOR_IP, VIP);
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
