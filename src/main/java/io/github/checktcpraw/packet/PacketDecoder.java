package io.github.checktcpraw.packet;

/**
 * Decodes a received Ethernet frame. Total over all inputs: whatever the bytes, it returns an
 * {@link ArpPacket}, a {@link NeighborPacket}, a {@link TcpSegment} or a {@link Packet.Undecoded} naming
 * why, and never throws.
 */
public final class PacketDecoder {

    /** VLAN tags stacked deeper than this are not traffic this check sends or expects. */
    private static final int MAX_VLAN_TAGS = 2;

    private PacketDecoder() {
    }

    public static Packet decode(byte[] frame) {
        return decode(frame, frame.length);
    }

    /** Decodes the first {@code length} bytes of {@code frame} (the bytes the kernel filter kept). */
    public static Packet decode(byte[] frame, int length) {
        if (length < 0 || length > frame.length) {
            return new Packet.Undecoded("captured length " + length + " outside the buffer's " + frame.length);
        }
        if (length < Ethernet.HEADER) {
            return new Packet.Undecoded("Ethernet header truncated: " + length + " bytes");
        }
        MacAddress destination = MacAddress.read(frame, 0);
        MacAddress source = MacAddress.read(frame, 6);
        int at = 12;
        int etherType = Bytes.readShort(frame, at);
        for (int tags = 0; etherType == Ethernet.TYPE_VLAN || etherType == Ethernet.TYPE_QINQ; tags++) {
            if (tags == MAX_VLAN_TAGS || length < at + 6) {
                return new Packet.Undecoded("VLAN tags truncated or nested too deep");
            }
            at += 4;
            etherType = Bytes.readShort(frame, at);
        }
        at += 2;
        if (etherType == Ethernet.TYPE_ARP) {
            return ArpPacket.decode(frame, length, at, source, destination);
        }
        if (etherType != Ethernet.TYPE_IPV4 && etherType != Ethernet.TYPE_IPV6) {
            return new Packet.Undecoded("EtherType 0x" + Integer.toHexString(etherType));
        }
        Object ip = IpLayer.decode(frame, length, at, etherType == Ethernet.TYPE_IPV6);
        if (!(ip instanceof IpLayer.Header header)) {
            return (Packet.Undecoded) ip;
        }
        if (header.protocol() == IpLayer.PROTOCOL_TCP) {
            return TcpSegment.decode(frame, length, header, source, destination);
        }
        if (header.protocol() == IpLayer.PROTOCOL_ICMPV6 && etherType == Ethernet.TYPE_IPV6) {
            return NeighborPacket.decode(frame, length, header, source, destination);
        }
        return new Packet.Undecoded("IP protocol " + header.protocol() + ", not TCP");
    }
}
