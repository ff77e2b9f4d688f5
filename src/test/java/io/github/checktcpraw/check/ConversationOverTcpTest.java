package io.github.checktcpraw.check;

import static io.github.checktcpraw.check.SimulatedPeer.OUR_ISN;
import static io.github.checktcpraw.check.SimulatedPeer.SERVER_ISN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.packet.ArpPacket;
import io.github.checktcpraw.packet.Packet;
import io.github.checktcpraw.packet.TcpFlags;
import io.github.checktcpraw.packet.TcpSegment;
import io.github.checktcpraw.shell.CheckRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The state machine's TCP for a conversation, against the simulated server's: our bytes in order
 * and retransmitted, the server's acknowledged in order, out-of-order and lost segments recovered by
 * its retransmission, timestamps, FIN with data, the quick and the clean close after an answer.
 */
class ConversationOverTcpTest {

    private static final String PING = "PING\n";
    private static final String PONG = "PONG\n";

    private final SimulatedPeer peer = new SimulatedPeer();
    private final SimulatedPeer.Service service = new SimulatedPeer.Service();
    private final List<String> ignored = new ArrayList<>();

    ConversationOverTcpTest() {
        peer.maxBytes = 65536;
        peer.service = service;
        service.respond = request -> new String(request, StandardCharsets.ISO_8859_1).equals(PING) ? answer : null;
    }

    /** What the server answers a request with. */
    private byte[] answer = bytes(PONG);

    private Outcome.Answered run(RawCheckPlan plan, Conversation conversation) throws IOException {
        Outcome outcome = new CheckRunner(new RawTcpCheck(plan, conversation), peer, peer, ignoring()).run();
        assertTrue(outcome instanceof Outcome.Answered, outcome.toString());
        return (Outcome.Answered) outcome;
    }

    @Test
    void theRequestGoesOutInOrderAndTheAnswerIsAcknowledgedThenReset() throws IOException {
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "PONG");

        Outcome.Answered outcome = run(peer.plan(false, 1000), conversation);

