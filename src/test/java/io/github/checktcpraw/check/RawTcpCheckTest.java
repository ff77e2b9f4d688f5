package io.github.checktcpraw.check;

import static io.github.checktcpraw.check.SimulatedPeer.OUR_ISN;
import static io.github.checktcpraw.check.SimulatedPeer.SERVER_ISN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.output.OutcomeText;
import io.github.checktcpraw.packet.ArpPacket;
import io.github.checktcpraw.packet.MacAddress;
import io.github.checktcpraw.packet.NeighborPacket;
import io.github.checktcpraw.packet.Packet;
import io.github.checktcpraw.packet.TcpFlags;
import io.github.checktcpraw.packet.TcpSegment;
import io.github.checktcpraw.shell.CheckRunner;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The state machine against a simulated real server, driven by the shell's runner on simulated time. */
class RawTcpCheckTest {

    private final SimulatedPeer peer = new SimulatedPeer();

    private Outcome run(RawCheckPlan plan) throws IOException {
        return new CheckRunner(new RawTcpCheck(plan), peer, peer, PacketTrace.NONE).run();
    }

    private static String text(Outcome outcome) {
        return OutcomeText.of(outcome);
    }

    private static Outcome.Answered answered(Outcome outcome) {
        assertTrue(outcome instanceof Outcome.Answered, text(outcome));
        return (Outcome.Answered) outcome;
    }

    @Test
    void quickCloseSendsTheSeedsSequenceWithCorrectNumbers() throws IOException {
        Outcome outcome = run(peer.plan(false, 1000));

        assertEquals(Outcome.Close.QUICK, answered(outcome).close());
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
        Outcome outcome = run(peer.plan(false, 1000));

        assertEquals(SimulatedPeer.LATENCY, answered(outcome).handshakeNanos());
        assertEquals(SimulatedPeer.LATENCY, answered(outcome).resolutionNanos());
        assertEquals("198.51.100.100:80 via 198.51.100.42 (02:00:00:00:00:42) answered in 0.30 ms", text(outcome));
    }

    @Test
    void connectionRefusedIsAFailureNamingTheRst() throws IOException {
        peer.onSyn = SimulatedPeer.OnSyn.RST;

        Outcome outcome = run(peer.plan(false, 1000));

        assertEquals(new Outcome.Refused(SimulatedPeer.TARGET, SimulatedPeer.SERVER_MAC, SimulatedPeer.LATENCY), outcome);
        assertTrue(text(outcome).startsWith("connection refused (RST) for VIP 198.51.100.100:80 by real server"),
                text(outcome));
        assertEquals(List.of("ARP", "[S]"), peer.sentFlags(), "nothing follows a refusal");
    }

    @Test
    void silenceAfterTheSynFailsAfterTheTimeoutWithRetransmissions() throws IOException {
        peer.onSyn = SimulatedPeer.OnSyn.SILENT;
        long start = peer.now();

        Outcome outcome = run(peer.plan(false, 1000));

        assertTrue(outcome instanceof Outcome.NoSynAck, text(outcome));
        assertEquals("no SYN/ACK for VIP 198.51.100.100:80 from real server 198.51.100.42 (02:00:00:00:00:42)"
                + " within 1000 ms (SYN sent 3 times) (is the VIP on its loopback?)", text(outcome));
        assertEquals(List.of("ARP", "[S]", "[S]", "[S]"), peer.sentFlags());
        long elapsed = peer.now() - start;
        assertTrue(elapsed >= 1_000_000_000L + SimulatedPeer.LATENCY && elapsed < 1_010_000_000L,
                "gives up one timeout after the SYN: " + elapsed);
    }

    @Test
    void noArpReplyFails() throws IOException {
        peer.answersArp = false;

        Outcome outcome = run(peer.plan(false, 500));

        assertTrue(outcome instanceof Outcome.Unresolved, text(outcome));
        assertEquals("no ARP reply from 198.51.100.42 within 500 ms (ARP request sent 4 times)", text(outcome));
    }

