package io.github.checktcpraw.check;

import static io.github.checktcpraw.check.SimulatedPeer.OUR_ISN;
import static io.github.checktcpraw.check.SimulatedPeer.SERVER_ISN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.packet.ArpPacket;
import io.github.checktcpraw.packet.MacAddress;
import io.github.checktcpraw.packet.Packet;
import io.github.checktcpraw.packet.TcpFlags;
import io.github.checktcpraw.packet.TcpSegment;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RawTcpCheckTest {

    private final SimulatedPeer peer = new SimulatedPeer();

    @Test
    void quickCloseSendsTheSeedsSequenceWithCorrectNumbers() throws IOException {
        Outcome outcome = peer.run(peer.plan(false, 1000));

        assertEquals(Outcome.Verdict.ANSWERED, outcome.verdict(), outcome.summary());
        assertEquals(List.of("ARP", "[S]", "[.]", "[R.]"), peer.sentFlags());
        TcpSegment syn = tcp(1);
        TcpSegment ack = tcp(2);
        TcpSegment rst = tcp(3);
        assertEquals(OUR_ISN, syn.sequence());
        assertEquals(SimulatedPeer.SERVER_MAC, syn.frameDestination(), "SYN goes to the real server's MAC");
        assertEquals(SimulatedPeer.VIP, syn.destinationIp(), "... with the VIP as destination IP");
        assertEquals(OUR_ISN + 1, ack.sequence());
        assertEquals(SERVER_ISN + 1, ack.acknowledgment(), "the C tool acked the server's ISN itself");
        assertEquals(OUR_ISN + 1, rst.sequence());
        assertEquals(SERVER_ISN + 1, rst.acknowledgment());
    }

    @Test
    void reportsHandshakeAndArpLatencyFromPacketTimestamps() throws IOException {
        Outcome outcome = peer.run(peer.plan(false, 1000));

        assertEquals(SimulatedPeer.LATENCY, outcome.handshakeNanos());
        assertEquals(SimulatedPeer.LATENCY, outcome.arpNanos());
        assertEquals("198.51.100.100:80 via 198.51.100.42 (02:00:00:00:00:42) answered in 0.30 ms",
                outcome.summary());
    }

    @Test
    void connectionRefusedIsAFailureNamingTheRst() throws IOException {
        peer.onSyn = SimulatedPeer.OnSyn.RST;

        Outcome outcome = peer.run(peer.plan(false, 1000));

        assertEquals(Outcome.Verdict.FAILED, outcome.verdict());
        assertTrue(outcome.summary().startsWith("connection refused (RST) for VIP 198.51.100.100:80 by real server"),
                outcome.summary());
        assertEquals(List.of("ARP", "[S]"), peer.sentFlags(), "nothing follows a refusal");
    }

    @Test
    void silenceAfterTheSynFailsAfterTheTimeoutWithRetransmissions() throws IOException {
        peer.onSyn = SimulatedPeer.OnSyn.SILENT;
        long start = peer.now();

        Outcome outcome = peer.run(peer.plan(false, 1000));

        assertEquals(Outcome.Verdict.FAILED, outcome.verdict());
        assertEquals("no SYN/ACK for VIP 198.51.100.100:80 from real server 198.51.100.42 (02:00:00:00:00:42)"
                + " within 1000 ms (SYN sent 3 times) (is the VIP on its loopback?)", outcome.summary());
        assertEquals(List.of("ARP", "[S]", "[S]", "[S]"), peer.sentFlags());
        long elapsed = peer.now() - start;
        assertTrue(elapsed >= 1_000_000_000L + SimulatedPeer.LATENCY && elapsed < 1_010_000_000L,
                "gives up one timeout after the SYN: " + elapsed);
    }

    @Test
    void noArpReplyFails() throws IOException {
        peer.answersArp = false;

        Outcome outcome = peer.run(peer.plan(false, 500));

        assertEquals(Outcome.Verdict.FAILED, outcome.verdict());
        assertEquals("no ARP reply from 198.51.100.42 within 500 ms (ARP request sent 4 times)", outcome.summary());
        assertEquals(Outcome.NOT_MEASURED, outcome.arpNanos());
    }

    @Test
    void lostRequestsAreRetransmittedWithinTheTimeout() throws IOException {
        peer.dropArp = 1;
        peer.dropSyn = 2;

        Outcome outcome = peer.run(peer.plan(false, 1000));

        assertEquals(Outcome.Verdict.ANSWERED, outcome.verdict(), outcome.summary());
        assertEquals(List.of("ARP", "ARP", "[S]", "[S]", "[S]", "[.]", "[R.]"), peer.sentFlags());
        assertEquals(750_000_000L + SimulatedPeer.LATENCY, outcome.handshakeNanos(),
                "latency counts from the first SYN, as a client would feel it");
        assertTrue(outcome.summary().endsWith("(SYN sent 3 times)"), outcome.summary());
    }

    @ParameterizedTest
    @EnumSource(value = SimulatedPeer.OnFin.class, names = {"ACK_THEN_FIN", "FIN_ACK_COMBINED", "FIN_THEN_ACK"})
    void cleanCloseCompletesWhicheverWayTheServerCloses(SimulatedPeer.OnFin onFin) throws IOException {
        peer.onFin = onFin;

        Outcome outcome = peer.run(peer.plan(true, 1000));

        assertEquals(Outcome.Verdict.ANSWERED, outcome.verdict(), outcome.summary());
        assertTrue(outcome.summary().endsWith(", closed cleanly"), outcome.summary());
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[.]"), peer.sentFlags());
        TcpSegment fin = tcp(3);
        TcpSegment lastAck = tcp(4);
        assertEquals(OUR_ISN + 1, fin.sequence());
        assertEquals(SERVER_ISN + 1, fin.acknowledgment());
        assertEquals(OUR_ISN + 2, lastAck.sequence());
        assertEquals(SERVER_ISN + 2, lastAck.acknowledgment(), "acknowledges the server's FIN");
    }

    @Test
    void cleanCloseAcknowledgesDataTheServerSentBeforeItsFin() throws IOException {
        peer.onFin = SimulatedPeer.OnFin.DATA_THEN_FIN;

        Outcome outcome = peer.run(peer.plan(true, 1000));

        assertEquals(Outcome.Verdict.ANSWERED, outcome.verdict(), outcome.summary());
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[.]", "[.]"), peer.sentFlags());
        assertEquals(SERVER_ISN + 1 + SimulatedPeer.DATA, tcp(4).acknowledgment(),
                "all the data, though the capture kept only its first bytes");
        assertEquals(SERVER_ISN + 1 + SimulatedPeer.DATA + 1, tcp(5).acknowledgment(), "the data and the FIN");
    }

    @Test
    void cleanCloseWithoutTheServersFinResetsTheConnectionAndSaysSo() throws IOException {
        peer.onFin = SimulatedPeer.OnFin.ACK_ONLY;

        Outcome outcome = peer.run(peer.plan(true, 500));

        assertEquals(Outcome.Verdict.ANSWERED_BADLY, outcome.verdict());
        assertTrue(outcome.summary().endsWith(", but did not finish the clean close within 500 ms (connection reset)"),
                outcome.summary());
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[R.]"), peer.sentFlags(),
                "our FIN was acknowledged: one RST at the server's next expected sequence");
        assertEquals(OUR_ISN + 2, tcp(4).sequence());
    }

    @Test
    void cleanCloseToASilentServerRetransmitsTheFinThenResetsBothWays() throws IOException {
        peer.onFin = SimulatedPeer.OnFin.SILENT;

        Outcome outcome = peer.run(peer.plan(true, 1000));

        assertEquals(Outcome.Verdict.ANSWERED_BADLY, outcome.verdict());
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[F.]", "[F.]", "[R.]", "[R.]"), peer.sentFlags());
        assertEquals(OUR_ISN + 1, tcp(6).sequence(), "in case the server never got our FIN");
        assertEquals(OUR_ISN + 2, tcp(7).sequence(), "in case it did");
    }

    @Test
    void lostFinIsRetransmitted() throws IOException {
        peer.dropFin = 1;

        Outcome outcome = peer.run(peer.plan(true, 1000));

        assertEquals(Outcome.Verdict.ANSWERED, outcome.verdict(), outcome.summary());
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[F.]", "[.]"), peer.sentFlags());
    }

    @Test
    void serverResetDuringCleanCloseStillMeansItAnswered() throws IOException {
        peer.onFin = SimulatedPeer.OnFin.RST;

        Outcome outcome = peer.run(peer.plan(true, 1000));

        assertEquals(Outcome.Verdict.ANSWERED, outcome.verdict());
        assertTrue(outcome.summary().endsWith(", reset by the server while closing"), outcome.summary());
    }

    @Test
    void repliesThatAreNotOursAreIgnored() throws IOException {
        peer.noise = in -> List.of(
                SimulatedPeer.reply(in, TcpFlags.SYN | TcpFlags.ACK, 1, in.sequence() + 2),   // wrong ack
                SimulatedPeer.reply(in, TcpFlags.RST | TcpFlags.ACK, 0, in.sequence() + 7),   // blind RST
                from(SimulatedPeer.STRANGER_MAC, SimulatedPeer.reply(in, TcpFlags.RST | TcpFlags.ACK, 0,
                        in.sequence() + 1)),                                                    // another host
                withPorts(SimulatedPeer.reply(in, TcpFlags.SYN | TcpFlags.ACK, 1, in.sequence() + 1), 81,
                        in.sourcePort()),                                                       // another port
                withPorts(SimulatedPeer.reply(in, TcpFlags.RST | TcpFlags.ACK, 0, in.sequence() + 1), 80,
                        in.sourcePort() + 1),                                                   // another check
                new Packet.Undecoded("garbage"));

        Outcome outcome = peer.run(peer.plan(false, 1000));

        assertEquals(Outcome.Verdict.ANSWERED, outcome.verdict(), outcome.summary());
        assertEquals(SERVER_ISN + 1, tcp(2).acknowledgment());
    }

    @Test
    void arpRepliesFromOtherHostsOrForOthersAreIgnored() throws IOException {
        peer.answersArp = false;
        peer.deliver(1000, new ArpPacket(SimulatedPeer.STRANGER_MAC, SimulatedPeer.DIRECTOR_MAC, ArpPacket.REPLY,
                SimulatedPeer.STRANGER_MAC, SimulatedPeer.VIP, SimulatedPeer.DIRECTOR_MAC, SimulatedPeer.DIRECTOR_IP));
        peer.deliver(2000, new ArpPacket(SimulatedPeer.SERVER_MAC, MacAddress.BROADCAST, ArpPacket.REPLY,
                SimulatedPeer.SERVER_MAC, SimulatedPeer.SERVER_IP, MacAddress.BROADCAST, SimulatedPeer.SERVER_IP));

        Outcome outcome = peer.run(peer.plan(false, 300));

        assertEquals(Outcome.Verdict.FAILED, outcome.verdict(), outcome.summary());
        assertFalse(peer.sentFlags().contains("[S]"));
    }

    @Test
    void zeroTimeoutWaitsAsLongAsItTakes() throws IOException {
        peer.dropSyn = 6;

        Outcome outcome = peer.run(peer.plan(false, 0));

        assertEquals(Outcome.Verdict.ANSWERED, outcome.verdict(), outcome.summary());
        assertEquals(7, peer.sentFlags().stream().filter("[S]"::equals).count());
    }

    private TcpSegment tcp(int index) {
        return (TcpSegment) peer.sent().get(index);
    }

    private static TcpSegment from(MacAddress mac, TcpSegment s) {
        return new TcpSegment(mac, s.frameDestination(), s.sourceIp(), s.destinationIp(), s.sourcePort(),
                s.destinationPort(), s.sequence(), s.acknowledgment(), s.flags(), s.payloadLength());
    }

    private static TcpSegment withPorts(TcpSegment s, int sourcePort, int destinationPort) {
        return new TcpSegment(s.frameSource(), s.frameDestination(), s.sourceIp(), s.destinationIp(), sourcePort,
                destinationPort, s.sequence(), s.acknowledgment(), s.flags(), s.payloadLength());
    }

    @Test
    void anAbandonedCheckResetsWhateverTheServerMayHold() {
        RawTcpCheck check = new RawTcpCheck(peer.plan(true, 1000));
        assertEquals(List.of(), check.resetsIfAbandoned(), "nothing sent yet");

        check.start(0);
        assertEquals(List.of(), check.resetsIfAbandoned(), "an ARP request leaves nothing on the server");

        TcpSegment syn = (TcpSegment) check.onPacket(new ArpPacket(SimulatedPeer.SERVER_MAC, SimulatedPeer.DIRECTOR_MAC,
                ArpPacket.REPLY, SimulatedPeer.SERVER_MAC, SimulatedPeer.SERVER_IP, SimulatedPeer.DIRECTOR_MAC,
                SimulatedPeer.DIRECTOR_IP), 10, 10).toSend().getFirst();
        TcpSegment synReceivedReset = (TcpSegment) check.resetsIfAbandoned().getFirst();
        assertEquals("[R]", TcpFlags.format(synReceivedReset.flags()));
        assertEquals(OUR_ISN + 1, synReceivedReset.sequence(), "clears the server's SYN-RECEIVED state");

        check.onPacket(SimulatedPeer.reply(syn, TcpFlags.SYN | TcpFlags.ACK, SERVER_ISN, OUR_ISN + 1), 20, 20);
        assertEquals(List.of(OUR_ISN + 1, OUR_ISN + 2), check.resetsIfAbandoned().stream()
                .map(p -> ((TcpSegment) p).sequence()).toList(), "while closing: before and after our FIN");
    }

    private static ArpPacket arpReply() {
        return new ArpPacket(SimulatedPeer.SERVER_MAC, SimulatedPeer.DIRECTOR_MAC, ArpPacket.REPLY,
                SimulatedPeer.SERVER_MAC, SimulatedPeer.SERVER_IP, SimulatedPeer.DIRECTOR_MAC, SimulatedPeer.DIRECTOR_IP);
    }

    @Test
    void anArpReplyCapturedBeforeOurRequestBelongsToSomeoneElse() {
        RawTcpCheck check = new RawTcpCheck(peer.plan(false, 1000));
        check.start(1_000);

        CheckStep step = check.onPacket(arpReply(), 900, 1_100);

        assertEquals("ARP reply captured before our request", step.ignoredBecause());
        assertEquals(List.of(), step.toSend(), "no SYN on another check's reply");
    }

    @Test
    void aReplyCapturedAfterTheDeadlineIsTooLateWheneverItIsRead() {
        RawTcpCheck check = new RawTcpCheck(peer.plan(false, 500));
        check.start(0);

        check.onPacket(arpReply(), 500_000_001L, 500_000_002L);

        assertTrue(check.done());
        assertEquals(Outcome.Verdict.FAILED, check.outcome().verdict());
    }

    @Test
    void aReplyQueuedBeforeTheDeadlineCountsEvenIfReadAfterIt() {
        RawTcpCheck check = new RawTcpCheck(peer.plan(false, 500));
        check.start(0);

        CheckStep step = check.onPacket(arpReply(), 499_000_000L, 700_000_000L);

        assertFalse(check.done());
        assertEquals("[S]", TcpFlags.format(((TcpSegment) step.toSend().getFirst()).flags()));
    }

    @Test
    void tcpRepeatsKeepClearOfLinuxsRateLimitOnDuplicateSegments() {
        RetransmitSchedule tcp = RetransmitSchedule.forTcp(1_000_000_000L);
        RetransmitSchedule arp = RetransmitSchedule.forArp(1_000_000_000L);

        assertEquals(List.of(200_000_000L, 550_000_000L, 800_000_000L),
                List.of(tcp.intervalAfter(1), tcp.intervalAfter(2), tcp.intervalAfter(3)));
        assertEquals(List.of(200_000_000L, 200_000_000L, 200_000_000L),
                List.of(arp.intervalAfter(1), arp.intervalAfter(2), arp.intervalAfter(3)), "ARP: a steady pace");
        assertEquals(3_000_000_000L, RetransmitSchedule.forArp(0).intervalAfter(30), "but backs off with no timeout");
        assertEquals(3_000_000_000L, tcp.intervalAfter(30), "capped, even with no timeout");
    }
}