        assertEquals("PONG\n", conversation.heard());
        assertEquals(Outcome.Ending.COMPLETE, outcome.exchange().ending());
        assertEquals(5, outcome.exchange().bytesReceived());
        assertEquals(1, outcome.exchange().requestSends());
        assertEquals(List.of("ARP", "[S]", "[P.]", "[R.]"), peer.sentFlags(), "the request's segment completes the handshake");
        TcpSegment request = tcp(2);
        assertEquals(OUR_ISN + 1, request.sequence());
        assertEquals(SERVER_ISN + 1, request.acknowledgment());
        assertEquals(PING, new String(request.payload(), StandardCharsets.ISO_8859_1));
        TcpSegment reset = tcp(3);
        assertEquals(OUR_ISN + 1 + 5, reset.sequence(), "after our request: where the server expects us next");
        assertEquals(SERVER_ISN + 1 + 5, reset.acknowledgment());
        assertEquals(SimulatedPeer.LATENCY, outcome.exchange().responseNanos(),
                "from the request leaving to the answer arriving");
        assertEquals(Outcome.NOT_MEASURED, outcome.exchange().tlsNanos());
    }

    @Test
    void anAnswerInManySegmentsIsAcknowledgedSegmentBySegment() throws IOException {
        answer = pattern(3500);
        service.closeAfterAnswer = true;
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "END");

        Outcome.Answered outcome = run(peer.plan(false, 1000), conversation);

        assertEquals(new String(answer, StandardCharsets.ISO_8859_1), conversation.heard());
        assertEquals(List.of("ARP", "[S]", "[P.]", "[.]", "[.]", "[.]", "[R.]"), peer.sentFlags());
        for (int i = 0; i < 3; i++) {
            assertEquals(SERVER_ISN + 1 + 1000 * (i + 1), tcp(3 + i).acknowledgment(), "segment " + i);
        }
        assertEquals(3500, outcome.exchange().bytesReceived());
    }

    @Test
    void aLostSegmentIsRecoveredByTheServersRetransmissionAndWhatFollowedItIsDropped() throws IOException {
        answer = pattern(5000);
        service.closeAfterAnswer = true;
        service.lost = Set.of(1);
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "END");

        Outcome.Answered outcome = run(peer.plan(false, 1000), conversation);

        assertEquals(new String(answer, StandardCharsets.ISO_8859_1), conversation.heard(), "every byte, in order");
        assertEquals(Outcome.Ending.COMPLETE, outcome.exchange().ending());
        assertEquals(4, ignored.stream().filter(i -> i.startsWith("out of order")).count(),
                "three segments and the FIN after the gap: " + ignored);
        List<Integer> acks = peer.sent().stream().skip(3).map(p -> ((TcpSegment) p).acknowledgment() - SERVER_ISN - 1)
                .toList();
        assertEquals(List.of(1000, 1000, 1000, 1000, 1000, 2000, 3000, 4000), acks.subList(0, 8),
                "duplicate ACKs for what came after the gap, then every segment again");
        assertTrue(outcome.exchange().responseNanos() > SimulatedPeer.RTO, "waited for the server's retransmission");
    }

    @Test
    void aSegmentThatArrivesBeforeTheOneBeforeItIsDroppedAndRecovered() throws IOException {
        answer = pattern(2500);
        service.closeAfterAnswer = true;
        service.late = Set.of(0);
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "END");

        Outcome.Answered outcome = run(peer.plan(false, 1000), conversation);

        assertEquals(new String(answer, StandardCharsets.ISO_8859_1), conversation.heard());
        assertTrue(ignored.getFirst().startsWith("out of order: sequence " + Integer.toUnsignedString(SERVER_ISN + 1001)),
                ignored.toString());
        assertEquals(2500, outcome.exchange().bytesReceived());
    }

    @Test
    void aCleanCloseSendsTheLastWordsWithOurFinAndReleasesTheTimeWaitOfAServerThatClosedFirst() throws IOException {
        answer = pattern(1500);
        service.closeAfterAnswer = true;
        service.finWithData = true;
        ScriptedConversation conversation = ScriptedConversation.asking(PING, null).sayingOnClose("BYE\n");

        Outcome.Answered outcome = run(peer.plan(true, 1000), conversation);

        assertEquals(Outcome.Close.CLEAN, outcome.close());
        assertEquals(Outcome.Ending.COMPLETE, outcome.exchange().ending(), "complete at the first byte");
        assertEquals(1000, outcome.exchange().bytesReceived(), "read no further");
        assertEquals(List.of("ARP", "[S]", "[P.]", "[FP.]", "[.]", "[R.]"), peer.sentFlags());
        TcpSegment fin = tcp(3);
        assertEquals("BYE\n", new String(fin.payload(), StandardCharsets.ISO_8859_1), "FIN with data");
        assertEquals(SERVER_ISN + 1 + 1000, fin.acknowledgment());
        assertEquals(SERVER_ISN + 1 + 1500 + 1, tcp(4).acknowledgment(), "the rest and the server's FIN, sent before ours");
        assertEquals(OUR_ISN + 1 + 5 + 4 + 1, tcp(5).sequence(), "the RST after our FIN, for its TIME-WAIT");
    }

    @Test
    void theServersFinWithItsDataIsAcknowledgedAndOursFollows() throws IOException {
        answer = pattern(800);
        service.closeAfterAnswer = true;
        service.finWithData = true;
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "never said");

        Outcome.Answered outcome = run(peer.plan(true, 1000), conversation);

        assertEquals(Outcome.Ending.SERVER_CLOSED, outcome.exchange().ending());
        assertTrue(((ScriptedConversation.Heard) outcome.exchange().facts()).serverClosed());
        assertEquals(List.of("ARP", "[S]", "[P.]", "[F.]", "[R.]"), peer.sentFlags());
        assertEquals(SERVER_ISN + 1 + 800 + 1, tcp(3).acknowledgment(), "its data and its FIN");
        assertEquals(Outcome.Close.CLEAN, outcome.close());
    }

    @Test
    void aCleanCloseBeforeTheServerClosesLeavesItTheLastAckAndNeedsNoReset() throws IOException {
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "PONG");

        Outcome.Answered outcome = run(peer.plan(true, 1000), conversation);

        assertEquals(Outcome.Close.CLEAN, outcome.close());
        assertEquals(List.of("ARP", "[S]", "[P.]", "[F.]", "[.]"), peer.sentFlags());
        assertEquals(SERVER_ISN + 1 + 5 + 1, tcp(4).acknowledgment(), "its FIN, sent after it had ours");
    }

    @Test
    void aServerThatSpeaksFirstIsHeardWithoutARequest() throws IOException {
        service.banner = bytes("220 mail.example ESMTP\r\n");
        ScriptedConversation conversation = ScriptedConversation.asking("", "ESMTP");

        Outcome.Answered outcome = run(peer.plan(false, 1000), conversation);

        assertEquals("220 mail.example ESMTP\r\n", conversation.heard());
        assertEquals(List.of("ARP", "[S]", "[.]", "[R.]"), peer.sentFlags());
        assertEquals(0, outcome.exchange().requestSends());
        assertEquals(SimulatedPeer.LATENCY, outcome.exchange().responseNanos(), "timed from the connection being up");
    }

    @Test
    void aLostRequestIsRetransmittedWithinTheTimeout() throws IOException {
        service.dropRequests = 1;
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "PONG");

        Outcome.Answered outcome = run(peer.plan(false, 1000), conversation);

        assertEquals(Outcome.Ending.COMPLETE, outcome.exchange().ending());
        assertEquals(List.of("ARP", "[S]", "[P.]", "[P.]", "[R.]"), peer.sentFlags());
        assertEquals(tcp(2), tcp(3), "the same bytes at the same sequence");
        assertEquals(2, outcome.exchange().requestSends());
        assertEquals(200_000_000L + SimulatedPeer.LATENCY, outcome.exchange().responseNanos(),
                "from the first transmission, as a client would feel it");
    }

    @Test
    void aServerThatNeverAnswersTimesOutAndTheConnectionIsReset() throws IOException {
        service.respond = request -> null;
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "PONG");
        long start = peer.now();

        Outcome.Answered outcome = run(peer.plan(true, 500), conversation);

        assertEquals(Outcome.Ending.TIMED_OUT, outcome.exchange().ending());
        assertEquals(new Bound(500, false), outcome.exchange().bound());
        assertEquals(Outcome.NOT_MEASURED, outcome.exchange().responseNanos());
        assertEquals(List.of("ARP", "[S]", "[P.]", "[R.]"), peer.sentFlags(), "no FIN: nothing clean about it");
        assertEquals(OUR_ISN + 1 + 5, tcp(3).sequence(), "the server acknowledged the request");
        assertEquals(500_000_000L + 3 * SimulatedPeer.LATENCY, peer.now() - start,
                "one timeout after the acknowledgment of the request, which left after ARP and handshake");
    }

    @Test
    void aSilentServerDoesNotAcknowledgeTheRequestEitherSoBothSequencesAreReset() throws IOException {
        service.dropRequests = 100;
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "PONG");

        Outcome.Answered outcome = run(peer.plan(false, 1000), conversation);

        assertEquals(Outcome.Ending.TIMED_OUT, outcome.exchange().ending());
        assertEquals(3, outcome.exchange().requestSends());
        List<Integer> resets = peer.sent().stream().filter(p -> p instanceof TcpSegment s && s.has(TcpFlags.RST))
                .map(p -> ((TcpSegment) p).sequence() - OUR_ISN).toList();
        assertEquals(List.of(1, 1 + 5), resets, "before and after the request: one is where the server is");
    }

    @Test
    void theByteLimitStopsReadingMidSegment() throws IOException {
        peer.maxBytes = 1500;
        answer = pattern(3000);
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "END");

        Outcome.Answered outcome = run(peer.plan(false, 1000), conversation);

        assertEquals(Outcome.Ending.LIMIT, outcome.exchange().ending());
        assertEquals(1500, outcome.exchange().bytesReceived());
        assertEquals(1500, conversation.heard().length());
    }

    @Test
    void aResetMidAnswerIsTheServers() throws IOException {
        answer = pattern(3000);
        service.resetAfter = 2000;
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "END");

        Outcome.Answered outcome = run(peer.plan(true, 1000), conversation);

        assertEquals(Outcome.Close.RESET_BY_SERVER, outcome.close());
        assertEquals(Outcome.Ending.RESET, outcome.exchange().ending());
        assertEquals(2000, outcome.exchange().bytesReceived());
        assertFalse(peer.sentFlags().contains("[R.]"), "nothing of ours to reset");
    }

    @Test
    void aHandshakeOfTheConversationsOwnIsTimedAndTheAnswerFromTheRequest() throws IOException {
        service.respond = request -> new String(request, StandardCharsets.ISO_8859_1).equals(ScriptedConversation.HELLO)
                ? bytes("WELCOME\n") : new String(request, StandardCharsets.ISO_8859_1).endsWith("\n") ? bytes(PONG) : null;
        ScriptedConversation conversation = ScriptedConversation.withHandshake(PING, "PONG");

        Outcome.Answered outcome = run(peer.plan(false, 1000), conversation);

        assertEquals("PONG\n", conversation.heard());
        assertEquals(SimulatedPeer.LATENCY, outcome.exchange().tlsNanos());
        assertEquals(SimulatedPeer.LATENCY, outcome.exchange().responseNanos(), "not counting the handshake");
        assertEquals(List.of("ARP", "[S]", "[P.]", "[P.]", "[R.]"), peer.sentFlags());
    }

    @Test
    void ourBytesKeepToTheServersMssAndWindow() {
        RawTcpCheck check = new RawTcpCheck(peer.plan(false, 1000), ScriptedConversation.asking("x".repeat(3000), "y"));
        check.start(0);
        TcpSegment syn = (TcpSegment) check.onPacket(arpReply(), 10, 10).toSend().getFirst();
        TcpSegment synAck = new TcpSegment(SimulatedPeer.SERVER_MAC, SimulatedPeer.DIRECTOR_MAC, SimulatedPeer.VIP,
                SimulatedPeer.DIRECTOR_IP, 80, syn.sourcePort(), SERVER_ISN, OUR_ISN + 1, TcpFlags.SYN | TcpFlags.ACK,
                1200, 536, null, 0, TcpSegment.NO_DATA);

        List<Packet> first = check.onPacket(synAck, 20, 20).toSend();

        assertEquals(List.of(536, 536, 128), first.stream().map(p -> ((TcpSegment) p).payloadLength()).toList(),
                "segments of the server's MSS, no more than its window of 1200");
        TcpSegment ackOfTwo = reply(syn, TcpFlags.ACK, SERVER_ISN + 1, OUR_ISN + 1 + 1072, 1200);
        List<Packet> next = check.onPacket(ackOfTwo, 30, 30).toSend();
        assertEquals(OUR_ISN + 1 + 1200, ((TcpSegment) next.getFirst()).sequence(), "the window moved on with the ACK");
        assertEquals(List.of(536, 536), next.stream().map(p -> ((TcpSegment) p).payloadLength()).toList());
    }

    @Test
    void anOldSegmentAgainOrASynAckAgainIsAcknowledgedAgain() {
        RawTcpCheck check = new RawTcpCheck(peer.plan(false, 1000), ScriptedConversation.asking("", "never"));
        check.start(0);
        TcpSegment syn = (TcpSegment) check.onPacket(arpReply(), 10, 10).toSend().getFirst();
        TcpSegment synAck = reply(syn, TcpFlags.SYN | TcpFlags.ACK, SERVER_ISN, OUR_ISN + 1, 65535);
        check.onPacket(synAck, 20, 20);
        TcpSegment banner = new TcpSegment(synAck.frameSource(), synAck.frameDestination(), synAck.sourceIp(),
                synAck.destinationIp(), 80, syn.sourcePort(), SERVER_ISN + 1, OUR_ISN + 1, TcpFlags.PSH | TcpFlags.ACK,
                65535, bytes("hello"));
        check.onPacket(banner, 30, 30);

        CheckStep again = check.onPacket(banner, 40, 40);
        CheckStep synAckAgain = check.onPacket(synAck, 50, 50);

        assertTrue(again.ignoredBecause().startsWith("out of order"), again.ignoredBecause());
        assertEquals(SERVER_ISN + 1 + 5, ((TcpSegment) again.toSend().getFirst()).acknowledgment());
        assertEquals(SERVER_ISN + 1 + 5, ((TcpSegment) synAckAgain.toSend().getFirst()).acknowledgment());
    }

    @Test
    void withAConversationTimestampsAreOfferedAndEchoedSoThatTheServerTimesEveryRoundTrip() throws IOException {
        peer.timestamps = true;
        ScriptedConversation conversation = ScriptedConversation.asking("x".repeat(2000) + PING, "PONG");

        run(peer.plan(true, 1000), conversation);

        TcpSegment syn = tcp(1);
        assertEquals(0, syn.timestamps().echo());
        List<TcpSegment> ours = peer.sent().stream().skip(2).map(p -> (TcpSegment) p).toList();
        int echoed = peer.serverTimestamps().getFirst();
        int clock = syn.timestamps().value();
        for (TcpSegment segment : ours) {
            assertTrue(peer.serverTimestamps().contains(segment.timestamps().echo()), "echoes the server's: " + segment);
            assertTrue(segment.timestamps().echo() - echoed >= 0, "its latest, never an older one: " + segment);
            assertTrue(segment.timestamps().value() - clock >= 0, "our clock never goes back: " + segment);
            echoed = segment.timestamps().echo();
            clock = segment.timestamps().value();
        }
        assertEquals(peer.serverTimestamps().getFirst(), ours.getFirst().timestamps().echo(), "the SYN/ACK's first");
        assertEquals(List.of(1448, 557), ours.stream().filter(s -> s.payloadLength() > 0).map(TcpSegment::payloadLength)
                .toList(), "the MSS less the option's 12 bytes (RFC 6691)");
    }

    @Test
    void withoutAConversationNoTimestampsAreOffered() throws IOException {
        peer.maxBytes = 0;
        peer.service = null;

        new CheckRunner(new RawTcpCheck(peer.plan(false, 1000)), peer, peer, PacketTrace.NONE).run();

        assertEquals(null, tcp(1).timestamps(), "the plain check's SYN is as it was");
    }

    @Test
    void anAcknowledgmentOfWhatWeNeverSentIsNotBelieved() {
        RawTcpCheck check = new RawTcpCheck(peer.plan(false, 1000), ScriptedConversation.asking(PING, "never"));
        check.start(0);
        TcpSegment syn = (TcpSegment) check.onPacket(arpReply(), 10, 10).toSend().getFirst();
        check.onPacket(reply(syn, TcpFlags.SYN | TcpFlags.ACK, SERVER_ISN, OUR_ISN + 1, 65535), 20, 20);

        CheckStep step = check.onPacket(reply(syn, TcpFlags.ACK, SERVER_ISN + 1, OUR_ISN + 100, 65535), 30, 30);

        assertTrue(step.ignoredBecause().contains("beyond what we sent"), step.ignoredBecause());
        assertEquals(List.of(OUR_ISN + 1, OUR_ISN + 1 + 5), check.resetsIfAbandoned().stream()
                .map(p -> ((TcpSegment) p).sequence()).toList(), "abandoned now: before and after the request");
    }

    @Test
    void overIpv6TheSame() throws IOException {
        ScriptedConversation conversation = ScriptedConversation.asking(PING, "PONG");

        Outcome.Answered outcome = run(peer.plan6(true, 1000), conversation);

        assertEquals("PONG\n", conversation.heard());
        assertEquals(Outcome.Close.CLEAN, outcome.close());
        assertEquals(SimulatedPeer.VIP6, tcp(2).destinationIp());
    }

    @Test
    void theVipProbeStillFollowsAConversation() throws IOException {
        peer.vipProbeMillis = 100;
        peer.claimsVip = true;

        Outcome outcome = new CheckRunner(new RawTcpCheck(peer.plan(false, 1000), ScriptedConversation.asking(PING, "PONG")),
                peer, peer, PacketTrace.NONE).run();

        assertTrue(outcome instanceof Outcome.VipClaimed claimed
                && ((Outcome.Answered) claimed.check()).exchange().ending() == Outcome.Ending.COMPLETE, outcome.toString());
    }

    @Test
    void aConversationNeedsAPlanThatReadsBytes() {
        peer.maxBytes = 0;
        RawCheckPlan plain = peer.plan(false, 1000);

        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new RawTcpCheck(plain, ScriptedConversation.asking(PING, "PONG")));
    }

    // ------------------------------------------------------------------------------------ helpers

    private TcpSegment tcp(int index) {
        return (TcpSegment) peer.sent().get(index);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code length} bytes of a pattern that shows any byte out of place, ending in "END". */
    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + (i * 7 + i / 26) % 26);
        }
        bytes[length - 3] = 'E';
        bytes[length - 2] = 'N';
        bytes[length - 1] = 'D';
        return bytes;
    }

    private static ArpPacket arpReply() {
        return new ArpPacket(SimulatedPeer.SERVER_MAC, SimulatedPeer.DIRECTOR_MAC, ArpPacket.REPLY,
                SimulatedPeer.SERVER_MAC, SimulatedPeer.SERVER_IP, SimulatedPeer.DIRECTOR_MAC, SimulatedPeer.DIRECTOR_IP);
    }

    private static TcpSegment reply(TcpSegment in, int flags, int sequence, int acknowledgment, int window) {
        return new TcpSegment(SimulatedPeer.SERVER_MAC, in.frameSource(), in.destinationIp(), in.sourceIp(),
                in.destinationPort(), in.sourcePort(), sequence, acknowledgment, flags, window,
                (flags & TcpFlags.SYN) != 0 ? 1460 : 0, null, 0, TcpSegment.NO_DATA);
    }

    private PacketTrace ignoring() {
        return new IgnoredReasons(ignored);
    }
}
