package io.github.checktcpraw.check;

import java.io.IOException;

/**
 * Where the check sends raw Ethernet frames and receives the replies a kernel filter let through.
 * libpcap implements it in production ({@code pcap.PcapFrameChannel}); a simulated peer implements
 * it in the unit tests, so the check's logic is the same code in both.
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
