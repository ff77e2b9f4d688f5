package io.github.checktcpraw.check;

import java.time.Instant;

/**
 * The two clocks a check needs. Timers run on the monotonic clock, so a stepped wall clock cannot
 * stretch or cut a timeout; libpcap stamps packets on the realtime clock, which the runner maps onto
 * the monotonic one once per check.
 */
public interface CheckClock {

    CheckClock SYSTEM = new CheckClock() {
        @Override
        public long monotonicNanos() {
            return System.nanoTime();
        }

        @Override
        public long realtimeNanos() {
            Instant now = Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }
    };

    /** {@link System#nanoTime()}: only differences mean anything. */
    long monotonicNanos();

    /** Nanoseconds since the epoch: the time base of {@link ReceivedFrame#timestampNanos()}. */
    long realtimeNanos();
}
