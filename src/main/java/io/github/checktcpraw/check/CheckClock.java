package io.github.checktcpraw.check;

/**
 * The two clocks a check runs on, read by the shell (the system's) or simulated (tests). Timers run
 * on the monotonic clock, so a stepped wall clock cannot stretch or cut a timeout; the kernel stamps
 * frames on the realtime clock, which the runner maps onto the monotonic one.
 */
public interface CheckClock {

    /** {@link System#nanoTime()}: only differences mean anything. */
    long monotonicNanos();

    /** Nanoseconds since the epoch: the time base of {@link ReceivedFrame#timestampNanos()}. */
    long realtimeNanos();
}
