package io.github.checktcpraw.packet;

/**
 * Decodes a received Ethernet frame. Total over all inputs: whatever the bytes, it returns an
 * {@link ArpPacket}, a {@link TcpSegment} or a {@link Packet.Undecoded} naming why, and never throws.
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
        return switch (etherType) {
            case Ethernet.TYPE_ARP -> ArpPacket.decode(frame, length, at, source, destination);
            case Ethernet.TYPE_IPV4 -> TcpSegment.decode(frame, length, at, source, destination);
            default -> new Packet.Undecoded("EtherType 0x" + Integer.toHexString(etherType));
        };
    }
}
