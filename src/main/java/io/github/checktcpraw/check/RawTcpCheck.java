package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.ArpPacket;
import io.github.checktcpraw.packet.MacAddress;
import io.github.checktcpraw.packet.Packet;
import io.github.checktcpraw.packet.TcpFlags;
import io.github.checktcpraw.packet.TcpSegment;
import java.util.List;

/**
 * The raw check as a pure state machine: ARP for the real server's MAC, SYN to the VIP through that
 * MAC, ACK the SYN/ACK, then close with RST/ACK or, with clean close, FIN/ACK and the final ACK.
 *
 * <p>It does no I/O and reads no clock: events come in with their times ({@link #start},
 * {@link #onPacket}, {@link #onTimer}, all on the monotonic clock) and each answers with a
 * {@link CheckStep}. Every reply is validated before it is believed: the real server's MAC, the
 * VIP and port as source, our address and port as destination, and the acknowledgment number.
 * Awaited replies are bounded by the plan's timeout; the request is retransmitted meanwhile on a
 * {@link RetransmitSchedule}.
 */
public final class RawTcpCheck {

    private enum Phase { RESOLVING, CONNECTING, CLOSING, DONE }

    private final RawCheckPlan plan;
    private final RetransmitSchedule arpSchedule;
    private final RetransmitSchedule tcpSchedule;
    private final int ourSynSequence;

    private Phase phase = Phase.RESOLVING;
    private Outcome outcome;

    // The request whose reply is awaited, and its timers.
    private Packet request;
    private int transmissions;
    private long requestedAt;
    private long nextRetransmitAt;
    private long deadline;
    /** The request just issued has not been stamped with its real send time yet. */
    private boolean sendTimePending;

    private MacAddress serverMac;
    private long arpNanos = Outcome.NOT_MEASURED;
    private long handshakeNanos = Outcome.NOT_MEASURED;
    private int synTransmissions;
    private int serverNext;
    private boolean ourFinAcked;
    private boolean serverFinReceived;

    public RawTcpCheck(RawCheckPlan plan) {
        this.plan = plan;
        this.arpSchedule = RetransmitSchedule.forArp(plan.timeoutNanos());
        this.tcpSchedule = RetransmitSchedule.forTcp(plan.timeoutNanos());
        this.ourSynSequence = plan.initialSequence();
    }

    public boolean done() {
        return phase == Phase.DONE;
    }

    /** The result, once {@link #done()}. */
    public Outcome outcome() {
        return outcome;
    }

    public CheckStep start(long now) {
        return await(ArpPacket.request(plan.ourMac(), plan.ourIp(), plan.realServer()), now);
    }

    /**
     * A packet the capture delivered.
     *
     * @param capturedAt when the kernel stamped it, on the monotonic clock
     */
    public CheckStep onPacket(Packet packet, long capturedAt, long now) {
        if (phase != Phase.DONE && reached(deadline, capturedAt)) {
            return expire(); // whatever it is, it came too late
        }
        return switch (phase) {
            case RESOLVING -> packet instanceof ArpPacket arp
                    ? onArp(arp, capturedAt, now)
                    : CheckStep.ignore(wakeAt(), "waiting for the ARP reply");
            case CONNECTING, CLOSING -> {
                if (!(packet instanceof TcpSegment segment)) {
                    yield CheckStep.ignore(wakeAt(), "not a TCP segment");
                }
                String foreign = foreign(segment);
                if (foreign != null) {
                    yield CheckStep.ignore(wakeAt(), foreign);
                }
                yield phase == Phase.CONNECTING ? onConnecting(segment, capturedAt, now) : onClosing(segment);
            }
            case DONE -> CheckStep.ignore(CheckStep.NO_TIMER, "the check is over");
        };
    }

    /**
     * The packets of the last step were handed to the network at {@code sentAt}: a new request's
     * timers and the latency it will be measured by start there, not when the step was computed,
     * so that the reported latency is the wire's, not the JVM's.
     */
    public void onSent(long sentAt) {
        if (sendTimePending) {
            long delay = sentAt - requestedAt;
            requestedAt = sentAt;
            nextRetransmitAt += delay;
            if (deadline != CheckStep.NO_TIMER) {
                deadline += delay;
            }
            sendTimePending = false;
        }
    }

    /** The time asked for in the last step has come (or the wait ended early: then nothing happens). */
    public CheckStep onTimer(long now) {
        if (phase == Phase.DONE) {
            return CheckStep.send(CheckStep.NO_TIMER);
        }
        if (reached(deadline, now)) {
            return expire();
        }
        if (reached(nextRetransmitAt, now)) {
            transmissions++;
            if (phase == Phase.CONNECTING) {
                synTransmissions = transmissions;
            }
            nextRetransmitAt = now + schedule().intervalAfter(transmissions);
            if (phase == Phase.CLOSING) {
                // Acknowledge whatever the server sent since the first FIN.
                request = segment(TcpFlags.FIN | TcpFlags.ACK, ourSynSequence + 1, serverNext);
            }
            return CheckStep.send(wakeAt(), request);
        }
        return CheckStep.send(wakeAt());
    }

