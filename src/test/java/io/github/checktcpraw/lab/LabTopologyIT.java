package io.github.checktcpraw.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Proves that lab/netns-lab builds the LVS-DR topology the plugin's lab tests rely on, and removes it. */
class LabTopologyIT extends OneLabPerClass {

    private static final Duration T = Duration.ofSeconds(5);

    /** Closes the class's lab itself (before {@link #closeLab()}, which finds it closed) to see it go. */
    @AfterAll
    static void closingTheLabRemovesItsNamespaces() {
        if (lab != null) {
            assertEquals(List.of(), lab.closeAndListLeftovers(), "namespaces left by " + lab.prefix());
        }
    }

    @Test
    void directorConnectsToBothRealServersOnPort80() {
        for (String rs : List.of(Lab.RS1_IP, Lab.RS2_IP)) {
            Lab.Result r = lab.tcpConnect("dir", rs, 80, T);
            assertEquals(0, r.exitCode(), rs + ":80 " + r.describe());
        }
    }

    @Test
    void nginxAnswersOn8080WhenInstalled() {
        if (!Files.isExecutable(Path.of("/usr/sbin/nginx"))) {
            return; // scripts/install-deps installs it; the lab works without
        }
        for (String rs : List.of(Lab.RS1_IP, Lab.RS2_IP)) {
            Lab.Result r = lab.tcpConnect("dir", rs, 8080, T);
            assertEquals(0, r.exitCode(), rs + ":8080 " + r.describe());
        }
        assertTrue(lab.sockets("rs1").stream().anyMatch(l -> l.startsWith("LISTEN") && l.contains(":8080 ")),
                () -> "no listener on :8080 in rs1: " + lab.sockets("rs1"));
    }

    @Test
    void port81OnTheGoodRealServerIsRefused() {
        Lab.Result r = lab.tcpConnect("dir", Lab.RS1_IP, 81, T);
        assertNotEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stderr().contains("Connection refused"), r.describe());
    }

    @Test
    void onlyTheGoodRealServerHasTheVipOnLo() {
        assertTrue(loAddresses("rs1").contains(Lab.VIP + "/32"), loAddresses("rs1"));
        assertFalse(loAddresses("rs2").contains(Lab.VIP), loAddresses("rs2"));
        assertTrue(loAddresses("dir").contains(Lab.VIP + "/32"), loAddresses("dir"));
    }

    @Test
    void goodRealServerNeitherAnswersNorAnnouncesArpForTheVip() {
        for (String conf : List.of("all", "eth0", "lo")) {
            assertEquals("1", sysctl("rs1", "net/ipv4/conf/" + conf + "/arp_ignore"), conf);
            assertEquals("2", sysctl("rs1", "net/ipv4/conf/" + conf + "/arp_announce"), conf);
        }
        assertEquals("0", sysctl("rs2", "net/ipv4/conf/all/arp_ignore"), "rs2 keeps the defaults");
    }

    @Test
    void ipv6IsOnWhereTheLabUsesItAndWithoutRouterAdvertisements() {
        for (String role : List.of("dir", "rs1", "rs2")) {
            assertEquals("0", sysctl(role, "net/ipv6/conf/all/disable_ipv6"), role);
            assertEquals("0", sysctl(role, "net/ipv6/conf/eth0/accept_ra"), role);
        }
        for (String role : List.of("cli", "sw")) {
            assertEquals("1", sysctl(role, "net/ipv6/conf/all/disable_ipv6"), role);
        }
        assertTrue(loAddresses("rs1").contains(Lab.VIP6 + "/128"), loAddresses("rs1"));
        assertTrue(loAddresses("dir").contains(Lab.VIP6 + "/128"), loAddresses("dir"));
        assertFalse(loAddresses("rs2").contains(Lab.VIP6), loAddresses("rs2"));
    }

    @Test
    void clientNamespaceReachesTheDirector() {
        // Nothing listens on the director: a refusal proves the RST came back over the second leg.
        Lab.Result r = lab.tcpConnect("cli", Lab.DIRECTOR_CLIENT_IP, 5666, T);
        assertTrue(r.stderr().contains("Connection refused"), r.describe());
    }

    @Test
    void macsAreDistinctEthernetAddresses() {
        List<String> macs = List.of(lab.mac("dir"), lab.mac("rs1"), lab.mac("rs2"), lab.mac("cli"));
        for (String mac : macs) {
            assertTrue(mac.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}"), mac);
        }
        assertEquals(macs.size(), Set.copyOf(macs).size(), macs.toString());
    }

    @Test
    void captureOnTheDirectorSeesTheHandshakeWithTheRealServersMac() {
        String rsMac = lab.mac("rs1");
        List<String> lines;
        try (Lab.Capture capture = lab.capture("dir", "eth0", "tcp port 80")) {
            assertEquals(0, lab.tcpConnect("dir", Lab.RS1_IP, 80, T).exitCode());
            assertTrue(capture.awaitLine(l -> l.contains("Flags [S.]"), T).isPresent(), capture::diagnostics);
            lines = capture.stop();
        }
        String syn = Lab.DIRECTOR_IP + ".";
        assertTrue(lines.stream().anyMatch(l -> l.contains(syn) && l.contains("> " + Lab.RS1_IP + ".80: Flags [S]")
                && l.contains("> " + rsMac)), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(rsMac) || l.contains(" " + rsMac + " >")),
                lines.toString());
    }

    @Test
    void execReportsExitCodeOutputAndKillsOnTimeout() {
        Lab.Result ok = lab.exec("rs2", T, "sh", "-c", "echo out; echo err >&2; exit 7");
        assertEquals(7, ok.exitCode());
        assertEquals("out\n", ok.stdout());
        assertEquals("err\n", ok.stderr());

        Lab.Result slow = lab.exec("rs2", Duration.ofMillis(300), "sleep", "30");
        assertTrue(slow.timedOut(), slow.describe());
        assertTrue(slow.elapsed().compareTo(Duration.ofSeconds(10)) < 0, slow.describe());
    }

    @Test
    void closeRemovesEveryNamespaceAndTheStateDirectory() {
        Lab other = Lab.up();
        String prefix = other.prefix();
        assertEquals(Lab.ROLES.size(), Lab.existingNamespaces(prefix).size());
        assertTrue(Files.isDirectory(other.stateDir()));
        other.close();
        other.close(); // idempotent
        assertEquals(List.of(), Lab.existingNamespaces(prefix));
        assertFalse(Files.exists(other.stateDir()));
        Lab.Result list = Lab.run(T, List.of("ip", "netns", "list"));
        assertFalse(list.stdout().lines().anyMatch(l -> l.startsWith(prefix)), list.stdout());
    }

    private static String loAddresses(String role) {
        return lab.exec(role, T, "ip", "-o", "addr", "show", "dev", "lo").stdout();
    }

    private static String sysctl(String role, String key) {
        Lab.Result r = lab.exec(role, T, "cat", "/proc/sys/" + key);
        assertEquals(0, r.exitCode(), r.describe());
        return r.stdout().trim();
    }
}
