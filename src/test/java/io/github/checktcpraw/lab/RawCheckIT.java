package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.DIRECTOR_IP;
import static io.github.checktcpraw.lab.Lab.NO_HOST_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin, run through plugin-wrapper in the director's namespace, against real servers in
 * theirs: the good one (VIP on lo), the misconfigured one (no VIP), a closed port, a missing host.
 * Each test checks the exit code, the status line and, where it matters, what the real server saw
 * on the wire and what sockets it holds afterwards.
 */
class RawCheckIT extends OneLabPerClass {

    /** Generous: a check that hangs fails the test, a slow machine does not. */
    private static final Duration RUN = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void goodRealServerIsOkWithLatencyPerfdataAndLeavesNoConnection() {
        Lab.Result result = lab.plugin(RUN, "eth0", RS1_IP, VIP, "80");

        assertEquals(0, result.exitCode(), result.describe());
        String line = result.stdout().strip();
        assertTrue(line.matches("TCP_RAW OK - 198\\.51\\.100\\.100:80 via 198\\.51\\.100\\.42 \\(" + lab.mac("rs1")
                + "\\) answered in \\d+\\.\\d+ ms \\| time=\\d\\.\\d{6}s;;;0;1\\.000000 arp=\\d\\.\\d{6}s;;;0;1\\.000000"),
                line);
        assertEquals("", result.stderr(), "nothing on stderr without -v");
        assertNoConnectionFromDirector("rs1", Duration.ZERO);
    }

    @Test
    void realServerWithoutTheVipIsCritical() {
        Lab.Result result = lab.plugin(RUN, "-t", "500", "eth0", RS2_IP, VIP, "80");

        assertEquals(2, result.exitCode(), result.describe());
        assertEquals("TCP_RAW CRITICAL - no SYN/ACK for VIP 198.51.100.100:80 from real server 198.51.100.43 ("
                + lab.mac("rs2") + ") within 500 ms (SYN sent 2 times) (is the VIP on its loopback?)"
                + " | time=U;;;0;0.500000 arp=", result.stdout().strip().replaceAll("arp=.*", "arp="));
        assertTrue(result.elapsed().toMillis() >= 500, "waited the timeout: " + result.elapsed());
    }

    @Test
    void closedPortIsRefused() {
        Lab.Result result = lab.plugin(RUN, "eth0", RS1_IP, VIP, "81");

        assertEquals(2, result.exitCode(), result.describe());
        assertTrue(result.stdout().startsWith("TCP_RAW CRITICAL - connection refused (RST) for VIP 198.51.100.100:81"
                + " by real server 198.51.100.42"), result.stdout());
    }

    @Test
    void missingHostHasNoArpReply() {
        Lab.Result result = lab.plugin(RUN, "-t", "300", "eth0", NO_HOST_IP, VIP, "80");

        assertEquals(2, result.exitCode(), result.describe());
        assertEquals("TCP_RAW CRITICAL - no ARP reply from 198.51.100.44 within 300 ms (ARP request sent 4 times)"
                + " | time=U;;;0;0.300000 arp=U;;;0;0.300000", result.stdout().strip());
    }

    @Test
    void quickCloseOnTheWireIsSynSynAckAckRstAndOurChecksumsAreRight() {
        List<String> wire = lab.captureWhile("rs1", "tcp port 80 and host " + DIRECTOR_IP,
                () -> assertEquals(0, lab.plugin(RUN, "eth0", RS1_IP, VIP, "80").exitCode()));

        assertEquals(List.of("S", "S.", ".", "R."), Wire.flags(wire), String.join("\n", wire));
        assertTrue(wire.getFirst().contains(lab.mac("dir") + " > " + lab.mac("rs1")), "to the real server's MAC");
        assertTrue(wire.getFirst().contains(DIRECTOR_IP + ".") && wire.getFirst().contains(" > " + VIP + ".80:"),
                "with the VIP as destination IP: " + wire.getFirst());
    }

    @Test
    void cleanCloseAgainstPythonHttpServerEndsWithoutAnyRst() {
        cleanCloseLeavesNothing(80);
    }

    @Test
    void cleanCloseAgainstNginxEndsWithoutAnyRst() {
        cleanCloseLeavesNothing(8080);
    }