    private CheckStep onArp(ArpPacket arp, long capturedAt, long now) {
        if (!arp.isReply() || !arp.senderIp().equals(plan.realServer())) {
            return CheckStep.ignore(wakeAt(), "not an ARP reply from " + plan.realServer());
        }
        if (!arp.targetIp().equals(plan.ourIp()) || !arp.targetMac().equals(plan.ourMac())) {
            return CheckStep.ignore(wakeAt(), "ARP reply addressed to " + arp.targetIp() + " (" + arp.targetMac()
                    + "), not to us");
        }
        if (capturedAt - requestedAt < 0) {
            // Another check's (or the kernel's) exchange with the same server, captured before ours began.
            return CheckStep.ignore(wakeAt(), "ARP reply captured before our request");
        }
        serverMac = arp.senderMac();
        arpNanos = capturedAt - requestedAt;
        phase = Phase.CONNECTING;
        synTransmissions = 1;
        return await(segment(TcpFlags.SYN, ourSynSequence, 0), now);
    }

    private CheckStep onConnecting(TcpSegment segment, long capturedAt, long now) {
        int expectedAck = ourSynSequence + 1;
        if (segment.has(TcpFlags.RST)) {
            if (!segment.has(TcpFlags.ACK) || segment.acknowledgment() != expectedAck) {
                return CheckStep.ignore(wakeAt(), "RST that does not acknowledge our SYN " + wrongAck(segment, expectedAck));
            }
            return finish(Outcome.failed("connection refused (RST) for VIP " + plan.service() + " by real server "
                    + realServer() + " (is the service listening on the VIP?)", arpNanos));
        }
        if (!segment.has(TcpFlags.SYN | TcpFlags.ACK)) {
            return CheckStep.ignore(wakeAt(), "flags " + TcpFlags.format(segment.flags()) + " before the SYN/ACK");
        }
        if (segment.acknowledgment() != expectedAck) {
            return CheckStep.ignore(wakeAt(), "SYN/ACK that does not acknowledge our SYN " + wrongAck(segment, expectedAck));
        }
        handshakeNanos = elapsedSinceRequest(capturedAt);
        serverNext = segment.sequence() + 1;
        Packet ack = segment(TcpFlags.ACK, expectedAck, serverNext);
        if (!plan.cleanClose()) {
            finish(answered(Outcome.Verdict.ANSWERED, ""));
            return CheckStep.send(CheckStep.NO_TIMER, ack, segment(TcpFlags.RST | TcpFlags.ACK, expectedAck, serverNext));
        }
        phase = Phase.CLOSING;
        Packet fin = segment(TcpFlags.FIN | TcpFlags.ACK, expectedAck, serverNext);
        CheckStep awaiting = await(fin, now);
        return CheckStep.send(awaiting.wakeAtNanos(), ack, fin);
    }

    private CheckStep onClosing(TcpSegment segment) {
        int ourNext = ourSynSequence + 2; // after SYN and FIN
        if (segment.has(TcpFlags.RST)) {
            if (segment.sequence() != serverNext) {
                return CheckStep.ignore(wakeAt(), "RST with sequence " + Integer.toUnsignedString(segment.sequence())
                        + " outside the window (expected " + Integer.toUnsignedString(serverNext) + ")");
            }
            return finish(answered(Outcome.Verdict.ANSWERED, ", reset by the server while closing"));
        }
        if (segment.has(TcpFlags.SYN)) {
            return CheckStep.ignore(wakeAt(), "SYN/ACK again: our ACK was lost, our FIN will be retransmitted");
        }
        if (segment.has(TcpFlags.ACK) && segment.acknowledgment() == ourNext && !ourFinAcked) {
            ourFinAcked = true;
            nextRetransmitAt = CheckStep.NO_TIMER;
        }
        boolean carriesSequence = segment.payloadLength() > 0 || segment.has(TcpFlags.FIN);
        if (carriesSequence && segment.sequence() != serverNext) {
            return CheckStep.ignore(wakeAt(), "out of order: sequence " + Integer.toUnsignedString(segment.sequence())
                    + ", expected " + Integer.toUnsignedString(serverNext));
        }
        if (!carriesSequence) {
            return ourFinAcked && serverFinReceived ? closedCleanly() : CheckStep.send(wakeAt());
        }
        serverNext += segment.sequenceLength();
        serverFinReceived |= segment.has(TcpFlags.FIN);
        Packet ack = segment(TcpFlags.ACK, ourNext, serverNext);
        if (ourFinAcked && serverFinReceived) {
            closedCleanly();
            return CheckStep.send(CheckStep.NO_TIMER, ack);
        }
        return CheckStep.send(wakeAt(), ack);
    }

    private CheckStep closedCleanly() {
        return finish(answered(Outcome.Verdict.ANSWERED, ", closed cleanly"));
    }

