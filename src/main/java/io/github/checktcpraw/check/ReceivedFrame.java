package io.github.checktcpraw.check;

/**
 * A received frame and the time the kernel stamped it with, in nanoseconds since the epoch
 * ({@link CheckClock#realtimeNanos()}): latencies come from these stamps, not from the JVM's view
 * of when Java code ran.
 *
 * @param frame the frame's first bytes, as many as the filter kept (the IP header says the real length)
 */
public record ReceivedFrame(byte[] frame, long timestampNanos) {
}
