package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.ArpPacket;
import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.packet.Ipv6Address;
import io.github.checktcpraw.packet.MacAddress;
import io.github.checktcpraw.packet.NeighborPacket;
import io.github.checktcpraw.packet.Packet;
import io.github.checktcpraw.packet.TcpFlags;
import io.github.checktcpraw.packet.TcpSegment;
import java.util.List;

/**
 * The raw check as a pure state machine: ARP (IPv4) or neighbour discovery (IPv6) for the real
 * server's MAC, SYN to the VIP through that MAC, ACK the SYN/ACK, then close with RST/ACK or, with
 * clean close, FIN/ACK and the final ACK. With a VIP probe ({@code --vip-arp}), it then asks the
 * real server's MAC directly for the VIP and listens a short while: a real server that answers for
 * the VIP would draw the VIP's traffic away from the director.
 *
 * <p>It does no I/O and reads no clock: events come in with their times ({@link #start},
 * {@link #onPacket}, {@link #onTimer}, {@link #onSent}, all on the monotonic clock) and each answers
 * with a {@link CheckStep}. Every reply is validated before it is believed: the real server's MAC, the
 * VIP and port as source, our address and port as destination, and the acknowledgment number. Each
 * awaited reply is bounded by the plan's reply timeout and the whole check by its deadline; the
 * request is retransmitted meanwhile on a {@link RetransmitSchedule}.
 */
public final class RawTcpCheck {

    /** Where the check is: one immutable record per phase, holding what that phase knows. */
    private sealed interface Phase permits Resolving, Connecting, Closing, Probing, Done {
    }

    private record Resolving() implements Phase {
    }

    private record Connecting(MacAddress serverMac, long resolutionNanos) implements Phase {
    }

    /**
     * @param serverNext the next sequence number we expect from the server
     * @param ourFinAcked whether the server has acknowledged our FIN
     * @param serverFinReceived whether we have received (and acknowledged) the server's FIN
     */
    private record Closing(MacAddress serverMac, long resolutionNanos, long handshakeNanos, int synsSent, int serverNext,
            boolean ourFinAcked, boolean serverFinReceived) implements Phase {
    }

    /** The check's own finding is {@code check}; now listening for the real server claiming the VIP. */
    private record Probing(Outcome check, MacAddress serverMac) implements Phase {
    }

    private record Done(Outcome outcome) implements Phase {
    }

    /**
     * The request whose reply is awaited, and its timers.
     *
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

    private final RawCheckPlan plan;
    private final RetransmitSchedule arpSchedule;
    private final RetransmitSchedule tcpSchedule;
    private final RetransmitSchedule probeSchedule;
    private final int ourSynSequence;
    private Phase phase = new Resolving();
    /** Valid in every phase but {@link Done}. */
    private Awaiting awaiting;

    public RawTcpCheck(RawCheckPlan plan) {
        this.plan = plan;
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
        Target target = plan.target();
        return await(target.ipv6()
                ? NeighborPacket.solicitation(plan.ourMac(), (Ipv6Address) plan.ourIp(), (Ipv6Address) target.realServer())
                : ArpPacket.request(plan.ourMac(), (Ipv4Address) plan.ourIp(), (Ipv4Address) target.realServer()), now);
    }

    /**
     * A packet the channel delivered.
     *
     * @param capturedAt when the kernel stamped it, on the monotonic clock
     */
    public CheckStep onPacket(Packet packet, long capturedAt, long now) {
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
                : ((Closing) phase).serverMac();
        String foreign = foreign(segment, serverMac);
        if (foreign != null) {
            return CheckStep.ignore(wakeAt(), foreign);
        }
        return phase instanceof Connecting connecting ? onConnecting(connecting, segment, capturedAt, now)
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
    }