    @Test
    void cleanCloseAgainstAServerThatSpeaksFirstAcknowledgesItsWholeBanner() {
        // Like an SMTP or SSH server: 2000 bytes on connect, more than the capture keeps of a frame,
        // then it closes when the client does.
        Process banner = lab.start("rs1", tmp.resolve("banner.log"), "python3", "-c", """
                import socket
                s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", 2525)); s.listen(4)
                while True:
                    c, _ = s.accept(); c.sendall(b"220 " + b"x" * 1994 + b"\\r\\n")
                    while c.recv(4096): pass
                    c.close()
                """);
        try {
            lab.awaitListening("rs1", 2525, tmp.resolve("banner.log"));
            cleanCloseLeavesNothing(2525);
        } finally {
            banner.destroyForcibly();
        }
    }

    private void cleanCloseLeavesNothing(int port) {
        Lab.Result[] result = new Lab.Result[1];
        List<String> wire = lab.captureWhile("rs1", "tcp port " + port + " and host " + DIRECTOR_IP,
                () -> result[0] = lab.plugin(RUN, "-c", "eth0", RS1_IP, VIP, Integer.toString(port)));

        assertEquals(0, result[0].exitCode(), result[0].describe());
        assertTrue(result[0].stdout().contains(", closed cleanly |"), result[0].stdout());
        List<String> flags = Wire.flags(wire);
        assertFalse(flags.stream().anyMatch(f -> f.contains("R")), "no RST from anyone: " + wire);
        assertEquals(List.of("S", "S.", "."), flags.subList(0, 3), String.join("\n", wire));
        assertEquals(2, flags.stream().filter(f -> f.contains("F")).count(), "a FIN each way: " + wire);
        assertEquals(".", flags.getLast(), "our final ACK: " + wire);
        assertNoConnectionFromDirector("rs1", Duration.ZERO);
    }

