package io.github.checktcpraw.pcap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * One captured packet, copied out of libpcap's buffer (which the next {@link Pcap#nextEx()} reuses).
 *
 * @param timestampNanos the kernel's capture stamp in nanoseconds since the epoch
 * @param wireLength     the packet's length on the wire ({@code len}), at least {@code data.length}
 * @param data           the captured bytes ({@code caplen} of them, at most the snapshot length)
 */
public record PcapPacket(long timestampNanos, int wireLength, byte[] data) {

    // struct pcap_pkthdr on Linux LP64 (x86-64, aarch64): struct timeval {long tv_sec; long tv_usec;},
    // then bpf_u_int32 caplen and bpf_u_int32 len.
    static final long HEADER_SIZE = 24;
    private static final long TV_SEC = 0;
    private static final long TV_USEC = 8;
    private static final long CAPLEN = 16;
    private static final long LEN = 20;

    /**
     * Decodes a {@code struct pcap_pkthdr} and copies the packet it describes.
     *
     * @param header     the header, at least {@link #HEADER_SIZE} bytes
     * @param data       where the packet bytes start (a bare pointer: its size is the header's caplen)
     * @param nanoStamps whether the capture used PCAP_TSTAMP_PRECISION_NANO, so that {@code tv_usec}
     *                   holds nanoseconds rather than microseconds
     */
    @SuppressWarnings("restricted")
    static PcapPacket copyOf(MemorySegment header, MemorySegment data, boolean nanoStamps) {
        long seconds = header.get(JAVA_LONG, TV_SEC);
        long fraction = header.get(JAVA_LONG, TV_USEC);
        int captured = header.get(JAVA_INT, CAPLEN);
        int wire = header.get(JAVA_INT, LEN);
        long nanos = nanoStamps ? fraction : fraction * 1_000L;
        return new PcapPacket(seconds * 1_000_000_000L + nanos, wire, data.reinterpret(captured).toArray(JAVA_BYTE));
    }
}