    /** The time asked for in the last step has come (or the wait ended early: then nothing happens). */
    public CheckStep onTimer(long now) {
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
        Packet request = awaiting.request();
        if (phase instanceof Closing closing) {
            // Acknowledge whatever the server sent since the first FIN.
            request = segment(closing.serverMac(), TcpFlags.FIN | TcpFlags.ACK, ourSynSequence + 1, closing.serverNext());
        }
        awaiting = new Awaiting(request, sent, awaiting.firstSentAt(), now + schedule().intervalAfter(sent),
                awaiting.replyDeadline(), false);
        return CheckStep.send(wakeAt(), request);
    }

    /**
     * What to send if the check is abandoned now (the process was told to stop): RSTs for any state
     * the real server may hold. After our SYN it may sit in SYN-RECEIVED, which a RST at our SYN's
     * sequence + 1 clears; while closing, {@link #resets}. Nothing before the SYN or once done.
     */
    public List<Packet> resetsIfAbandoned() {
        if (phase instanceof Connecting connecting) {
            return List.of(segment(connecting.serverMac(), TcpFlags.RST, ourSynSequence + 1, 0));
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
        int synsSent = awaiting.sent();
        int serverNext = segment.sequence() + 1;
        MacAddress serverMac = connecting.serverMac();
        Packet ack = segment(serverMac, TcpFlags.ACK, expectedAck, serverNext);
        if (!plan.cleanClose()) {
            return conclude(answered(connecting, handshakeNanos, synsSent, Outcome.Close.QUICK, null), serverMac, now,
                    ack, segment(serverMac, TcpFlags.RST | TcpFlags.ACK, expectedAck, serverNext));
        }
        phase = new Closing(serverMac, connecting.resolutionNanos(), handshakeNanos, synsSent, serverNext, false, false);
        Packet fin = segment(serverMac, TcpFlags.FIN | TcpFlags.ACK, expectedAck, serverNext);
        return CheckStep.send(await(fin, now).wakeAtNanos(), ack, fin);
    }

    private CheckStep onClosing(Closing closing, TcpSegment segment, long now) {
        int ourNext = ourSynSequence + 2; // after SYN and FIN
        if (segment.has(TcpFlags.RST)) {
            // RFC 5961: only a RST at exactly the next expected sequence ends the connection.
            if (segment.sequence() != closing.serverNext()) {
                return CheckStep.ignore(wakeAt(), "RST with sequence " + Integer.toUnsignedString(segment.sequence())
                        + " outside the window (expected " + Integer.toUnsignedString(closing.serverNext()) + ")");
            }
            return conclude(answered(closing, Outcome.Close.RESET_BY_SERVER, null), closing.serverMac(), now);
        }
        if (segment.has(TcpFlags.SYN)) {
            return CheckStep.ignore(wakeAt(), "SYN/ACK again: our ACK was lost, our FIN will be retransmitted");
        }
        boolean finAcked = closing.ourFinAcked()
                || (segment.has(TcpFlags.ACK) && segment.acknowledgment() == ourNext);
        if (finAcked && !closing.ourFinAcked()) {
            awaiting = new Awaiting(awaiting.request(), awaiting.sent(), awaiting.firstSentAt(), CheckStep.NO_TIMER,
                    awaiting.replyDeadline(), awaiting.stampPending()); // nothing left to retransmit
        }
        boolean carriesSequence = segment.payloadLength() > 0 || segment.has(TcpFlags.FIN);
        if (carriesSequence && segment.sequence() != closing.serverNext()) {
            phase = withFinAcked(closing, finAcked);
            return CheckStep.ignore(wakeAt(), "out of order: sequence " + Integer.toUnsignedString(segment.sequence())
                    + ", expected " + Integer.toUnsignedString(closing.serverNext()));
        }
        if (!carriesSequence) {
            Closing updated = withFinAcked(closing, finAcked);
            phase = updated;
            return updated.ourFinAcked() && updated.serverFinReceived() ? closedCleanly(updated, now)
                    : CheckStep.send(wakeAt());
        }
        Closing updated = new Closing(closing.serverMac(), closing.resolutionNanos(), closing.handshakeNanos(),
                closing.synsSent(), closing.serverNext() + segment.sequenceLength(), finAcked,
                closing.serverFinReceived() || segment.has(TcpFlags.FIN));
        phase = updated;
        Packet ack = segment(updated.serverMac(), TcpFlags.ACK, ourNext, updated.serverNext());
        if (updated.ourFinAcked() && updated.serverFinReceived()) {
            return closedCleanly(updated, now, ack);
        }
        return CheckStep.send(wakeAt(), ack);
    }

    private static Closing withFinAcked(Closing closing, boolean finAcked) {
        return finAcked == closing.ourFinAcked() ? closing
                : new Closing(closing.serverMac(), closing.resolutionNanos(), closing.handshakeNanos(), closing.synsSent(),
                        closing.serverNext(), true, closing.serverFinReceived());
    }

    private CheckStep closedCleanly(Closing closing, long now, Packet... last) {
        return conclude(answered(closing, Outcome.Close.CLEAN, null), closing.serverMac(), now, last);
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
        Target target = plan.target();
        Packet probe = target.ipv6()
                ? NeighborPacket.solicitation(plan.ourMac(), (Ipv6Address) plan.ourIp(), (Ipv6Address) target.virtualIp(),
                        serverMac)
                : ArpPacket.request(plan.ourMac(), (Ipv4Address) plan.ourIp(), (Ipv4Address) target.virtualIp(), serverMac);
        awaiting = new Awaiting(probe, 1, now, now + probeSchedule.intervalAfter(1), now + plan.vipProbeNanos(), true);
        Packet[] packets = java.util.Arrays.copyOf(last, last.length + 1);
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
        Closing closing = (Closing) phase;
        return conclude(answered(closing, Outcome.Close.UNFINISHED, bound), closing.serverMac(), now, resets(closing));
    }

    /**
     * RSTs that end our connection whether or not the server got our FIN: RFC 5961 stacks (Linux)
     * accept only a RST at exactly their next expected sequence, which is one of these two.
     */
    private Packet[] resets(Closing closing) {
        int afterSyn = ourSynSequence + 1;
        Packet afterFin = segment(closing.serverMac(), TcpFlags.RST | TcpFlags.ACK, afterSyn + 1, closing.serverNext());
        return closing.ourFinAcked() ? new Packet[] {afterFin}
                : new Packet[] {segment(closing.serverMac(), TcpFlags.RST | TcpFlags.ACK, afterSyn, closing.serverNext()),
                        afterFin};
    }

    /** Sends {@code request} now and waits for its reply, within the reply timeout and the check's deadline. */
    private CheckStep await(Packet request, long now) {
        long replyDeadline = plan.replyTimeoutNanos() == 0 ? CheckStep.NO_TIMER : now + plan.replyTimeoutNanos();
        awaiting = new Awaiting(request, 1, now, now + schedule().intervalAfter(1), replyDeadline, true);
        return CheckStep.send(wakeAt(), request);
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

    private Outcome answered(Connecting connecting, long handshakeNanos, int synsSent, Outcome.Close close,
            Bound closeBound) {
        return new Outcome.Answered(plan.target(), connecting.serverMac(), connecting.resolutionNanos(), handshakeNanos,
                synsSent, close, closeBound);
    }

    private Outcome answered(Closing closing, Outcome.Close close, Bound closeBound) {
        return new Outcome.Answered(plan.target(), closing.serverMac(), closing.resolutionNanos(), closing.handshakeNanos(),
                closing.synsSent(), close, closeBound);
    }

    private TcpSegment segment(MacAddress serverMac, int flags, int sequence, int acknowledgment) {
        Target target = plan.target();
        return new TcpSegment(plan.ourMac(), serverMac, plan.ourIp(), target.virtualIp(), plan.sourcePort(),
                target.port(), sequence, acknowledgment, flags, TcpSegment.MAX_WINDOW,
                (flags & TcpFlags.SYN) != 0 ? TcpSegment.ethernetMss(target.ipv6()) : 0, 0, TcpSegment.NO_DATA);
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