    @Test
    void lostRequestsAreRetransmittedWithinTheTimeout() throws IOException {
        peer.dropArp = 1;
        peer.dropSyn = 2;

        Outcome outcome = run(peer.plan(false, 1000));

        assertEquals(List.of("ARP", "ARP", "[S]", "[S]", "[S]", "[.]", "[R.]"), peer.sentFlags());
        assertEquals(750_000_000L + SimulatedPeer.LATENCY, answered(outcome).handshakeNanos(),
                "latency counts from the first SYN, as a client would feel it");
        assertTrue(text(outcome).endsWith("(SYN sent 3 times)"), text(outcome));
    }

    @ParameterizedTest
    @EnumSource(value = SimulatedPeer.OnFin.class, names = {"ACK_THEN_FIN", "FIN_ACK_COMBINED", "FIN_THEN_ACK"})
    void cleanCloseCompletesWhicheverWayTheServerCloses(SimulatedPeer.OnFin onFin) throws IOException {
        peer.onFin = onFin;

        Outcome outcome = run(peer.plan(true, 1000));

        assertEquals(Outcome.Close.CLEAN, answered(outcome).close());
        assertTrue(text(outcome).endsWith(", closed cleanly"), text(outcome));
        if (onFin == SimulatedPeer.OnFin.FIN_THEN_ACK) {
            // Its FIN did not acknowledge ours: it closed first, and a RST after the FIN releases its TIME-WAIT.
            assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[.]", "[R.]"), peer.sentFlags());
            assertEquals(OUR_ISN + 2, tcp(5).sequence(), "exactly where its TIME-WAIT expects our next byte");
        } else {
            assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[.]"), peer.sentFlags());
        }
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

        Outcome outcome = run(peer.plan(true, 1000));

        answered(outcome);
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[.]", "[.]"), peer.sentFlags());
        assertEquals(SERVER_ISN + 1 + SimulatedPeer.DATA, tcp(4).acknowledgment(),
                "all the data, though the capture kept only its first bytes");
        assertEquals(SERVER_ISN + 1 + SimulatedPeer.DATA + 1, tcp(5).acknowledgment(), "the data and the FIN");
    }

