package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.ArpPacket;
import io.github.checktcpraw.packet.IpAddress;
import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.packet.Ipv6Address;
import io.github.checktcpraw.packet.MacAddress;
import io.github.checktcpraw.packet.NeighborPacket;
import io.github.checktcpraw.packet.Packet;
import io.github.checktcpraw.packet.TcpFlags;
import io.github.checktcpraw.packet.TcpSegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The raw check as a pure state machine: ARP (IPv4) or neighbour discovery (IPv6) for the real
 * server's MAC, SYN to the VIP through that MAC, ACK the SYN/ACK; with a {@link Conversation}, the
 * bytes it sends and receives over the connection; then close with RST/ACK or, with clean close,
 * FIN/ACK and the final ACK. With a VIP probe ({@code --vip-arp}), it then asks the real server's
 * MAC directly for the VIP and listens a short while: a real server that answers for the VIP would
 * draw the VIP's traffic away from the director.
 *
 * <p>It does no I/O and reads no clock: events come in with their times ({@link #start},
 * {@link #onPacket}, {@link #onTimer}, {@link #onSent}, all on the monotonic clock) and each answers
 * with a {@link CheckStep}. Every reply is validated before it is believed: the real server's MAC, the
 * VIP and port as source, our address and port as destination, and the sequence and acknowledgment
 * numbers. Each awaited reply is bounded by the plan's reply timeout and the whole check by its
 * deadline; the request is retransmitted meanwhile on a {@link RetransmitSchedule}.
 *
 * <p>The conversation's TCP is the least a fast check needs: our bytes in order within the server's
 * window and MSS, retransmitted until acknowledged; every in-order segment of the server's
 * acknowledged at once, one out of order dropped with a duplicate ACK (the server's retransmission
 * recovers it, as without SACK); a window of 64 KiB, which no buffering of ours has to honour since
 * every in-order byte is handed on at once; and timestamps (RFC 7323), without which a server under
 * loss gets no round-trip sample from retransmitted data (Karn's rule) and backs its retransmission
 * timeout off beyond any check's patience.
 */
public final class RawTcpCheck {

    /** Where the check is: one immutable record per phase, holding what that phase knows. */
    private sealed interface Phase permits Resolving, Connecting, Talking, Closing, Probing, Done {
    }

    private record Resolving() implements Phase {
    }

    private record Connecting(MacAddress serverMac, long resolutionNanos) implements Phase {
    }

    /**
     * What the handshake established, kept by every phase after it.
     *
     * @param sendMss    the most we put in one segment: the server's MSS, within Ethernet's, less our options
     * @param timestamps whether both sides send RFC 7323 timestamps (offered with a conversation)
     */
    private record Connection(MacAddress serverMac, long resolutionNanos, long handshakeNanos, int synsSent,
            int sendMss, boolean timestamps) {
    }

    /**
     * Our side of the byte stream and what we know of the server's (RFC 9293 3.3.1's SND.UNA, SND.NXT,
     * RCV.NXT and SND.WND).
     *
     * @param ourUnacked   the first of our sequence numbers the server has not acknowledged
     * @param unacked      the bytes sent from there and not acknowledged: {@link #ourNext()} follows them
     * @param pending      bytes the conversation gave that wait for room in the server's window
     * @param serverNext   the next sequence number we expect from the server
     * @param serverWindow how much the server said it takes from {@code ourUnacked} on
     * @param received     the server's bytes received in order and handed on
     * @param serverClock  the server's latest timestamp, which ours echo (RFC 7323's TS.Recent)
     */
    private record Stream(int ourUnacked, byte[] unacked, byte[] pending, int serverNext, int serverWindow,
            long received, int serverClock) {

        int ourNext() {
            return ourUnacked + unacked.length;
        }
    }


    /**
     * The connection is up and the conversation talks.
     *
     * @param connectedAt  when our ACK of the SYN/ACK left: where the answer is timed from when nothing is sent
     * @param requestAt    when the request's first bytes left; {@link #NOT_YET} before
     * @param tlsFrom      when the conversation's own handshake began; {@link #NOT_YET} without one
     * @param tlsNanos     how long that handshake took; {@link Outcome#NOT_MEASURED} until it is done
     * @param requestSends how many times our oldest unacknowledged bytes were sent
     */
    private record Talking(Connection connection, Stream stream, long connectedAt, long requestAt, long tlsFrom,
            long tlsNanos, int requestSends) implements Phase {

        Talking with(Stream changed) {
            return new Talking(connection, changed, connectedAt, requestAt, tlsFrom, tlsNanos, requestSends);
        }

        /** The times this step's packets set, now that they have left. */
        Talking stampedAt(long sentAt) {
            return new Talking(connection, stream, stamp(connectedAt, sentAt), stamp(requestAt, sentAt),
                    stamp(tlsFrom, sentAt), tlsNanos, requestSends);
        }

        private static long stamp(long time, long sentAt) {
            return time == SENDING ? sentAt : time;
        }

        Outcome.Exchange exchange(Conversation conversation, Outcome.Ending ending, Bound bound, long responseNanos) {
            return new Outcome.Exchange(conversation.facts(), ending, bound, responseNanos, tlsNanos, stream.received(),
                    requestSends);
        }
    }

    /**
     * Closing cleanly: our FIN is out, after any bytes in {@code stream.unacked()}.
     *
     * @param ourFinAcked       whether the server has acknowledged our FIN
     * @param serverFinReceived whether we have received (and acknowledged) the server's FIN
     * @param serverClosedFirst whether the server's FIN came before it had ours: its side then ends in
     *                          TIME-WAIT, which a last RST releases
     * @param exchange          what the conversation found; {@code null} without one
     */
    private record Closing(Connection connection, Stream stream, boolean ourFinAcked,
            boolean serverFinReceived, boolean serverClosedFirst, Outcome.Exchange exchange) implements Phase {

        /** Our FIN's sequence number: acknowledgments and reads leave {@code stream.ourNext()} where the FIN went. */
        int ourFin() {
            return stream.ourNext();
        }
    }

    /** The check's own finding is {@code check}; now listening for the real server claiming the VIP. */
    private record Probing(Outcome check, MacAddress serverMac) implements Phase {
    }

    private record Done(Outcome outcome) implements Phase {
    }

    /**
     * The request whose reply is awaited, and its timers.
     *
     * @param request     what {@link #onTimer} sends again; {@code null} while talking or closing, whose
     *                    repeats are made from the stream
     * @param firstSentAt when its first transmission left; latency counts from there, as a client feels it
     * @param stampPending it was just issued and {@link #onSent} has not told when it really left
     */
    private record Awaiting(Packet request, int sent, long firstSentAt, long retransmitAt, long replyDeadline,
            boolean stampPending) {

        /** The same timers, moved to start when the request really left. */
        Awaiting stampedAt(long sentAt) {
            long delay = sentAt - firstSentAt;
            return new Awaiting(request, sent, sentAt, later(retransmitAt, delay), later(replyDeadline, delay), false);
        }

        private static long later(long time, long delay) {
            return time == CheckStep.NO_TIMER ? time : time + delay;
        }
    }

    /** A time to be set to when this step's packets leave ({@link #onSent}). */
    private static final long SENDING = Long.MIN_VALUE;
    /** A time that has not come. */
    private static final long NOT_YET = Long.MIN_VALUE + 1;

    private final RawCheckPlan plan;
    /** {@code null}: the connection is closed right after the handshake. */
    private final Conversation conversation;
    private final RetransmitSchedule arpSchedule;
    private final RetransmitSchedule tcpSchedule;
    private final RetransmitSchedule probeSchedule;
    private final int ourSynSequence;
    private Phase phase = new Resolving();
    /** Valid in every phase but {@link Done}. */
    private Awaiting awaiting;
    /** When the event being handled happened: our timestamps' clock. */
    private long eventTime;

    public RawTcpCheck(RawCheckPlan plan) {
        this(plan, null);
    }

    /** @param conversation what to say once connected ({@code plan.converses()}); {@code null} for nothing */
    public RawTcpCheck(RawCheckPlan plan, Conversation conversation) {
        if ((conversation != null) != plan.converses()) {
            throw new IllegalArgumentException("a conversation needs a plan with a byte limit, and only it");
        }
        this.plan = plan;
        this.conversation = conversation;
        this.arpSchedule = RetransmitSchedule.forArp(plan.replyTimeoutNanos());
        this.tcpSchedule = RetransmitSchedule.forTcp(plan.replyTimeoutNanos());
        this.probeSchedule = RetransmitSchedule.forArp(plan.vipProbeNanos());
        this.ourSynSequence = plan.initialSequence();
    }

    public boolean done() {
        return phase instanceof Done;
    }

    /** The result, once {@link #done()}; {@code null} before. */
    public Outcome outcome() {
        return phase instanceof Done done ? done.outcome() : null;
    }

    public CheckStep start(long now) {
        eventTime = now;
        return await(whoHas(plan.target().realServer(), null), now);
    }

    /**
     * "Who has {@code wanted}?": an ARP request or, for IPv6, a neighbour solicitation; asked of
     * everyone (broadcast, the solicited-node group) when {@code to} is {@code null}, else of {@code to} only.
     */
    private Packet whoHas(IpAddress wanted, MacAddress to) {
        if (plan.target().ipv6()) {
            Ipv6Address ourIp = (Ipv6Address) plan.ourIp();
            return to == null ? NeighborPacket.solicitation(plan.ourMac(), ourIp, (Ipv6Address) wanted)
                    : NeighborPacket.solicitation(plan.ourMac(), ourIp, (Ipv6Address) wanted, to);
        }
        Ipv4Address ourIp = (Ipv4Address) plan.ourIp();
        return to == null ? ArpPacket.request(plan.ourMac(), ourIp, (Ipv4Address) wanted)
                : ArpPacket.request(plan.ourMac(), ourIp, (Ipv4Address) wanted, to);
    }

    /**
     * A packet the channel delivered.
     *
     * @param capturedAt when the kernel stamped it, on the monotonic clock
     */
    public CheckStep onPacket(Packet packet, long capturedAt, long now) {
        eventTime = now;
        // instanceof rather than a switch on the sealed phase: a type switch bootstraps at run time.
        if (phase instanceof Done) {
            return CheckStep.ignore(CheckStep.NO_TIMER, "the check is over");
        }
        if (reached(deadline(), capturedAt)) {
            return expire(now); // whatever it is, it came too late
        }
        if (phase instanceof Probing probing) {
            return onProbeReply(probing, packet);
        }
        if (phase instanceof Resolving) {
            if (packet instanceof ArpPacket arp && !plan.target().ipv6()) {
                return onArp(arp, capturedAt, now);
            }
            if (packet instanceof NeighborPacket neighbor && plan.target().ipv6()) {
                return onAdvertisement(neighbor, capturedAt, now);
            }
            return CheckStep.ignore(wakeAt(), plan.target().ipv6() ? "waiting for the neighbour advertisement"
                    : "waiting for the ARP reply");
        }
        if (!(packet instanceof TcpSegment segment)) {
            return CheckStep.ignore(wakeAt(), "not a TCP segment");
        }
        MacAddress serverMac = phase instanceof Connecting connecting ? connecting.serverMac()
                : phase instanceof Talking talking ? talking.connection().serverMac()
                : ((Closing) phase).connection().serverMac();
        String foreign = foreign(segment, serverMac);
        if (foreign != null) {
            return CheckStep.ignore(wakeAt(), foreign);
        }
        if (phase instanceof Connecting connecting) {
            return onConnecting(connecting, segment, capturedAt, now);
        }
        return phase instanceof Talking talking ? onTalking(talking, segment, capturedAt, now)
                : onClosing((Closing) phase, segment, now);
    }

    /**
     * The packets of the last step were handed to the network at {@code sentAt}: a new request's
     * timers and the latency it will be measured by start there, not when the step was computed,
     * so that the reported latency is the wire's, not the JVM's.
     */
    public void onSent(long sentAt) {
        if (awaiting != null && awaiting.stampPending()) {
            awaiting = awaiting.stampedAt(sentAt);
        }
        if (phase instanceof Talking talking) {
            phase = talking.stampedAt(sentAt);
        }
    }

    /** The time asked for in the last step has come (or the wait ended early: then nothing happens). */
    public CheckStep onTimer(long now) {
        eventTime = now;
        if (phase instanceof Done) {
            return CheckStep.send(CheckStep.NO_TIMER);
        }
        if (reached(deadline(), now)) {
            return expire(now);
        }
        if (!reached(awaiting.retransmitAt(), now)) {
            return CheckStep.send(wakeAt());
        }
        int sent = awaiting.sent() + 1;
        List<Packet> again = new ArrayList<>(2);
        if (phase instanceof Talking talking) {
            Stream stream = talking.stream();
            segments(talking.connection(), stream, stream.ourUnacked(), stream.unacked(), false, again);
            phase = new Talking(talking.connection(), stream, talking.connectedAt(), talking.requestAt(), talking.tlsFrom(),
                    talking.tlsNanos(), talking.requestSends() + 1);
        } else if (phase instanceof Closing closing) {
            // Acknowledges whatever the server sent since the first FIN.
            Stream stream = closing.stream();
            segments(closing.connection(), stream, stream.ourUnacked(), stream.unacked(), true, again);
        } else {
            again.add(awaiting.request());
        }
        awaiting = new Awaiting(awaiting.request(), sent, awaiting.firstSentAt(), now + schedule().intervalAfter(sent),
                awaiting.replyDeadline(), false);
        return CheckStep.send(wakeAt(), again.toArray(new Packet[0]));
    }

    /**
     * What to send if the check is abandoned now (the process was told to stop): RSTs for any state
     * the real server may hold. After our SYN it may sit in SYN-RECEIVED, which a RST at our SYN's
     * sequence + 1 clears; once connected, {@link #resets}. Nothing before the SYN or once done.
     */
    public List<Packet> resetsIfAbandoned() {
        if (phase instanceof Connecting connecting) {
            return List.of(segment(connecting.serverMac(), TcpFlags.RST, ourSynSequence + 1, 0));
        }
        if (phase instanceof Talking talking) {
            return List.of(resets(talking.connection(), talking.stream(), false));
        }
        if (phase instanceof Closing closing) {
            return List.of(resets(closing));
        }
        return List.of();
    }

    private CheckStep onArp(ArpPacket arp, long capturedAt, long now) {
        if (!arp.isReply() || !arp.senderIp().equals(plan.target().realServer())) {
            return CheckStep.ignore(wakeAt(), "not an ARP reply from " + plan.target().realServer());
        }
        if (!arp.targetIp().equals(plan.ourIp()) || !arp.targetMac().equals(plan.ourMac())) {
            return CheckStep.ignore(wakeAt(), "ARP reply addressed to " + arp.targetIp() + " (" + arp.targetMac()
                    + "), not to us");
        }
        return resolved(arp.senderMac(), "ARP reply", capturedAt, now);
    }

    private CheckStep onAdvertisement(NeighborPacket advertisement, long capturedAt, long now) {
        if (!advertisement.isAdvertisement() || !advertisement.target().equals(plan.target().realServer())) {
            return CheckStep.ignore(wakeAt(), "not a neighbour advertisement for " + plan.target().realServer());
        }
        if (advertisement.hopLimit() != NeighborPacket.LINK_HOP_LIMIT) {
            // RFC 4861 7.1.2: anything less may have crossed a router.
            return CheckStep.ignore(wakeAt(), "neighbour advertisement with hop limit " + advertisement.hopLimit()
                    + ", not " + NeighborPacket.LINK_HOP_LIMIT);
        }
        if (!advertisement.destinationIp().equals(plan.ourIp()) || !advertisement.frameDestination().equals(plan.ourMac())) {
            return CheckStep.ignore(wakeAt(), "neighbour advertisement addressed to " + advertisement.destinationIp() + " ("
                    + advertisement.frameDestination() + "), not to us");
        }
        if (advertisement.linkLayerAddress() == null) {
            return CheckStep.ignore(wakeAt(), "neighbour advertisement without the target's link-layer address");
        }
        return resolved(advertisement.linkLayerAddress(), "neighbour advertisement", capturedAt, now);
    }

    /** The real server's MAC is known: on to the handshake. */
    private CheckStep resolved(MacAddress serverMac, String reply, long capturedAt, long now) {
        if (capturedAt - awaiting.firstSentAt() < 0) {
            // Another check's (or the kernel's) exchange with the same server, received before ours began.
            return CheckStep.ignore(wakeAt(), reply + " captured before our request");
        }
        phase = new Connecting(serverMac, capturedAt - awaiting.firstSentAt());
        return await(segment(serverMac, TcpFlags.SYN, ourSynSequence, 0), now);
    }

    private CheckStep onConnecting(Connecting connecting, TcpSegment segment, long capturedAt, long now) {
        int expectedAck = ourSynSequence + 1;
        if (segment.has(TcpFlags.RST)) {
            // RFC 9293 3.10.7.3: in SYN-SENT a RST counts only if it acknowledges our SYN.
            if (!segment.has(TcpFlags.ACK) || segment.acknowledgment() != expectedAck) {
                return CheckStep.ignore(wakeAt(), "RST that does not acknowledge our SYN " + wrongAck(segment, expectedAck));
            }
            return conclude(new Outcome.Refused(plan.target(), connecting.serverMac(), connecting.resolutionNanos()),
                    connecting.serverMac(), now);
        }
        if (!segment.has(TcpFlags.SYN | TcpFlags.ACK)) {
            return CheckStep.ignore(wakeAt(), "flags " + TcpFlags.format(segment.flags()) + " before the SYN/ACK");
        }
        if (segment.acknowledgment() != expectedAck) {
            return CheckStep.ignore(wakeAt(), "SYN/ACK that does not acknowledge our SYN " + wrongAck(segment, expectedAck));
        }
        // The kernel's stamp and our send time come from two clocks mapped onto one: never negative.
        long handshakeNanos = Math.max(0, capturedAt - awaiting.firstSentAt());
        int serverMss = segment.maxSegment() > 0 ? segment.maxSegment() : TcpSegment.DEFAULT_MSS;
        boolean timestamps = plan.converses() && segment.timestamps() != null;
        Connection connection = new Connection(connecting.serverMac(), connecting.resolutionNanos(), handshakeNanos,
                awaiting.sent(), Math.min(serverMss, TcpSegment.ethernetMss(plan.target().ipv6()))
                        - (timestamps ? TcpSegment.TIMESTAMPS_LENGTH : 0), timestamps);
        Stream stream = new Stream(expectedAck, TcpSegment.NO_DATA, TcpSegment.NO_DATA, segment.sequence() + 1,
                segment.window(), 0, segment.timestamps() == null ? 0 : segment.timestamps().value());
        List<Packet> out = new ArrayList<>(4);
        out.add(ack(connection, stream));
        if (conversation != null) {
            Talking talking = new Talking(connection, stream, SENDING, NOT_YET, NOT_YET, Outcome.NOT_MEASURED, 0);
            awaiting = new Awaiting(null, 0, now, CheckStep.NO_TIMER, replyDeadline(now), true);
            return talk(talking, false, false, capturedAt, now, out);
        }
        if (!plan.cleanClose()) {
            out.add(reset(connection, expectedAck, stream));
            return conclude(answered(connection, Outcome.Close.QUICK, null, null), connection.serverMac(), now,
                    out.toArray(new Packet[0]));
        }
        return startClosing(connection, stream, false, null, now, out);
    }

    private CheckStep onTalking(Talking talking, TcpSegment segment, long capturedAt, long now) {
        Connection connection = talking.connection();
        Stream stream = talking.stream();
        if (!segment.payloadCaptured()) {
            // Larger than the receive buffer: the server sends it again, perhaps in smaller pieces.
            return CheckStep.ignore(wakeAt(), "only " + segment.payload().length + " of its " + segment.payloadLength()
                    + " bytes were captured");
        }
        if (segment.has(TcpFlags.RST)) {
            String outside = resetOutsideWindow(stream, segment);
            return outside != null ? CheckStep.ignore(wakeAt(), outside)
                    : conclude(answered(connection, Outcome.Close.RESET_BY_SERVER, null,
                            talking.exchange(conversation, Outcome.Ending.RESET, null, Outcome.NOT_MEASURED)),
                            connection.serverMac(), now);
        }
        if (segment.has(TcpFlags.SYN)) {
            // The server did not get the ACK of its SYN/ACK: acknowledge it again.
            return CheckStep.ignore(wakeAt(), "SYN/ACK again: our ACK was lost", ack(connection, stream));
        }
        String unacceptable = unacceptableAck(stream, segment);
        if (unacceptable != null) {
            return CheckStep.ignore(wakeAt(), unacceptable);
        }
        Stream acked = acknowledged(stream, segment);
        if (acked.ourUnacked() != stream.ourUnacked()) {
            ourBytesAcknowledged(acked, now);
        }
        List<Packet> out = new ArrayList<>(4);
        if (segment.payloadLength() == 0 && !segment.has(TcpFlags.FIN)) {
            return talk(talking.with(acked), false, false, capturedAt, now, out);
        }
        int offset = acked.serverNext() - segment.sequence(); // how much of it we have already
        if (offset < 0 || offset >= segment.sequenceLength()) {
            // Ahead (a segment before it was lost) or all of it old (our ACK was lost): RFC 9293
            // 3.10.7.4 answers an unacceptable segment with an acknowledgment of what we have; the
            // server's retransmission fills the gap (and with timestamps it times that well).
            phase = talking.with(acked);
            return CheckStep.ignore(wakeAt(), outOfOrder(segment, acked), ack(connection, acked));
        }
        byte[] data = readable(segment.payload(), offset, plan.maxBytes() - acked.received());
        boolean cut = offset + data.length < segment.payloadLength();
        boolean fin = segment.has(TcpFlags.FIN);
        Stream read = new Stream(acked.ourUnacked(), acked.unacked(), acked.pending(),
                segment.sequence() + segment.sequenceLength(), acked.serverWindow(), acked.received() + data.length,
                acked.serverClock());
        serverMovedOn(now);
        if (data.length > 0) {
            conversation.received(data);
        }
        if (fin) {
            conversation.serverClosed();
        }
        out.add(ack(connection, read));
        return talk(talking.with(read), fin, cut, capturedAt, now, out);
    }

    /**
     * After an event while talking: the conversation's next bytes go out as the server's window allows;
     * or, once it is complete, the server has closed or the byte limit is reached, the connection is
     * closed. {@code out} holds what the event itself sends (an ACK).
     *
     * @param serverClosed whether the event was the server's FIN
     * @param cut          whether the byte limit cut the server's bytes short
     * @param at           when the event happened: where the answer ends, if it ends here
     */
    private CheckStep talk(Talking talking, boolean serverClosed, boolean cut, long at, long now, List<Packet> out) {
        Stream stream = talking.stream();
        byte[] given = conversation.outgoing();
        // Asked after outgoing(): a TLS client's handshake ends when it has made its Finished.
        long tlsNanos = talking.tlsNanos();
        if (talking.tlsFrom() != NOT_YET && tlsNanos == Outcome.NOT_MEASURED && !conversation.handshaking()) {
            tlsNanos = Math.max(0, at - talking.tlsFrom());
        }
        if (given.length > 0) {
            stream = new Stream(stream.ourUnacked(), stream.unacked(), concat(stream.pending(), given), stream.serverNext(),
                    stream.serverWindow(), stream.received(), stream.serverClock());
        }
        Talking updated = new Talking(talking.connection(), stream, talking.connectedAt(), talking.requestAt(),
                talking.tlsFrom(), tlsNanos, talking.requestSends());
        Outcome.Ending ending = conversation.complete() ? Outcome.Ending.COMPLETE
                : cut || (stream.received() >= plan.maxBytes() && !serverClosed) ? Outcome.Ending.LIMIT
                : serverClosed ? Outcome.Ending.SERVER_CLOSED
                : null;
        if (ending != null) {
            long from = talking.requestAt() != NOT_YET ? talking.requestAt() : talking.connectedAt();
            return stopTalking(updated, updated.exchange(conversation, ending, null, Math.max(0, at - from)), serverClosed,
                    now, out);
        }
        int room = stream.serverWindow() - stream.unacked().length;
        int sending = Math.min(Math.max(0, room), stream.pending().length);
        if (sending == 0) {
            phase = updated;
            return CheckStep.send(wakeAt(), out.toArray(new Packet[0]));
        }
        dropBareAck(out); // the data acknowledges as much
        byte[] fresh = Arrays.copyOf(stream.pending(), sending);
        segments(talking.connection(), stream, stream.ourNext(), fresh, false, out);
        boolean firstUnacked = stream.unacked().length == 0;
        Stream sent = new Stream(stream.ourUnacked(), concat(stream.unacked(), fresh),
                Arrays.copyOfRange(stream.pending(), sending, stream.pending().length), stream.serverNext(),
                stream.serverWindow(), stream.received(), stream.serverClock());
        boolean handshaking = conversation.handshaking();
        phase = new Talking(talking.connection(), sent, talking.connectedAt(),
                talking.requestAt() == NOT_YET && !handshaking ? SENDING : talking.requestAt(),
                talking.tlsFrom() == NOT_YET && handshaking ? SENDING : talking.tlsFrom(), tlsNanos,
                firstUnacked ? 1 : talking.requestSends());
        if (firstUnacked) {
            awaitFirst(null, awaiting.replyDeadline(), now);
        }
        return CheckStep.send(wakeAt(), out.toArray(new Packet[0]));
    }

    /** The exchange is over: close the connection, quickly or cleanly, and report. */
    private CheckStep stopTalking(Talking talking, Outcome.Exchange exchange, boolean serverClosed, long now,
            List<Packet> out) {
        Connection connection = talking.connection();
        Stream stream = talking.stream();
        dropBareAck(out); // a RST/ACK or FIN/ACK acknowledges as much
        if (!plan.cleanClose()) {
            out.addAll(List.of(resets(connection, stream, false)));
            return conclude(answered(connection, Outcome.Close.QUICK, null, exchange), connection.serverMac(), now,
                    out.toArray(new Packet[0]));
        }
        // Our FIN follows whatever the conversation still has to say (TLS's close_notify): FIN with data.
        Stream closing = new Stream(stream.ourUnacked(), concat(stream.unacked(), stream.pending()), TcpSegment.NO_DATA,
                stream.serverNext(), stream.serverWindow(), stream.received(), stream.serverClock());
        return startClosing(connection, closing, serverClosed, exchange, now, out);
    }

    /** Sends our FIN after every byte of {@code stream.unacked()}: whatever of them the server lacks, it has then. */
    private CheckStep startClosing(Connection connection, Stream stream, boolean serverFinReceived,
            Outcome.Exchange exchange, long now, List<Packet> out) {
        segments(connection, stream, stream.ourUnacked(), stream.unacked(), true, out);
        phase = new Closing(connection, stream, false, serverFinReceived, serverFinReceived, exchange);
        awaitFirst(null, replyDeadline(now), now);
        return CheckStep.send(wakeAt(), out.toArray(new Packet[0]));
    }

    private CheckStep onClosing(Closing closing, TcpSegment segment, long now) {
        Connection connection = closing.connection();
        Stream stream = closing.stream();
        int afterFin = closing.ourFin() + 1;
        if (segment.has(TcpFlags.RST)) {
            String outside = resetOutsideWindow(stream, segment);
            return outside != null ? CheckStep.ignore(wakeAt(), outside)
                    : conclude(answered(connection, Outcome.Close.RESET_BY_SERVER, null, closing.exchange()),
                            connection.serverMac(), now);
        }
        if (segment.has(TcpFlags.SYN)) {
            return CheckStep.ignore(wakeAt(), "SYN/ACK again: our ACK was lost, our FIN will be retransmitted");
        }
        boolean finAcked = closing.ourFinAcked() || (segment.has(TcpFlags.ACK) && segment.acknowledgment() == afterFin);
        if (!finAcked && unacceptableAck(stream, segment) == null) {
            stream = acknowledged(stream, segment); // some of the bytes before our FIN: not to be resent
        }
        if (finAcked && !closing.ourFinAcked()) {
            awaiting = new Awaiting(null, awaiting.sent(), awaiting.firstSentAt(), CheckStep.NO_TIMER,
                    awaiting.replyDeadline(), awaiting.stampPending()); // nothing left to retransmit
        }
        boolean carriesSequence = segment.payloadLength() > 0 || segment.has(TcpFlags.FIN);
        Closing acked = new Closing(connection, stream, finAcked, closing.serverFinReceived(),
                closing.serverClosedFirst(), closing.exchange());
        phase = acked;
        if (carriesSequence && segment.sequence() != stream.serverNext()) {
            return CheckStep.ignore(wakeAt(), outOfOrder(segment, stream),
                    segment(connection, stream, TcpFlags.ACK, afterFin, TcpSegment.NO_DATA));
        }
        if (!carriesSequence) {
            return finAcked && acked.serverFinReceived() ? closedCleanly(acked, now) : CheckStep.send(wakeAt());
        }
        boolean serverFin = segment.has(TcpFlags.FIN);
        Stream read = new Stream(stream.ourUnacked(), stream.unacked(), stream.pending(),
                stream.serverNext() + segment.sequenceLength(), stream.serverWindow(), stream.received(),
                clock(stream, segment));
        // A FIN sent before the server had ours makes it the side that closed first.
        Closing updated = new Closing(connection, read, finAcked,
                closing.serverFinReceived() || serverFin, closing.serverClosedFirst() || (serverFin && !finAcked),
                closing.exchange());
        phase = updated;
        Packet ack = segment(connection, read, TcpFlags.ACK, afterFin, TcpSegment.NO_DATA);
        return finAcked && updated.serverFinReceived() ? closedCleanly(updated, now, ack) : CheckStep.send(wakeAt(), ack);
    }

    /**
     * Both FINs are acknowledged. Where the server closed first, its side now waits in TIME-WAIT for
     * a minute: a RST at exactly its next expected sequence releases it (Linux does unless
     * net.ipv4.tcp_rfc1337 is set). No application sees it: the server's has closed its socket.
     */
    private CheckStep closedCleanly(Closing closing, long now, Packet... last) {
        Packet[] packets = last;
        if (closing.serverClosedFirst()) {
            Packet[] reset = resets(closing); // our FIN is acknowledged: the one RST after it
            packets = Arrays.copyOf(last, last.length + reset.length);
            System.arraycopy(reset, 0, packets, last.length, reset.length);
        }
        return conclude(answered(closing.connection(), Outcome.Close.CLEAN, null, closing.exchange()),
                closing.connection().serverMac(), now, packets);
    }

    /** Why a RST from the server is not believed (RFC 5961 3.2: only one at exactly the next expected sequence), or {@code null}. */
    private static String resetOutsideWindow(Stream stream, TcpSegment segment) {
        return segment.sequence() == stream.serverNext() ? null
                : "RST with sequence " + Integer.toUnsignedString(segment.sequence()) + " outside the window (expected "
                        + Integer.toUnsignedString(stream.serverNext()) + ")";
    }

    /** Why the segment's acknowledgment cannot be believed, or {@code null} when it can (RFC 9293 3.10.7.4). */
    private static String unacceptableAck(Stream stream, TcpSegment segment) {
        if (!segment.has(TcpFlags.ACK)) {
            return "no ACK flag";
        }
        if (segment.acknowledgment() - stream.ourNext() > 0) {
            return "acknowledges " + Integer.toUnsignedString(segment.acknowledgment()) + ", beyond what we sent ("
                    + Integer.toUnsignedString(stream.ourNext()) + ")";
        }
        if (segment.acknowledgment() - stream.ourUnacked() < -TcpSegment.MAX_WINDOW) {
            return "acknowledges " + Integer.toUnsignedString(segment.acknowledgment()) + ", long before what we sent";
        }
        return null;
    }

    /** The stream with what {@code segment} acknowledges taken off, and the server's window as it gives it. */
    private static Stream acknowledged(Stream stream, TcpSegment segment) {
        int newlyAcked = segment.acknowledgment() - stream.ourUnacked();
        if (newlyAcked < 0) {
            return stream; // an old acknowledgment, overtaken
        }
        newlyAcked = Math.min(newlyAcked, stream.unacked().length);
        return new Stream(stream.ourUnacked() + newlyAcked,
                Arrays.copyOfRange(stream.unacked(), newlyAcked, stream.unacked().length), stream.pending(),
                stream.serverNext(), segment.window(), stream.received(), clock(stream, segment));
    }

    /** Bytes of ours were acknowledged: the wait starts again, and the repeats, for what is left (RFC 6298 5.3). */
    private void ourBytesAcknowledged(Stream stream, long now) {
        boolean left = stream.unacked().length > 0;
        awaiting = new Awaiting(null, left ? 1 : 0, awaiting.firstSentAt(),
                left ? now + tcpSchedule.intervalAfter(1) : CheckStep.NO_TIMER, replyDeadline(now), awaiting.stampPending());
    }

    /** New bytes from the server: the wait for the next ones starts again. */
    private void serverMovedOn(long now) {
        awaiting = new Awaiting(null, awaiting.sent(), awaiting.firstSentAt(), awaiting.retransmitAt(), replyDeadline(now),
                awaiting.stampPending());
    }

    /** The part of {@code payload} after the {@code offset} bytes we have, at most {@code limit} bytes. */
    private static byte[] readable(byte[] payload, int offset, long limit) {
        int end = (int) Math.min(payload.length, offset + Math.max(0, limit));
        if (offset >= end) {
            return TcpSegment.NO_DATA;
        }
        return offset == 0 && end == payload.length ? payload : Arrays.copyOfRange(payload, offset, end);
    }

    private static String outOfOrder(TcpSegment segment, Stream stream) {
        return "out of order: sequence " + Integer.toUnsignedString(segment.sequence()) + ", expected "
                + Integer.toUnsignedString(stream.serverNext());
    }

    /** Takes a trailing bare ACK off {@code out}: what follows it acknowledges as much. */
    private static void dropBareAck(List<Packet> out) {
        if (!out.isEmpty() && out.getLast() instanceof TcpSegment last && last.flags() == TcpFlags.ACK
                && last.payloadLength() == 0) {
            out.removeLast();
        }
    }

    /** While probing: an answer for the VIP from the real server's MAC is the finding; anything else is not. */
    private CheckStep onProbeReply(Probing probing, Packet packet) {
        Target target = plan.target();
        if (packet instanceof ArpPacket arp && arp.isReply() && arp.senderIp().equals(target.virtualIp())
                && arp.senderMac().equals(probing.serverMac())) {
            return finish(new Outcome.VipClaimed(target, probing.serverMac(), probing.check()));
        }
        if (packet instanceof NeighborPacket advertisement && advertisement.isAdvertisement()
                && advertisement.target().equals(target.virtualIp())
                && advertisement.hopLimit() == NeighborPacket.LINK_HOP_LIMIT
                && advertisement.frameSource().equals(probing.serverMac())) {
            return finish(new Outcome.VipClaimed(target, probing.serverMac(), probing.check()));
        }
        return CheckStep.ignore(wakeAt(), "listening for the real server to claim the VIP: the check itself is over");
    }

    /**
     * The check has its finding: done, or first the VIP probe when one was asked for. {@code last}
     * are the check's own last packets (an ACK, a RST), sent with the first probe.
     */
    private CheckStep conclude(Outcome check, MacAddress serverMac, long now, Packet... last) {
        if (plan.vipProbeNanos() == 0) {
            finish(check);
            return CheckStep.send(CheckStep.NO_TIMER, last);
        }
        phase = new Probing(check, serverMac);
        Packet probe = whoHas(plan.target().virtualIp(), serverMac);
        awaitFirst(probe, now + plan.vipProbeNanos(), now);
        Packet[] packets = Arrays.copyOf(last, last.length + 1);
        packets[last.length] = probe;
        return CheckStep.send(wakeAt(), packets);
    }

    private CheckStep expire(long now) {
        Bound bound = boundReached();
        if (phase instanceof Probing probing) {
            return finish(probing.check()); // nothing claimed the VIP: the healthy answer
        }
        if (phase instanceof Resolving) {
            return finish(new Outcome.Unresolved(plan.target(), awaiting.sent(), bound, plan.ourIp(),
                    plan.onRealServersNetwork()));
        }
        if (phase instanceof Connecting connecting) {
            return conclude(new Outcome.NoSynAck(plan.target(), connecting.serverMac(), connecting.resolutionNanos(),
                    awaiting.sent(), bound), connecting.serverMac(), now);
        }
        if (phase instanceof Talking talking) {
            Connection connection = talking.connection();
            return conclude(answered(connection, Outcome.Close.QUICK, null,
                    talking.exchange(conversation, Outcome.Ending.TIMED_OUT, bound, Outcome.NOT_MEASURED)),
                    connection.serverMac(), now, resets(connection, talking.stream(), false));
        }
        Closing closing = (Closing) phase;
        return conclude(answered(closing.connection(), Outcome.Close.UNFINISHED, bound, closing.exchange()),
                closing.connection().serverMac(), now, resets(closing));
    }

    /**
     * RSTs that end our connection whether or not the server got our last bytes and FIN: RFC 5961
     * stacks (Linux) accept only a RST at exactly their next expected sequence, which is one of these.
     */
    private Packet[] resets(Closing closing) {
        if (closing.ourFinAcked()) {
            return new Packet[] {reset(closing.connection(), closing.ourFin() + 1, closing.stream())};
        }
        return resets(closing.connection(), closing.stream(), true);
    }

    /**
     * RSTs at every sequence the server may expect next: where each unacknowledged segment of ours
     * began, after the last, and after our FIN when one was sent.
     */
    private Packet[] resets(Connection connection, Stream stream, boolean afterFin) {
        List<Packet> resets = new ArrayList<>(2);
        for (int at = 0; at < stream.unacked().length; at += connection.sendMss()) {
            resets.add(reset(connection, stream.ourUnacked() + at, stream));
        }
        resets.add(reset(connection, stream.ourNext(), stream));
        if (afterFin) {
            resets.add(reset(connection, stream.ourNext() + 1, stream));
        }
        return resets.toArray(new Packet[0]);
    }

    private TcpSegment reset(Connection connection, int sequence, Stream stream) {
        return segment(connection, stream, TcpFlags.RST | TcpFlags.ACK, sequence, TcpSegment.NO_DATA);
    }

    /** Sends {@code request} now and waits for its reply, within the reply timeout and the check's deadline. */
    private CheckStep await(Packet request, long now) {
        awaitFirst(request, replyDeadline(now), now);
        return CheckStep.send(wakeAt(), request);
    }

    /**
     * A request's first transmission goes out now: its repeats follow the phase's schedule (the phase
     * must already be the one that waits), its reply is awaited until {@code replyDeadline}.
     */
    private void awaitFirst(Packet request, long replyDeadline, long now) {
        awaiting = new Awaiting(request, 1, now, now + schedule().intervalAfter(1), replyDeadline, true);
    }

    private long replyDeadline(long now) {
        return plan.replyTimeoutNanos() == 0 ? CheckStep.NO_TIMER : now + plan.replyTimeoutNanos();
    }

    private RetransmitSchedule schedule() {
        return phase instanceof Resolving ? arpSchedule : phase instanceof Probing ? probeSchedule : tcpSchedule;
    }

    /** The earlier of the awaited reply's deadline and the check's. */
    private long deadline() {
        return earlier(awaiting.replyDeadline(), plan.checkDeadline());
    }

    private Bound boundReached() {
        long reply = awaiting.replyDeadline();
        boolean overall = reply == CheckStep.NO_TIMER
                || (plan.checkDeadline() != CheckStep.NO_TIMER && plan.checkDeadline() - reply <= 0);
        return overall ? overallBound() : new Bound(plan.replyTimeoutNanos() / 1_000_000, false);
    }

    private Bound overallBound() {
        return new Bound(plan.totalTimeoutMillis(), true);
    }

    /** nanoTime values may be negative, so times compare by their difference; NO_TIMER never comes. */
    private static boolean reached(long time, long now) {
        return time != CheckStep.NO_TIMER && now - time >= 0;
    }

    private static long earlier(long a, long b) {
        if (a == CheckStep.NO_TIMER) {
            return b;
        }
        return b == CheckStep.NO_TIMER || a - b < 0 ? a : b;
    }

    private long wakeAt() {
        return phase instanceof Done ? CheckStep.NO_TIMER : earlier(awaiting.retransmitAt(), deadline());
    }

    private CheckStep finish(Outcome result) {
        phase = new Done(result);
        awaiting = null;
        return CheckStep.send(CheckStep.NO_TIMER);
    }

    private Outcome answered(Connection connection, Outcome.Close close, Bound closeBound, Outcome.Exchange exchange) {
        return new Outcome.Answered(plan.target(), connection.serverMac(), connection.resolutionNanos(),
                connection.handshakeNanos(), connection.synsSent(), close, closeBound, exchange);
    }

    /** A bare ACK of everything received. */
    private TcpSegment ack(Connection connection, Stream stream) {
        return segment(connection, stream, TcpFlags.ACK, stream.ourNext(), TcpSegment.NO_DATA);
    }

    /**
     * {@code bytes} as segments of at most the connection's MSS from {@code sequence} on, each
     * acknowledging all we have; with {@code fin}, the last carries our FIN (a FIN alone when there
     * are no bytes).
     */
    private void segments(Connection connection, Stream stream, int sequence, byte[] bytes, boolean fin,
            List<Packet> out) {
        int at = 0;
        do {
            int length = Math.min(connection.sendMss(), bytes.length - at);
            boolean last = at + length == bytes.length;
            int flags = TcpFlags.ACK | (length > 0 ? TcpFlags.PSH : 0) | (fin && last ? TcpFlags.FIN : 0);
            byte[] payload = length == 0 ? TcpSegment.NO_DATA
                    : at == 0 && length == bytes.length ? bytes : Arrays.copyOfRange(bytes, at, at + length);
            if (length > 0 || (fin && last)) {
                out.add(segment(connection, stream, flags, sequence + at, payload));
            }
            at += length;
        } while (at < bytes.length);
    }

    /** A segment of the connection: acknowledging all we have, with timestamps when both sides send them. */
    private TcpSegment segment(Connection connection, Stream stream, int flags, int sequence, byte[] payload) {
        Target target = plan.target();
        return new TcpSegment(plan.ourMac(), connection.serverMac(), plan.ourIp(), target.virtualIp(), plan.sourcePort(),
                target.port(), sequence, stream.serverNext(), flags, TcpSegment.MAX_WINDOW, 0,
                connection.timestamps() ? new TcpSegment.Timestamps(ourClock(), stream.serverClock()) : null,
                payload.length, payload);
    }

    /** A segment before the connection is up: the SYN (timestamps offered when a conversation follows), a RST. */
    private TcpSegment segment(MacAddress serverMac, int flags, int sequence, int acknowledgment) {
        Target target = plan.target();
        boolean syn = (flags & TcpFlags.SYN) != 0;
        return new TcpSegment(plan.ourMac(), serverMac, plan.ourIp(), target.virtualIp(), plan.sourcePort(),
                target.port(), sequence, acknowledgment, flags, TcpSegment.MAX_WINDOW,
                syn ? TcpSegment.ethernetMss(target.ipv6()) : 0,
                syn && plan.converses() ? new TcpSegment.Timestamps(ourClock(), 0) : null, 0, TcpSegment.NO_DATA);
    }

    /** Our timestamp: the event's time in milliseconds (any origin will do; it only has to grow). */
    private int ourClock() {
        return (int) (eventTime / 1_000_000L);
    }

    /**
     * The server's clock to echo once {@code segment} is taken (RFC 7323 4.3): its timestamp, unless it
     * is older than the last or the segment lies beyond the bytes we acknowledge.
     */
    private static int clock(Stream stream, TcpSegment segment) {
        TcpSegment.Timestamps timestamps = segment.timestamps();
        return timestamps == null || timestamps.value() - stream.serverClock() < 0
                || segment.sequence() - stream.serverNext() > 0 ? stream.serverClock() : timestamps.value();
    }

    /** {@code first} then {@code second}: {@code second} itself when {@code first} is empty (neither is ever written to). */
    static byte[] concat(byte[] first, byte[] second) {
        if (first.length == 0) {
            return second;
        }
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** Why {@code segment} is not part of our connection, or {@code null} when it is. */
    private String foreign(TcpSegment segment, MacAddress serverMac) {
        Target target = plan.target();
        if (!segment.frameSource().equals(serverMac)) {
            return "from MAC " + segment.frameSource() + ", not the real server's " + serverMac;
        }
        if (!segment.sourceIp().equals(target.virtualIp()) || segment.sourcePort() != target.port()) {
            return "from " + segment.sourceIp() + ":" + segment.sourcePort() + ", not from the VIP " + target.service();
        }
        if (!segment.destinationIp().equals(plan.ourIp()) || segment.destinationPort() != plan.sourcePort()) {
            return "to " + segment.destinationIp() + ":" + segment.destinationPort() + ", not to our "
                    + plan.ourIp() + ":" + plan.sourcePort();
        }
        return null;
    }

    private static String wrongAck(TcpSegment segment, int expected) {
        return "(ack " + Integer.toUnsignedString(segment.acknowledgment()) + ", expected "
                + Integer.toUnsignedString(expected) + ")";
    }
}
