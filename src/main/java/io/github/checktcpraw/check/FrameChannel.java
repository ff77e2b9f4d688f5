package io.github.checktcpraw.check;

import java.io.IOException;

/**
 * Where the check sends raw Ethernet frames and receives the replies its kernel filter let through:
 * a packet socket in production ({@code linux.PacketSocket}), a simulated real server in tests, so
 * that the check's logic is the same code in both.
 *
 * <p>One thread receives; {@link #send} and {@link #close} may come from another (a signal's
 * shutdown hook resets the connection while the check waits).
 */
public interface FrameChannel extends AutoCloseable {

    /** Sends one complete Ethernet frame (no FCS). */
    void send(byte[] frame) throws IOException;

    /**
     * Waits for the next frame, at most {@code timeoutNanos} (0: just look).
     *
     * @return the frame, or {@code null} when none arrived in time
     */
    ReceivedFrame receive(long timeoutNanos) throws IOException;

    @Override
    void close();
}
