package io.github.checktcpraw.pcap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Decoding {@code struct pcap_pkthdr} as libpcap lays it out on Linux LP64. */
class PcapPacketTest {

    private static final long SECONDS = 1_700_000_000L;

    @Test
    void nanosecondStampsAreTakenAsTheyAre() {
        try (Arena arena = Arena.ofConfined()) {
            PcapPacket packet = PcapPacket.copyOf(header(arena, SECONDS, 123_456_789L, 3, 60),
                    data(arena, 1, 2, 3, 4), true);

            assertEquals(SECONDS * 1_000_000_000L + 123_456_789L, packet.timestampNanos());
        }
    }

    @Test
    void microsecondStampsAreScaledToNanoseconds() {
        try (Arena arena = Arena.ofConfined()) {
            PcapPacket packet = PcapPacket.copyOf(header(arena, SECONDS, 999_999L, 3, 60),
                    data(arena, 1, 2, 3, 4), false);

            assertEquals(SECONDS * 1_000_000_000L + 999_999_000L, packet.timestampNanos());
        }
    }

    @Test
    void copiesCaplenBytesAndKeepsTheWireLength() {
        try (Arena arena = Arena.ofConfined()) {
            PcapPacket packet = PcapPacket.copyOf(header(arena, SECONDS, 0, 3, 1514),
                    data(arena, 10, 20, 30, 40), true);

            assertArrayEquals(new byte[] {10, 20, 30}, packet.data());
            assertEquals(1514, packet.wireLength());
        }
    }

    @Test
    void theCopyOutlivesTheNativeBuffer() {
        byte[] copied;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocateFrom(JAVA_BYTE, (byte) 7, (byte) 8);
            copied = PcapPacket.copyOf(header(arena, SECONDS, 0, 2, 2), MemorySegment.ofAddress(data.address()), true)
                    .data();
            data.set(JAVA_BYTE, 0, (byte) 0);
        }
        assertArrayEquals(new byte[] {7, 8}, copied);
    }

    /** struct pcap_pkthdr: long tv_sec, long tv_usec, bpf_u_int32 caplen, bpf_u_int32 len. */
    private static MemorySegment header(Arena arena, long seconds, long fraction, int caplen, int len) {
        MemorySegment header = arena.allocate(PcapPacket.HEADER_SIZE, 8);
        header.set(JAVA_LONG, 0, seconds);
        header.set(JAVA_LONG, 8, fraction);
        header.set(JAVA_INT, 16, caplen);
        header.set(JAVA_INT, 20, len);
        return header;
    }

    /** As pcap_next_ex hands it out: a bare pointer, a zero-length segment. */
    private static MemorySegment data(Arena arena, int... bytes) {
        MemorySegment data = arena.allocate(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            data.set(JAVA_BYTE, i, (byte) bytes[i]);
        }
        return MemorySegment.ofAddress(data.address());
    }
}