    @Test
    void verboseTraceFollowsTheSeedsFormat() {
        Lab.Result result = lab.plugin(RUN, "-v", "-t", "700", "eth0", RS1_IP, VIP, "80");

        assertEquals(0, result.exitCode(), result.describe());
        List<String> trace = result.stderrLines();
        assertEquals("[PARAMS] iface: eth0, real_server: 198.51.100.42, virtual_ip: 198.51.100.100, port: 80,"
                + " role_file: none, timeout: 700ms, verbosity: 1", trace.getFirst());
        String dir = Pattern.quote("(" + lab.mac("dir") + ")");
        String rs = Pattern.quote("(" + lab.mac("rs1") + ")");
        String us = Pattern.quote(DIRECTOR_IP) + ":\\d+";
        String vip = Pattern.quote(VIP + ":80");
        List<String> expected = List.of(
                dir + " " + us + " > " + vip + " " + rs + " Flags \\[S\\], seq \\d+, ack 0",
                rs + " " + vip + " > " + us + " " + dir + " Flags \\[S\\.\\], seq \\d+, ack \\d+",
                dir + " " + us + " > " + vip + " " + rs + " Flags \\[\\.\\], seq \\d+, ack \\d+",
                dir + " " + us + " > " + vip + " " + rs + " Flags \\[R\\.\\], seq \\d+, ack \\d+");
        assertEquals(5, trace.size(), String.join("\n", trace));
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(trace.get(i + 1).matches(expected.get(i)), trace.get(i + 1) + " !~ " + expected.get(i));
        }
        assertTrue(result.stdout().startsWith("TCP_RAW OK"), "the status line stays on stdout");
    }

    @Test
    void doubleVerboseAddsArp() {
        Lab.Result result = lab.plugin(RUN, "-vv", "eth0", RS1_IP, VIP, "80");

        List<String> trace = result.stderrLines();
        assertEquals("(" + lab.mac("dir") + ") " + DIRECTOR_IP + " ARP request who has " + RS1_IP
                + " (ff:ff:ff:ff:ff:ff)", trace.get(1));
        assertEquals("(" + lab.mac("rs1") + ") " + RS1_IP + " ARP reply to " + DIRECTOR_IP + " ("
                + lab.mac("dir") + ")", trace.get(2));
    }

    @Test
    void compatModeKeepsTheSeedsExitCodes() {
        Lab.Result good = lab.plugin(RUN, "--compat", "eth0", RS1_IP, VIP, "80");
        Lab.Result bad = lab.plugin(RUN, "--compat", "-t", "300", "eth0", RS2_IP, VIP, "80");
        Lab.Result usage = lab.plugin(RUN, "--compat", "eth0", RS2_IP, VIP, "80x");

        assertEquals(0, good.exitCode(), good.describe());
        assertEquals("", good.stdout() + good.stderr());
        assertEquals(1, bad.exitCode(), bad.describe());
        assertEquals("", bad.stdout());
        assertTrue(bad.stderr().startsWith("check_tcp_raw: no SYN/ACK for VIP"), bad.stderr());
        assertEquals(1, bad.stderrLines().size());
        assertEquals(1, usage.exitCode(), usage.describe());
        assertTrue(usage.stderr().startsWith("check_tcp_raw: PORT \"80x\""), usage.stderr());
    }

    @Test
    void backupDirectorConnectsToTheRealServersOwnAddress() throws IOException {
        Path role = Files.writeString(tmp.resolve("lvs.role"), "0\n");

        Lab.Result result = lab.plugin(RUN, "-r", role.toString(), "eth0", RS2_IP, VIP, "80");

        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(result.stdout().matches("TCP_RAW OK - BACKUP role: connected to 198\\.51\\.100\\.43:80 in \\d+\\.\\d+ ms"
                + " \\| time=\\d\\.\\d{6}s;;;0;1\\.000000\\s*"), result.stdout());
        assertNoConnectionFromDirector("rs2", Duration.ZERO);
    }

    @Test
    void backupDirectorReportsARefusedPortWithinTheTimeout() throws IOException {
        Path role = Files.writeString(tmp.resolve("lvs.role"), "");

        Lab.Result refused = lab.plugin(RUN, "-r", role.toString(), "eth0", RS1_IP, VIP, "81");
        Lab.Result silent = lab.plugin(RUN, "-r", role.toString(), "-t", "400", "eth0", NO_HOST_IP, VIP, "80");

        assertEquals("TCP_RAW CRITICAL - BACKUP role: connection to 198.51.100.42:81 refused | time=U;;;0;1.000000",
                refused.stdout().strip());
        assertEquals(2, silent.exitCode(), silent.describe());
        assertTrue(silent.stdout().startsWith("TCP_RAW CRITICAL - BACKUP role: "), silent.stdout());
        assertTrue(silent.elapsed().toMillis() < 20_000, "bounded by the timeout, not the kernel's: " + silent.elapsed());
    }

    @Test
    void masterRoleFileRunsTheRawCheck() throws IOException {
        Path role = Files.writeString(tmp.resolve("lvs.role"), "1\n");

        Lab.Result result = lab.plugin(RUN, "-v", "-t", "300", "-r", role.toString(), "eth0", RS2_IP, VIP, "80");

        assertEquals(2, result.exitCode(), result.describe());
        assertTrue(result.stderr().contains("[ROLE] MASTER (first byte of " + role + ")"), result.stderr());
    }

    @Test
    void unusableEnvironmentIsUnknownInOneLine() {
        assertUnknown("interface \"eth9\" does not exist", "eth9", RS1_IP, VIP, "80");
        assertUnknown("interface \"lo\" is not Ethernet (link type 772), so frames cannot be addressed to the real"
                + " server's MAC", "lo", RS1_IP, VIP, "80");
        assertUnknown("role file /nonexistent/role does not exist", "-r", "/nonexistent/role", "eth0", RS1_IP, VIP, "80");
        assertUnknown("cannot resolve real server \"no-such-host.invalid\"", "eth0", "no-such-host.invalid", VIP, "80");
    }

    @Test
    void anInterfaceOutsideTheRealServersNetworkIsNamedWhenArpGoesUnanswered() {
        Lab.Result result = lab.plugin(RUN, "-t", "300", "eth1", RS1_IP, VIP, "80");

        assertEquals(2, result.exitCode(), result.describe());
        assertEquals("TCP_RAW CRITICAL - no ARP reply from 198.51.100.42 within 300 ms (ARP request sent 4 times)"
                + " (asked from 203.0.113.10, which is not in its network: is SOURCE_IFACE right?)"
                + " | time=U;;;0;0.300000 arp=U;;;0;0.300000", result.stdout().strip());
    }

    @Test
    void anEthernetInterfaceWithoutIpv4IsUnknown() {
        // A veth is Ethernet to the kernel (link type 1); this one carries no address.
        Lab.Result add = lab.exec("dir", RUN, "ip", "link", "add", "noip0", "type", "veth", "peer", "name", "noip1");
        assertEquals(0, add.exitCode(), add.describe());
        try {
            assertUnknown("interface \"noip0\" has no IPv4 address", "noip0", RS1_IP, VIP, "80");
        } finally {
            lab.exec("dir", RUN, "ip", "link", "del", "noip0");
        }
    }

    private void assertUnknown(String reason, String... args) {
        Lab.Result result = lab.plugin(RUN, args);
        assertEquals(3, result.exitCode(), result.describe());
        assertEquals("TCP_RAW UNKNOWN - " + reason, result.stdout().strip());
        assertEquals("", result.stderr(), "no stack trace");
    }
}
