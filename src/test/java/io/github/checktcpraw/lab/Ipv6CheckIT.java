package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.DIRECTOR_IP6;
import static io.github.checktcpraw.lab.Lab.NO_HOST_IP6;
import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP6;
import static io.github.checktcpraw.lab.Lab.RS2_IP6;
import static io.github.checktcpraw.lab.Lab.VIP;
import static io.github.checktcpraw.lab.Lab.VIP6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The raw check over IPv6, in the lab's documentation prefix: neighbour discovery for the real
 * server's MAC, then the same handshake and close as over IPv4, to the VIP6 through that MAC.
 *
 * <p>One difference from IPv4 decides what the director does with the replies: IPv6 has no martian
 * filter, so the director's kernel accepts the real server's SYN/ACK and answers it with a RST to
 * its source, the VIP6, which is its own address: that RST goes out on its loopback, never on the
 * wire, and the real server's connection lives on until our own close. This test watches the wire.
 */
class Ipv6CheckIT extends OneLabPerClass {

    private static final Duration RUN = Duration.ofSeconds(30);
    /** How long an expected frame may take to reach tcpdump (it normally takes microseconds). */
    private static final Duration FRAME = Duration.ofSeconds(10);
    private static final String DIRECTOR = "[" + DIRECTOR_IP6 + "]";

    @Test
    void goodRealServerIsOkWithNdpPerfdataAndLeavesNoConnection() {
        Lab.Result result = lab.plugin(RUN, "eth0", RS1_IP6, VIP6, "80");

        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(result.stdout().strip().matches("TCP_RAW OK - \\[2001:db8:1::100]:80 via 2001:db8:1::42 \\("
                + lab.mac("rs1") + "\\) answered in \\d+\\.\\d+ ms \\| time=\\d\\.\\d{6}s;;;0;1\\.000000"
                + " ndp=\\d\\.\\d{6}s;;;0;1\\.000000"), result.stdout());
        assertEquals("", result.stderr());
        assertNoConnectionFromDirector("rs1", DIRECTOR, Duration.ofSeconds(3));
    }

    @Test
    void realServerWithoutTheVip6IsCritical() {
        Lab.Result result = lab.plugin(RUN, "-t", "500", "eth0", RS2_IP6, VIP6, "80");

        assertEquals(2, result.exitCode(), result.describe());
        assertTrue(result.stdout().startsWith("TCP_RAW CRITICAL - no SYN/ACK for VIP [2001:db8:1::100]:80 from real"
                + " server 2001:db8:1::43 (" + lab.mac("rs2") + ") within 500 ms (SYN sent 2 times) (is the VIP on its"
                + " loopback?) | time=U;;;0;0.500000 ndp="), result.stdout());
    }

    @Test
    void anAddressNobodyHoldsGetsNoAdvertisementWithinTheTimeout() {
        Lab.Result result = lab.plugin(RUN, "-t", "300", "eth0", NO_HOST_IP6, VIP6, "80");

        assertEquals(2, result.exitCode(), result.describe());
        assertEquals("TCP_RAW CRITICAL - no neighbour advertisement from 2001:db8:1::44 within 300 ms (neighbour"
                + " solicitation sent 4 times) | time=U;;;0;0.300000 ndp=U;;;0;0.300000", result.stdout().strip());
        assertTrue(result.elapsed().compareTo(Duration.ofMillis(300)) >= 0, result.describe());
    }

    @Test
    void aClosedPortIsRefused() {
        Lab.Result result = lab.plugin(RUN, "eth0", RS1_IP6, VIP6, "81");

        assertEquals(2, result.exitCode(), result.describe());
        assertTrue(result.stdout().startsWith("TCP_RAW CRITICAL - connection refused (RST) for VIP [2001:db8:1::100]:81"
                + " by real server 2001:db8:1::42"), result.stdout());
    }

    @Test
    void hostNamesResolveToTheFamilyTheyHave() {
        Lab.Result v6 = lab.plugin(RUN, "eth0", "rs1-v6.lab.test", "vip-v6.lab.test", "80");
        Lab.Result dual = lab.plugin(RUN, "eth0", "rs1.lab.test", "vip.lab.test", "80");
        Lab.Result literalDecides = lab.plugin(RUN, "eth0", "rs1.lab.test", VIP6, "80");

        assertTrue(v6.stdout().startsWith("TCP_RAW OK - [" + VIP6 + "]:80 via " + RS1_IP6 + " ("), v6.describe());
        assertTrue(dual.stdout().startsWith("TCP_RAW OK - " + VIP + ":80 via " + RS1_IP + " ("),
                "IPv4 when both names have it: " + dual.describe());
        assertTrue(literalDecides.stdout().startsWith("TCP_RAW OK - [" + VIP6 + "]:80 via " + RS1_IP6 + " ("),
                literalDecides.describe());
    }

