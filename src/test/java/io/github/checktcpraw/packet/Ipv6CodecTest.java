package io.github.checktcpraw.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** IPv6 and neighbour discovery against frames a real kernel sent and checked ({@link CapturedFrames6}). */
class Ipv6CodecTest {

    private static final MacAddress DIRECTOR = MacAddress.parse(CapturedFrames6.DIRECTOR_MAC);
    private static final MacAddress SERVER = MacAddress.parse(CapturedFrames6.SERVER_MAC);
    private static final Ipv6Address DIRECTOR_IP = address(0x10);
    private static final Ipv6Address SERVER_IP = address(0x42);
    private static final Ipv6Address VIP = address(0x100);

    private static Ipv6Address address(long last) {
        return new Ipv6Address(0x2001_0db8_0001_0000L, last);
    }

    @Test
    void ourSolicitationIsByteForByteWhatTheKernelSendsAndChecked() {
        NeighborPacket solicitation = NeighborPacket.solicitation(DIRECTOR, DIRECTOR_IP, SERVER_IP);

        assertArrayEquals(CapturedFrames6.SOLICITATION, solicitation.encode());
        assertEquals("(d6:a1:d8:82:86:0e) 2001:db8:1::10 NDP solicitation who has 2001:db8:1::42 (33:33:ff:00:00:42)",
                solicitation.toString());
    }

    @Test
    void theKernelsAdvertisementDecodesWithItsTargetLinkLayerAddress() {
        NeighborPacket advertisement = assertInstanceOf(NeighborPacket.class,
                PacketDecoder.decode(CapturedFrames6.ADVERTISEMENT));

        assertTrue(advertisement.isAdvertisement());
        assertEquals(SERVER_IP, advertisement.target());
        assertEquals(SERVER, advertisement.linkLayerAddress());
        assertEquals(DIRECTOR_IP, advertisement.destinationIp());
        assertEquals(NeighborPacket.LINK_HOP_LIMIT, advertisement.hopLimit());
        assertEquals(NeighborPacket.SOLICITED | NeighborPacket.OVERRIDE, advertisement.flags());
        assertEquals("(06:0a:bf:60:ae:ff) 2001:db8:1::42 NDP advertisement to 2001:db8:1::10 (d6:a1:d8:82:86:0e)",
                advertisement.toString());
        assertArrayEquals(CapturedFrames6.ADVERTISEMENT, advertisement.encode(), "and encodes back to the same bytes");
    }

    @Test
    void aWrongIcmpv6ChecksumIsNamed() {
        byte[] corrupted = CapturedFrames6.ADVERTISEMENT.clone();
        corrupted[corrupted.length - 1] ^= 1;

        assertEquals(new Packet.Undecoded("ICMPv6 checksum wrong"), PacketDecoder.decode(corrupted));
    }

    @Test
    void aSolicitationWithoutItsOptionHasNoLinkLayerAddress() {
        NeighborPacket rebuilt = new NeighborPacket(DIRECTOR, MacAddress.parse("33:33:ff:00:00:42"), DIRECTOR_IP,
                SERVER_IP.solicitedNode(), 255, NeighborPacket.SOLICITATION, 0, SERVER_IP, null);

        NeighborPacket decoded = assertInstanceOf(NeighborPacket.class, PacketDecoder.decode(rebuilt.encode()));
        assertNull(decoded.linkLayerAddress());
        assertFalse(decoded.isAdvertisement());
    }

    @Test
    void ourSynIsByteForByteWhatTheKernelChecked() {
        TcpSegment syn = new TcpSegment(DIRECTOR, SERVER, DIRECTOR_IP, VIP, CapturedFrames6.SOURCE_PORT, 80,
                (int) 3373589749L, 0, TcpFlags.SYN, 64240, TcpSegment.ethernetMss(true), null, 0, TcpSegment.NO_DATA);

        assertArrayEquals(CapturedFrames6.SYN, syn.encode());
        assertEquals("(d6:a1:d8:82:86:0e) [2001:db8:1::10]:42457 > [2001:db8:1::100]:80 (06:0a:bf:60:ae:ff) Flags [S],"
                + " seq 3373589749, ack 0", syn.toString());
    }

    @Test
    void theKernelsSynAckOverIpv6Decodes() {
        TcpSegment synAck = assertInstanceOf(TcpSegment.class, PacketDecoder.decode(CapturedFrames6.SYN_ACK));

        assertEquals(VIP, synAck.sourceIp());
        assertEquals(DIRECTOR_IP, synAck.destinationIp());
        assertEquals(80, synAck.sourcePort());
        assertEquals(CapturedFrames6.SOURCE_PORT, synAck.destinationPort());
        assertEquals(553565067, synAck.sequence());
        assertEquals((int) 3373589750L, synAck.acknowledgment());
        assertTrue(synAck.has(TcpFlags.SYN | TcpFlags.ACK));
        assertEquals(0, synAck.payloadLength());
    }

    @Test
    void extensionHeadersAreNamedNotGuessedAt() {
        byte[] hopByHop = CapturedFrames6.SYN_ACK.clone();
        hopByHop[14 + 6] = 0;

        assertEquals(new Packet.Undecoded("IPv6 extension header 0"), PacketDecoder.decode(hopByHop));
    }

    @Test
    void addressesAreWrittenAsRfc5952Says() {
        assertEquals("2001:db8:1::42", SERVER_IP.toString());
        assertEquals("::", new Ipv6Address(0, 0).toString());
        assertEquals("::1", new Ipv6Address(0, 1).toString());
        assertEquals("fe80::a0a5:6fff:fe8c:72", new Ipv6Address(0xfe80_0000_0000_0000L, 0xa0a5_6fff_fe8c_0072L).toString());
        assertEquals("2001:db8::1:0:0:1", new Ipv6Address(0x2001_0db8_0000_0000L, 0x0001_0000_0000_0001L).toString(),
                "the first of two equally long runs");
        assertEquals("2001:db8:0:1:1:1:1:1", new Ipv6Address(0x2001_0db8_0000_0001L, 0x0001_0001_0001_0001L).toString(),
                "a single zero group stays");
        assertEquals("[2001:db8:1::100]", VIP.withPortPrefix());
    }

    @Test
    void solicitedNodeGroupsAndTheirMulticastMacs() {
        assertEquals("ff02::1:ff00:42", SERVER_IP.solicitedNode().toString());
        assertEquals(MacAddress.parse("33:33:ff:00:00:42"), SERVER_IP.solicitedNode().multicastMac());
        assertTrue(new Ipv6Address(0xfe80_0000_0000_0000L, 1).isLinkLocal());
        assertFalse(SERVER_IP.isLinkLocal());
        assertTrue(SERVER_IP.sameNetwork(DIRECTOR_IP, 64));
        assertFalse(SERVER_IP.sameNetwork(new Ipv6Address(0x2001_0db8_0002_0000L, 0x42), 64));
        assertFalse(SERVER_IP.sameNetwork(Ipv4Address.parseLiteral("198.51.100.42"), 0), "never across families");
    }
}