    @Test
    void cleanCloseWithoutTheServersFinResetsTheConnectionAndSaysSo() throws IOException {
        peer.onFin = SimulatedPeer.OnFin.ACK_ONLY;

        Outcome outcome = run(peer.plan(true, 500));

        assertEquals(Outcome.Close.UNFINISHED, answered(outcome).close());
        assertTrue(text(outcome).endsWith(", but did not finish the clean close within 500 ms (connection reset)"),
                text(outcome));
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[R.]"), peer.sentFlags(),
                "our FIN was acknowledged: one RST at the server's next expected sequence");
        assertEquals(OUR_ISN + 2, tcp(4).sequence());
    }

    @Test
    void cleanCloseToASilentServerRetransmitsTheFinThenResetsBothWays() throws IOException {
        peer.onFin = SimulatedPeer.OnFin.SILENT;

        Outcome outcome = run(peer.plan(true, 1000));

        assertEquals(Outcome.Close.UNFINISHED, answered(outcome).close());
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[F.]", "[F.]", "[R.]", "[R.]"), peer.sentFlags());
        assertEquals(OUR_ISN + 1, tcp(6).sequence(), "in case the server never got our FIN");
        assertEquals(OUR_ISN + 2, tcp(7).sequence(), "in case it did");
    }

    @Test
    void lostFinIsRetransmitted() throws IOException {
        peer.dropFin = 1;

        Outcome outcome = run(peer.plan(true, 1000));

        answered(outcome);
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[F.]", "[.]"), peer.sentFlags());
    }

    @Test
    void serverResetDuringCleanCloseStillMeansItAnswered() throws IOException {
        peer.onFin = SimulatedPeer.OnFin.RST;

        Outcome outcome = run(peer.plan(true, 1000));

        assertEquals(Outcome.Close.RESET_BY_SERVER, answered(outcome).close());
        assertTrue(text(outcome).endsWith(", reset by the server while closing"), text(outcome));
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

        Outcome outcome = run(peer.plan(false, 1000));

        answered(outcome);
        assertEquals(SERVER_ISN + 1, tcp(2).acknowledgment());
    }

    @Test
    void arpRepliesFromOtherHostsOrForOthersAreIgnored() throws IOException {
        peer.answersArp = false;
        peer.deliver(1000, new ArpPacket(SimulatedPeer.STRANGER_MAC, SimulatedPeer.DIRECTOR_MAC, ArpPacket.REPLY,
                SimulatedPeer.STRANGER_MAC, SimulatedPeer.VIP, SimulatedPeer.DIRECTOR_MAC, SimulatedPeer.DIRECTOR_IP));
        peer.deliver(2000, new ArpPacket(SimulatedPeer.SERVER_MAC, MacAddress.BROADCAST, ArpPacket.REPLY,
                SimulatedPeer.SERVER_MAC, SimulatedPeer.SERVER_IP, MacAddress.BROADCAST, SimulatedPeer.SERVER_IP));

        Outcome outcome = run(peer.plan(false, 300));

        assertTrue(outcome instanceof Outcome.Unresolved, text(outcome));
        assertFalse(peer.sentFlags().contains("[S]"));
    }

    @Test
    void zeroTimeoutWaitsAsLongAsItTakes() throws IOException {
        peer.dropSyn = 6;

        Outcome outcome = run(peer.plan(false, 0));

        answered(outcome);
        assertEquals(7, peer.sentFlags().stream().filter("[S]"::equals).count());
    }

    private TcpSegment tcp(int index) {
        return (TcpSegment) peer.sent().get(index);
    }

    private static TcpSegment from(MacAddress mac, TcpSegment s) {
        return new TcpSegment(mac, s.frameDestination(), s.sourceIp(), s.destinationIp(), s.sourcePort(),
                s.destinationPort(), s.sequence(), s.acknowledgment(), s.flags(), s.window(), s.maxSegment(),
                s.timestamps(), s.payloadLength(), s.payload());
    }

    private static TcpSegment withPorts(TcpSegment s, int sourcePort, int destinationPort) {
        return new TcpSegment(s.frameSource(), s.frameDestination(), s.sourceIp(), s.destinationIp(), sourcePort,
                destinationPort, s.sequence(), s.acknowledgment(), s.flags(), s.window(), s.maxSegment(), s.timestamps(),
                s.payloadLength(), s.payload());
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
        assertTrue(check.outcome() instanceof Outcome.Unresolved, text(check.outcome()));
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

    @Test
    void aRstWithoutAckInSynSentIsIgnored() throws IOException {
        peer.noise = in -> in.has(TcpFlags.SYN) ? List.of(SimulatedPeer.reply(in, TcpFlags.RST, in.sequence() + 1, 0))
                : List.of();

        Outcome outcome = run(peer.plan(false, 1000));

        assertEquals(Outcome.Close.QUICK, answered(outcome).close(), "RFC 9293: only a RST that acknowledges our SYN");
    }

    @Test
    void aDuplicateSynAckWhileClosingIsIgnoredAndTheCloseCompletes() throws IOException {
        peer.noise = in -> in.has(TcpFlags.FIN)
                ? List.of(SimulatedPeer.reply(in, TcpFlags.SYN | TcpFlags.ACK, SERVER_ISN, OUR_ISN + 1)) : List.of();
        List<String> ignored = new java.util.ArrayList<>();

        Outcome outcome = new CheckRunner(new RawTcpCheck(peer.plan(true, 1000)), peer, peer, ignoring(ignored)).run();

        assertEquals(Outcome.Close.CLEAN, answered(outcome).close());
        assertEquals(List.of("SYN/ACK again: our ACK was lost, our FIN will be retransmitted"), ignored);
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[.]"), peer.sentFlags());
    }

    @Test
    void aDuplicateSynAckAfterAQuickCloseFindsTheCheckOver() {
        RawTcpCheck check = new RawTcpCheck(peer.plan(false, 1000));
        check.start(0);
        TcpSegment syn = (TcpSegment) check.onPacket(arpReply(), 10, 10).toSend().getFirst();
        Packet synAck = SimulatedPeer.reply(syn, TcpFlags.SYN | TcpFlags.ACK, SERVER_ISN, OUR_ISN + 1);
        check.onPacket(synAck, 20, 20);

        CheckStep again = check.onPacket(synAck, 30, 30);

        assertEquals("the check is over", again.ignoredBecause());
        assertEquals(List.of(), again.toSend());
    }

    @Test
    void aRstWithTheWrongSequenceWhileClosingIsIgnored() throws IOException {
        peer.noise = in -> in.has(TcpFlags.FIN)
                ? List.of(SimulatedPeer.reply(in, TcpFlags.RST, SERVER_ISN + 1000, 0)) : List.of();
        List<String> ignored = new java.util.ArrayList<>();

        Outcome outcome = new CheckRunner(new RawTcpCheck(peer.plan(true, 1000)), peer, peer, ignoring(ignored)).run();

        assertEquals(Outcome.Close.CLEAN, answered(outcome).close(), "RFC 5961: a blind RST does not end it");
        assertTrue(ignored.getFirst().startsWith("RST with sequence"), ignored.toString());
    }

    @Test
    void outOfOrderDataWhileClosingIsAnsweredWithADuplicateAckOnly() throws IOException {
        peer.noise = in -> in.has(TcpFlags.FIN)
                ? List.of(withPayload(SimulatedPeer.reply(in, TcpFlags.PSH | TcpFlags.ACK, SERVER_ISN + 500, OUR_ISN + 1), 10))
                : List.of();
        List<String> ignored = new java.util.ArrayList<>();

        Outcome outcome = new CheckRunner(new RawTcpCheck(peer.plan(true, 1000)), peer, peer, ignoring(ignored)).run();

        assertEquals(Outcome.Close.CLEAN, answered(outcome).close());
        assertTrue(ignored.getFirst().startsWith("out of order"), ignored.toString());
        assertEquals(List.of("ARP", "[S]", "[.]", "[F.]", "[.]", "[.]"), peer.sentFlags());
        assertEquals(SERVER_ISN + 1, tcp(4).acknowledgment(), "a duplicate ACK: all it had before the gap");
        assertEquals(SERVER_ISN + 2, tcp(5).acknowledgment(), "only the in-order FIN is acknowledged");
    }

    @Test
    void theOverallBoundEndsTheCheckBeforeThePerReplyTimeoutWould() throws IOException {
        peer.onSyn = SimulatedPeer.OnSyn.SILENT;
        long start = peer.now();

        Outcome outcome = run(peer.plan(false, 1000, 600));

        assertEquals("no SYN/ACK for VIP 198.51.100.100:80 from real server 198.51.100.42 (02:00:00:00:00:42)"
                + " within the check's overall bound of 600 ms (SYN sent 2 times) (is the VIP on its loopback?)",
                text(outcome));
        assertEquals(600_000_000L, peer.now() - start, "ends at the overall deadline, to the nanosecond");
    }

    @Test
    void theOverallBoundAlsoEndsACheckWithoutPerReplyTimeout() throws IOException {
        peer.answersArp = false;

        Outcome outcome = run(peer.plan(false, 0, 2000));

        assertEquals("no ARP reply from 198.51.100.42 within the check's overall bound of 2000 ms"
                + " (ARP request sent 4 times)", text(outcome), "at 0, 200, 600 and 1400 ms: backing off, with no -t");
    }

    @Test
    void anUnfinishedCleanCloseAtTheOverallBoundSaysSo() throws IOException {
        peer.onFin = SimulatedPeer.OnFin.SILENT;

        Outcome outcome = run(peer.plan(true, 1000, 500));

        assertTrue(text(outcome).endsWith(", but did not finish the clean close within the check's overall bound of"
                + " 500 ms (connection reset)"), text(outcome));
    }

    @Test
    void aWallClockSetBackDuringTheCheckChangesNoLatency() throws IOException {
        peer.wallClockStepAt = peer.now() + SimulatedPeer.LATENCY / 2; // after our ARP request, before its reply
        peer.wallClockStep = -3_600_000_000_000L;

        Outcome outcome = run(peer.plan(false, 1000));

        assertEquals(SimulatedPeer.LATENCY, answered(outcome).resolutionNanos(), text(outcome));
        assertEquals(SimulatedPeer.LATENCY, answered(outcome).handshakeNanos());
    }

    @Test
    void aWallClockSetForwardDuringTheCheckChangesNoLatency() throws IOException {
        peer.wallClockStepAt = peer.now() + SimulatedPeer.LATENCY + SimulatedPeer.LATENCY / 2; // after the SYN
        peer.wallClockStep = 3_600_000_000_000L;

        Outcome outcome = run(peer.plan(false, 1000));

        assertEquals(SimulatedPeer.LATENCY, answered(outcome).handshakeNanos(), text(outcome));
    }

    @Test
    void nothingIsSentAfterAnInterruptionButItsResets() throws IOException {
        RawTcpCheck check = new RawTcpCheck(peer.plan(false, 1000));
        CheckRunner runner = new CheckRunner(check, peer, peer, PacketTrace.NONE);
        peer.onSend = packet -> {
            if (packet instanceof TcpSegment segment && segment.has(TcpFlags.SYN)) {
                try {
                    runner.interrupt(); // as a signal's shutdown hook would, right after the SYN left
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };

        Outcome outcome = runner.run();

        assertEquals(new Outcome.Interrupted(true, null), outcome);
        assertEquals(List.of("ARP", "[S]", "[R]"), peer.sentFlags(), "the SYN/ACK that follows gets no ACK");
    }

    private static PacketTrace ignoring(List<String> ignored) {
        return new IgnoredReasons(ignored);
    }

    private static TcpSegment withPayload(TcpSegment s, int length) {
        return new TcpSegment(s.frameSource(), s.frameDestination(), s.sourceIp(), s.destinationIp(), s.sourcePort(),
                s.destinationPort(), s.sequence(), s.acknowledgment(), s.flags(), s.window(), new byte[length]);
    }

    @Test
    void overIpv6NeighbourDiscoveryThenTheSameHandshake() throws IOException {
        Outcome outcome = run(peer.plan6(false, 1000));

        assertEquals("[2001:db8:1::100]:80 via 2001:db8:1::42 (02:00:00:00:00:42) answered in 0.30 ms", text(outcome));
        assertEquals(List.of("ARP", "[S]", "[.]", "[R.]"), peer.sentFlags());
        assertEquals(NeighborPacket.SOLICITATION, ((NeighborPacket) peer.sent().getFirst()).type());
        assertEquals(SimulatedPeer.VIP6, tcp(1).destinationIp());
    }

    @Test
    void overIpv6AnUnansweredSolicitationIsNamedAsSuch() throws IOException {
        peer.answersArp = false;

        Outcome outcome = run(peer.plan6(false, 500));

        assertEquals("no neighbour advertisement from 2001:db8:1::42 within 500 ms (neighbour solicitation sent 4 times)",
                text(outcome));
    }

    @Test
    void advertisementsThatCouldHaveCrossedARouterOrNameNoAddressAreIgnored() {
        RawTcpCheck check = new RawTcpCheck(peer.plan6(false, 1000));
        check.start(0);

        CheckStep routed = check.onPacket(advertisement(254, SimulatedPeer.SERVER_MAC), 10, 10);
        CheckStep withoutAddress = check.onPacket(advertisement(255, null), 20, 20);
        CheckStep good = check.onPacket(advertisement(255, SimulatedPeer.SERVER_MAC), 30, 30);

        assertEquals("neighbour advertisement with hop limit 254, not 255", routed.ignoredBecause());
        assertEquals("neighbour advertisement without the target's link-layer address", withoutAddress.ignoredBecause());
        assertEquals(null, good.ignoredBecause());
        assertEquals(SimulatedPeer.SERVER_MAC, ((TcpSegment) good.toSend().getFirst()).frameDestination());
    }

    @Test
    void anArpReplyIsNoAnswerToAnIpv6Check() {
        RawTcpCheck check = new RawTcpCheck(peer.plan6(false, 1000));
        check.start(0);

        assertEquals("waiting for the neighbour advertisement", check.onPacket(arpReply(), 10, 10).ignoredBecause());
    }

    private static NeighborPacket advertisement(int hopLimit, MacAddress linkLayer) {
        return new NeighborPacket(SimulatedPeer.SERVER_MAC, SimulatedPeer.DIRECTOR_MAC, SimulatedPeer.SERVER_IP6,
                SimulatedPeer.DIRECTOR_IP6, hopLimit, NeighborPacket.ADVERTISEMENT, NeighborPacket.SOLICITED,
                SimulatedPeer.SERVER_IP6, linkLayer);
    }

    @Test
    void theVipProbeAsksTheRealServersMacAloneAndSilenceIsHealthy() throws IOException {
        peer.vipProbeMillis = 200;
        long start = peer.now();

        Outcome outcome = run(peer.plan(false, 1000));

        assertEquals(Outcome.Close.QUICK, answered(outcome).close(), "no claim: the check's own finding");
        assertEquals(List.of("ARP", "[S]", "[.]", "[R.]", "ARP", "ARP", "ARP", "ARP"), peer.sentFlags(),
                "the probe, repeated every 50 ms while it listens");
        ArpPacket probe = (ArpPacket) peer.sent().get(4);
        assertEquals(SimulatedPeer.SERVER_MAC, probe.frameDestination(), "unicast: no other host is asked");
        assertEquals(SimulatedPeer.VIP, probe.targetIp());
        assertEquals(SimulatedPeer.DIRECTOR_IP, probe.senderIp());
        assertEquals(2 * SimulatedPeer.LATENCY + 200_000_000L, peer.now() - start, "200 ms after the close");
    }

    @Test
    void aRealServerThatAnswersArpForTheVipIsTheFindingWithTheChecksMeasurements() throws IOException {
        peer.vipProbeMillis = 200;
        peer.claimsVip = true;

        Outcome outcome = run(peer.plan(false, 1000));

        Outcome.VipClaimed claimed = assertInstanceOfVipClaimed(outcome);
        assertEquals("real server 198.51.100.42 (02:00:00:00:00:42) answers ARP for VIP 198.51.100.100"
                + " - set arp_ignore=1 and arp_announce=2 on it", text(outcome));
        assertEquals(SimulatedPeer.LATENCY, answered(claimed.check()).handshakeNanos());
    }

    @Test
    void overIpv6TheProbeIsAUnicastSolicitationForTheVip() throws IOException {
        peer.vipProbeMillis = 200;
        peer.claimsVip = true;

        Outcome outcome = run(peer.plan6(false, 1000));

        assertEquals("real server 2001:db8:1::42 (02:00:00:00:00:42) answers neighbour solicitations for VIP"
                + " 2001:db8:1::100 - keep the VIP on its loopback only (not on the interface, no proxy_ndp)",
                text(outcome));
        NeighborPacket probe = (NeighborPacket) peer.sent().get(4);
        assertEquals(SimulatedPeer.SERVER_MAC, probe.frameDestination());
        assertEquals(SimulatedPeer.VIP6, probe.target());
        assertEquals(SimulatedPeer.VIP6, probe.destinationIp());
    }

    @Test
    void aRefusingServerIsStillAskedForTheVip() throws IOException {
        peer.vipProbeMillis = 100;
        peer.claimsVip = true;
        peer.onSyn = SimulatedPeer.OnSyn.RST;

        Outcome.VipClaimed claimed = assertInstanceOfVipClaimed(run(peer.plan(false, 1000)));

        assertTrue(claimed.check() instanceof Outcome.Refused, text(claimed.check()));
    }

    @Test
    void theOverallBoundCutsTheProbeShort() throws IOException {
        peer.vipProbeMillis = 5000;
        long start = peer.now();

        Outcome outcome = run(peer.plan(false, 1000, 300));

        answered(outcome);
        assertEquals(300_000_000L, peer.now() - start);
    }

    private static Outcome.VipClaimed assertInstanceOfVipClaimed(Outcome outcome) {
        assertTrue(outcome instanceof Outcome.VipClaimed, text(outcome));
        return (Outcome.VipClaimed) outcome;
    }
}
