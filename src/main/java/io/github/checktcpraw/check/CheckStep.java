package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.Packet;
import java.util.List;

/**
 * What the check wants done after an event: packets to send now, and when to call it back if
 * nothing arrives ({@link #NO_TIMER} once it is done).
 *
 * @param ignoredBecause why a received packet was not accepted, or {@code null}
 */
public record CheckStep(List<Packet> toSend, long wakeAtNanos, String ignoredBecause) {

    public static final long NO_TIMER = Long.MAX_VALUE;

    static CheckStep send(long wakeAtNanos, Packet... packets) {
        return new CheckStep(List.of(packets), wakeAtNanos, null);
    }

    /** A received packet not accepted; {@code packets} what it is answered with, if anything (a duplicate ACK). */
    static CheckStep ignore(long wakeAtNanos, String because, Packet... packets) {
        return new CheckStep(List.of(packets), wakeAtNanos, because);
    }
}
