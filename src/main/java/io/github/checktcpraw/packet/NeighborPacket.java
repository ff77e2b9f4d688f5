package io.github.checktcpraw.packet;

/**
 * An IPv6 Neighbor Solicitation or Advertisement (RFC 4861 4.3, 4.4): IPv6's ARP, in ICMPv6, with
 * the Ethernet addresses of the frame that carries it.
 *
 * @param hopLimit          the IPv6 hop limit: 255 when it comes from the same link (RFC 4861 7.1)
 * @param flags             an advertisement's R, S and O bits ({@link #SOLICITED}...), 0 in a solicitation
 * @param target            the address being resolved
 * @param linkLayerAddress  the source link-layer address option of a solicitation, the target
 *                          link-layer address option of an advertisement; {@code null} when absent
 */
public record NeighborPacket(
        MacAddress frameSource,
        MacAddress frameDestination,
        Ipv6Address sourceIp,
        Ipv6Address destinationIp,
        int hopLimit,
        int type,
        int flags,
        Ipv6Address target,
        MacAddress linkLayerAddress) implements Packet {

    public static final int SOLICITATION = 135;
    public static final int ADVERTISEMENT = 136;
    /** Advertisement flags, in the first byte after the checksum. */
    public static final int ROUTER = 0x80;
    public static final int SOLICITED = 0x40;
    public static final int OVERRIDE = 0x20;
    /** What neighbour discovery sends and accepts: the packet cannot have crossed a router. */
    public static final int LINK_HOP_LIMIT = 255;

    private static final int MESSAGE = 24;
    private static final int OPTION_SOURCE_LINK_LAYER = 1;
    private static final int OPTION_TARGET_LINK_LAYER = 2;
    private static final int OPTION_LENGTH = 8;

    /** "Who has {@code wanted}?", sent to its solicited-node multicast group. */
    public static NeighborPacket solicitation(MacAddress ourMac, Ipv6Address ourIp, Ipv6Address wanted) {
        Ipv6Address group = wanted.solicitedNode();
        return new NeighborPacket(ourMac, group.multicastMac(), ourIp, group, LINK_HOP_LIMIT, SOLICITATION, 0, wanted,
                ourMac);
    }

    /**
     * The same question asked of one host only (RFC 4861 7.2.2, as for reachability): the frame goes
     * to {@code to}, the packet to {@code wanted} itself.
     */
    public static NeighborPacket solicitation(MacAddress ourMac, Ipv6Address ourIp, Ipv6Address wanted, MacAddress to) {
        return new NeighborPacket(ourMac, to, ourIp, wanted, LINK_HOP_LIMIT, SOLICITATION, 0, wanted, ourMac);
    }

    public boolean isAdvertisement() {
        return type == ADVERTISEMENT;
    }

    /** The frame, with the ICMPv6 checksum, padded to Ethernet's minimum. */
    @Override
    public byte[] encode() {
        int length = MESSAGE + (linkLayerAddress == null ? 0 : OPTION_LENGTH);
        byte[] frame = new byte[Math.max(Ethernet.MINIMUM_FRAME, Ethernet.HEADER + IpLayer.IPV6_HEADER + length)];
        int icmp = IpLayer.writeHeaders(frame, frameDestination, frameSource, sourceIp, destinationIp,
                IpLayer.PROTOCOL_ICMPV6, length, hopLimit);
        frame[icmp] = (byte) type;
        frame[icmp + 4] = (byte) flags;
        target.write(frame, icmp + 8);
        if (linkLayerAddress != null) {
            frame[icmp + MESSAGE] = (byte) (type == SOLICITATION ? OPTION_SOURCE_LINK_LAYER : OPTION_TARGET_LINK_LAYER);
            frame[icmp + MESSAGE + 1] = 1; // in units of 8 bytes
            linkLayerAddress.write(frame, icmp + MESSAGE + 2);
        }
        Bytes.writeShort(frame, icmp + 2, IpLayer.transportChecksum(frame, icmp, length, true, IpLayer.PROTOCOL_ICMPV6));
        return frame;
    }

    /**
     * Decodes the ICMPv6 message after the IPv6 header {@code ip}: a solicitation or an advertisement
     * whose checksum is right, or why it is neither.
     */
    static Packet decode(byte[] frame, int length, IpLayer.Header ip, MacAddress source, MacAddress destination) {
        int icmp = ip.transport();
        int messageLength = ip.transportLength();
        if (messageLength < 4 || length - icmp < 4) {
            return new Undecoded("ICMPv6 message truncated");
        }
        int type = frame[icmp] & 0xff;
        if (type != SOLICITATION && type != ADVERTISEMENT) {
            return new Undecoded("ICMPv6 type " + type);
        }
        if (messageLength < MESSAGE || length - icmp < messageLength) {
            return new Undecoded("neighbour discovery message truncated: " + Math.min(messageLength, length - icmp)
                    + " bytes");
        }
        if (IpLayer.transportChecksum(frame, icmp, messageLength, true, IpLayer.PROTOCOL_ICMPV6) != 0) {
            return new Undecoded("ICMPv6 checksum wrong");
        }
        if ((frame[icmp + 1] & 0xff) != 0) {
            return new Undecoded("neighbour discovery code " + (frame[icmp + 1] & 0xff));
        }
        MacAddress linkLayer = null;
        int wanted = type == SOLICITATION ? OPTION_SOURCE_LINK_LAYER : OPTION_TARGET_LINK_LAYER;
        for (int at = icmp + MESSAGE; at + 2 <= icmp + messageLength; ) {
            int optionLength = (frame[at + 1] & 0xff) * 8;
            if (optionLength == 0 || at + optionLength > icmp + messageLength) {
                return new Undecoded("neighbour discovery option of length " + optionLength); // RFC 4861 4.6
            }
            if ((frame[at] & 0xff) == wanted && optionLength == OPTION_LENGTH) {
                linkLayer = MacAddress.read(frame, at + 2);
            }
            at += optionLength;
        }
        int flags = type == ADVERTISEMENT ? frame[icmp + 4] & (ROUTER | SOLICITED | OVERRIDE) : 0;
        return new NeighborPacket(source, destination, (Ipv6Address) ip.source(), (Ipv6Address) ip.destination(),
                ip.hopLimit(), type, flags, Ipv6Address.read(frame, icmp + 8), linkLayer);
    }

    /**
     * The trace line, in the form of the ARP lines: {@code (mac) ip NDP solicitation who has ip (mac)}
     * or {@code (mac) ip NDP advertisement to ip (mac)}.
     */
    @Override
    public String toString() {
        return type == SOLICITATION
                ? "(" + frameSource + ") " + sourceIp + " NDP solicitation who has " + target + " (" + frameDestination + ")"
                : "(" + frameSource + ") " + target + " NDP advertisement to " + destinationIp + " (" + frameDestination + ")";
    }
}
