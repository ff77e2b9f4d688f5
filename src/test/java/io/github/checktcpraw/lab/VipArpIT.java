package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP6;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static io.github.checktcpraw.lab.Lab.VIP6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --vip-arp}: the LVS-DR ARP problem. A real server that carries the VIP and answers ARP for
 * it (arp_ignore not 1) draws the VIP's traffic away from the director while every check passes;
 * asked directly, at its MAC alone, it gives itself away. The good real server of the lab passes
 * with arp_ignore=1 and is reported with arp_ignore=0; over IPv6, with the VIP6 on its interface.
 */
class VipArpIT extends OneLabPerClass {

    private static final Duration RUN = Duration.ofSeconds(30);
    private static final Duration QUICK = Duration.ofSeconds(10);

    @Test
    void aRealServerThatIgnoresArpForTheVipPassesAndOnlyItIsAsked() {
        Lab.Result[] ran = new Lab.Result[1];
        List<String> atRs2 = lab.captureWhile("rs2", "arp host " + VIP,
                () -> ran[0] = lab.plugin(RUN, "-vv", "--vip-arp", "eth0", RS1_IP, VIP, "80"));

        Lab.Result result = ran[0];
        assertEquals(0, result.exitCode(), result.describe());
        assertTrue(result.stdout().startsWith("TCP_RAW OK - " + VIP + ":80 via " + RS1_IP), result.describe());
        assertTrue(result.stderrLines().contains("(" + lab.mac("dir") + ") " + Lab.DIRECTOR_IP + " ARP request who has "
                + VIP + " (" + lab.mac("rs1") + ")"), "the probe, traced like the other ARP lines: " + result.describe());
        assertEquals(List.of(), atRs2, "unicast: no other host is asked");
    }

    @Test
    void aRealServerThatAnswersArpForTheVipIsCriticalAndTheDirectorsCacheIsLeftAlone() {
        try {
            setArpIgnore("0");
            Lab.Result result = lab.plugin(RUN, "--vip-arp", "eth0", RS1_IP, VIP, "80");
            Lab.Result compat = lab.plugin(RUN, "--compat", "--vip-arp", "eth0", RS1_IP, VIP, "80");
            Lab.Result without = lab.plugin(RUN, "eth0", RS1_IP, VIP, "80");

            assertEquals(2, result.exitCode(), result.describe());
            assertTrue(result.stdout().startsWith("TCP_RAW CRITICAL - real server " + RS1_IP + " (" + lab.mac("rs1")
                    + ") answers ARP for VIP " + VIP + " - set arp_ignore=1 and arp_announce=2 on it | time=0."),
                    "the check's own measurements stay in perfdata: " + result.describe());
            assertEquals(1, compat.exitCode(), compat.describe());
            assertTrue(compat.stderr().startsWith("check_tcp_raw: real server " + RS1_IP), compat.describe());
            assertEquals(0, without.exitCode(), "without --vip-arp the problem goes unseen: " + without.describe());
            assertEquals("", lab.exec("dir", QUICK, "ip", "neigh", "show", VIP).stdout().strip(),
                    "the real server's answer for the VIP did not enter the director's ARP cache");
        } finally {
            setArpIgnore("1");
        }
    }

    @Test
    void aRealServerWithoutTheVipPassesTheArpPart() {
        Lab.Result result = lab.plugin(RUN, "-t", "300", "--vip-arp", "eth0", RS2_IP, VIP, "80");

        assertEquals(2, result.exitCode(), result.describe());
        assertTrue(result.stdout().startsWith("TCP_RAW CRITICAL - no SYN/ACK for VIP"), result.describe());
    }

    @Test
    void overIpv6ARealServerWithTheVip6OnItsInterfaceIsCritical() {
        Lab.Result healthy = lab.plugin(RUN, "--vip-arp", "eth0", RS1_IP6, VIP6, "80");
        assertEquals(0, healthy.exitCode(), "the VIP6 on lo only is not announced on eth0: " + healthy.describe());
        try {
            mustRun("rs1", "ip", "-6", "addr", "add", VIP6 + "/128", "dev", "eth0", "nodad");
            Lab.Result result = lab.plugin(RUN, "--vip-arp", "eth0", RS1_IP6, VIP6, "80");

            assertEquals(2, result.exitCode(), result.describe());
            assertTrue(result.stdout().startsWith("TCP_RAW CRITICAL - real server " + RS1_IP6 + " (" + lab.mac("rs1")
                    + ") answers neighbour solicitations for VIP " + VIP6 + " - "), result.describe());
            assertTrue(lab.exec("dir", QUICK, "ip", "-6", "neigh", "show", VIP6).stdout().isBlank(),
                    "the director's neighbour cache is left alone");
        } finally {
            mustRun("rs1", "ip", "-6", "addr", "del", VIP6 + "/128", "dev", "eth0");
        }
    }

    private static void setArpIgnore(String value) {
        for (String conf : List.of("all", "eth0", "lo")) {
            mustRun("rs1", "sh", "-c", "echo " + value + " > /proc/sys/net/ipv4/conf/" + conf + "/arp_ignore");
        }
    }

    private static void mustRun(String role, String... command) {
        Lab.Result r = lab.exec(role, QUICK, command);
        assertEquals(0, r.exitCode(), r.describe());
    }
}