    @Test
    void mixedFamiliesAreUnknownInOneLine() {
        Lab.Result literals = lab.plugin(RUN, "eth0", RS1_IP, VIP6, "80");
        Lab.Result noAaaa = lab.plugin(RUN, "eth0", "rs1-v4.lab.test", VIP6, "80");

        assertEquals(3, literals.exitCode(), literals.describe());
        assertEquals("TCP_RAW UNKNOWN - REAL_SERVER 198.51.100.42 is IPv4 but VIRTUAL_IP 2001:db8:1::100 is IPv6:"
                + " both must be of one family", literals.stdout().strip());
        assertEquals(3, noAaaa.exitCode(), noAaaa.describe());
        assertEquals("TCP_RAW UNKNOWN - real server \"rs1-v4.lab.test\" has no IPv6 address", noAaaa.stdout().strip());
    }

    @Test
    void compatModeAnswersZeroOrOne() {
        Lab.Result good = lab.plugin(RUN, "--compat", "eth0", RS1_IP6, VIP6, "80");
        Lab.Result bad = lab.plugin(RUN, "--compat", "-t", "300", "eth0", RS2_IP6, VIP6, "80");

        assertEquals(0, good.exitCode(), good.describe());
        assertEquals("", good.stdout() + good.stderr());
        assertEquals(1, bad.exitCode(), bad.describe());
        assertTrue(bad.stderr().startsWith("check_tcp_raw: no SYN/ACK for VIP [2001:db8:1::100]:80"), bad.describe());
    }

    @Test
    void theVerboseTraceShowsNeighbourDiscoveryInTheFormOfTheArpLines() {
        Lab.Result result = lab.plugin(RUN, "-vv", "eth0", RS1_IP6, VIP6, "80");

        List<String> trace = result.stderrLines();
        String director = lab.mac("dir");
        String server = lab.mac("rs1");
        assertEquals("(" + director + ") 2001:db8:1::10 NDP solicitation who has 2001:db8:1::42 (33:33:ff:00:00:42)",
                trace.get(1), result.describe());
        assertEquals("(" + server + ") 2001:db8:1::42 NDP advertisement to 2001:db8:1::10 (" + director + ")",
                trace.get(2), result.describe());
        assertTrue(trace.get(3).matches("\\(" + director + "\\) \\[2001:db8:1::10]:\\d+ > \\[2001:db8:1::100]:80 \\("
                + server + "\\) Flags \\[S], seq \\d+, ack 0"), trace.get(3));
        assertTrue(trace.get(4).contains(" Flags [S.], "), trace.get(4));
    }

    @Test
    void aCleanCloseIsFinsOnlyOnTheWireWhileTheDirectorsOwnRstStaysOnItsLoopback() {
        long rstsBefore = tcpOutRsts();
        Lab.Result[] ran = new Lab.Result[1];
        List<String> loopback;
        List<String> wire;
        try (Lab.Capture onLoopback = lab.capture("dir", "lo", "ip6 and tcp port 8080")) {
            wire = lab.captureWhile("rs1", "ip6 and tcp port 8080",
                    () -> ran[0] = lab.plugin(RUN, "-c", "eth0", RS1_IP6, VIP6, "8080"));
            onLoopback.awaitLine(line -> Wire.flags(line).filter(f -> f.startsWith("R")).isPresent(), FRAME);
            loopback = onLoopback.stop();
        }

        Lab.Result result = ran[0];
        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(result.stdout().contains(", closed cleanly"), result.describe());
        List<String> flags = wire.stream().map(Wire::flags).flatMap(Optional::stream).toList();
        assertTrue(flags.stream().noneMatch(f -> f.contains("R")), "no RST on the real server's wire: " + wire);
        assertTrue(flags.stream().anyMatch(f -> f.contains("F")), "the close went out as FINs: " + wire);
        assertNoConnectionFromDirector("rs1", DIRECTOR, Duration.ofSeconds(3));
        assertTrue(tcpOutRsts() > rstsBefore, "the director's kernel answered the SYN/ACK with a RST");
        assertTrue(loopback.stream().anyMatch(l -> l.contains(DIRECTOR_IP6 + ".") && l.contains(VIP6 + ".8080")
                && Wire.flags(l).filter(f -> f.startsWith("R")).isPresent()), "... on its loopback: " + loopback);
    }

    /** The director's TCP OutRsts counter (IPv4 and IPv6 share it). */
    private static long tcpOutRsts() {
        Lab.Result snmp = lab.exec("dir", RUN, "cat", "/proc/net/snmp");
        List<String> tcp = snmp.stdout().lines().filter(l -> l.startsWith("Tcp:")).toList();
        List<String> names = List.of(tcp.get(0).split("\\s+"));
        return Long.parseLong(tcp.get(1).split("\\s+")[names.indexOf("OutRsts")]);
    }
}