    private CheckStep expire() {
        String within = " within " + plan.timeoutNanos() / 1_000_000 + " ms";
        return switch (phase) {
            case RESOLVING -> finish(Outcome.failed("no ARP reply from " + plan.realServer() + within
                    + sentTimes("ARP request", transmissions) + (plan.onRealServersNetwork() ? ""
                            : " (asked from " + plan.ourIp() + ", which is not in its network: is SOURCE_IFACE right?)"),
                    Outcome.NOT_MEASURED));
            case CONNECTING -> finish(Outcome.failed("no SYN/ACK for VIP " + plan.service() + " from real server "
                    + realServer() + within + sentTimes("SYN", transmissions)
                    + " (is the VIP on its loopback?)", arpNanos));
            case CLOSING -> {
                finish(answered(Outcome.Verdict.ANSWERED_BADLY, ", but did not finish the clean close" + within
                        + " (connection reset)"));
                yield CheckStep.send(CheckStep.NO_TIMER, resets());
            }
            case DONE -> CheckStep.send(CheckStep.NO_TIMER);
        };
    }

    /**
     * What to send if the check is abandoned now (the process was told to stop): RSTs for any state
     * the real server may hold. After our SYN it may sit in SYN-RECEIVED, which a RST at our SYN's
     * sequence + 1 clears; while closing, {@link #resets()}. Nothing before the SYN or once done.
     */
    public List<Packet> resetsIfAbandoned() {
        return switch (phase) {
            case RESOLVING, DONE -> List.of();
            case CONNECTING -> List.of(segment(TcpFlags.RST, ourSynSequence + 1, 0));
            case CLOSING -> List.of(resets());
        };
    }

    /**
     * RSTs that end our connection whether or not the server got our FIN: RFC 5961 stacks (Linux)
     * accept only a RST at exactly their next expected sequence, which is one of these two.
     */
    private Packet[] resets() {
        int afterSyn = ourSynSequence + 1;
        Packet afterFin = segment(TcpFlags.RST | TcpFlags.ACK, afterSyn + 1, serverNext);
        return ourFinAcked ? new Packet[] {afterFin}
                : new Packet[] {segment(TcpFlags.RST | TcpFlags.ACK, afterSyn, serverNext), afterFin};
    }

    /**
     * From sending the request to the kernel's stamp on its reply. The two come from different clocks
     * mapped onto one; over a veth a reply can come back within microseconds, so the mapping's error
     * must not show as a negative latency.
     */
    private long elapsedSinceRequest(long capturedAt) {
        return Math.max(0, capturedAt - requestedAt);
    }

    /** Sends {@code packet} now and waits for its reply for at most the plan's timeout. */
    private CheckStep await(Packet packet, long now) {
        request = packet;
        transmissions = 1;
        requestedAt = now;
        sendTimePending = true;
        nextRetransmitAt = now + schedule().intervalAfter(1);
        deadline = plan.timeoutNanos() == 0 ? CheckStep.NO_TIMER : now + plan.timeoutNanos();
        return CheckStep.send(wakeAt(), packet);
    }

    private RetransmitSchedule schedule() {
        return phase == Phase.RESOLVING ? arpSchedule : tcpSchedule;
    }

    /** nanoTime values may be negative, so times compare by their difference; NO_TIMER never comes. */
    private static boolean reached(long time, long now) {
        return time != CheckStep.NO_TIMER && now - time >= 0;
    }

    private long wakeAt() {
        if (phase == Phase.DONE) {
            return CheckStep.NO_TIMER;
        }
        if (nextRetransmitAt == CheckStep.NO_TIMER) {
            return deadline;
        }
        return deadline == CheckStep.NO_TIMER || nextRetransmitAt - deadline < 0 ? nextRetransmitAt : deadline;
    }

    private CheckStep finish(Outcome result) {
        phase = Phase.DONE;
        outcome = result;
        return CheckStep.send(CheckStep.NO_TIMER);
    }

    private Outcome answered(Outcome.Verdict verdict, String closing) {
        String summary = plan.service() + " via " + realServer() + " answered in " + Millis.format(handshakeNanos)
                + sentTimes("SYN", synTransmissions) + closing;
        return new Outcome(verdict, summary, handshakeNanos, arpNanos);
    }

    private String realServer() {
        return plan.realServer() + " (" + serverMac + ")";
    }

    private TcpSegment segment(int flags, int sequence, int acknowledgment) {
        return new TcpSegment(plan.ourMac(), serverMac, plan.ourIp(), plan.virtualIp(), plan.sourcePort(),
                plan.port(), sequence, acknowledgment, flags, 0);
    }

    /** Why {@code segment} is not part of our connection, or {@code null} when it is. */
    private String foreign(TcpSegment segment) {
        if (!segment.frameSource().equals(serverMac)) {
            return "from MAC " + segment.frameSource() + ", not the real server's " + serverMac;
        }
        if (!segment.sourceIp().equals(plan.virtualIp()) || segment.sourcePort() != plan.port()) {
            return "from " + segment.sourceIp() + ":" + segment.sourcePort() + ", not from the VIP " + plan.service();
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

    private static String sentTimes(String what, int times) {
        return times > 1 ? " (" + what + " sent " + times + " times)" : "";
    }
}
