package io.github.checktcpraw.check;

/**
 * A captured frame and the time the kernel stamped it with, in nanoseconds since the epoch on the
 * same realtime clock as {@link CheckClock}: latencies come from these stamps, not from the JVM's
 * view of when Java code ran.
 */
public record ReceivedFrame(byte[] frame, long timestampNanos) {
}
