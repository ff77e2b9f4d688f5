package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.ArpPacket;
import io.github.checktcpraw.packet.Packet;
import io.github.checktcpraw.packet.PacketDecoder;
import io.github.checktcpraw.packet.TcpSegment;
import java.io.IOException;

/**
 * Drives a {@link RawTcpCheck} over a {@link FrameChannel}: sends what it asks for, waits for
 * frames until its next timer, and feeds it what arrives. The only loop of the raw check; it ends
 * because every awaited reply has a deadline and the check finishes at the last one.
 */
public final class RawCheckRunner {

    /** A wait with no deadline (timeout 0) still wakes this often to let the check look at its timers. */
    private static final long LONGEST_WAIT_NANOS = 1_000_000_000L;

    private RawCheckRunner() {
    }

    public static Outcome run(RawTcpCheck check, FrameChannel channel, CheckClock clock, PacketTrace trace)
            throws IOException {
        long realtimeToMonotonic = clock.monotonicNanos() - clock.realtimeNanos();
        CheckStep step = check.start(clock.monotonicNanos());
        while (true) {
            long sendingAt = clock.monotonicNanos();
            for (Packet packet : step.toSend()) {
                channel.send(encode(packet));
            }
            // Stamped before the send: over a veth the reply can be captured before send() returns.
            check.onSent(sendingAt);
            for (Packet packet : step.toSend()) {
                trace.sent(packet);
            }
            if (check.done()) {
                return check.outcome();
            }
            long wait = step.wakeAtNanos() == CheckStep.NO_TIMER
                    ? LONGEST_WAIT_NANOS
                    : Math.min(step.wakeAtNanos() - clock.monotonicNanos(), LONGEST_WAIT_NANOS);
            ReceivedFrame frame = wait > 0 ? channel.receive(wait) : null;
            long now = clock.monotonicNanos();
            if (frame == null) {
                step = check.onTimer(now);
            } else {
                Packet packet = PacketDecoder.decode(frame.frame());
                step = check.onPacket(packet, frame.timestampNanos() + realtimeToMonotonic, now);
                trace.received(packet, step.ignoredBecause());
            }
        }
    }

    private static byte[] encode(Packet packet) {
        return switch (packet) {
            case ArpPacket arp -> arp.encode();
            case TcpSegment segment -> segment.encode();
            case Packet.Undecoded undecoded -> throw new IllegalArgumentException("cannot send " + undecoded);
        };
    }
}
