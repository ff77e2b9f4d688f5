package io.github.checktcpraw.packet;

/** An Ethernet/IPv4 ARP packet (RFC 826) with the Ethernet addresses of the frame that carries it. */
public record ArpPacket(
        MacAddress frameSource,
        MacAddress frameDestination,
        int operation,
        MacAddress senderMac,
        Ipv4Address senderIp,
        MacAddress targetMac,
        Ipv4Address targetIp) implements Packet {

    public static final int REQUEST = 1;
    public static final int REPLY = 2;

    /** ARP payload: hardware type, protocol type, sizes, operation, two MAC/IPv4 pairs. */
    static final int LENGTH = 28;

    /** A broadcast "who has {@code wanted}, tell {@code ourIp}". */
    public static ArpPacket request(MacAddress ourMac, Ipv4Address ourIp, Ipv4Address wanted) {
        return request(ourMac, ourIp, wanted, MacAddress.BROADCAST);
    }

    /** The same question asked of one host only: the frame goes to {@code to}. */
    public static ArpPacket request(MacAddress ourMac, Ipv4Address ourIp, Ipv4Address wanted, MacAddress to) {
        return new ArpPacket(ourMac, to, REQUEST, ourMac, ourIp, MacAddress.ZERO, wanted);
    }

    public boolean isReply() {
        return operation == REPLY;
    }

    /** The frame, padded to Ethernet's 60-byte minimum (not every driver pads what a packet socket sends). */
    @Override
    public byte[] encode() {
        byte[] frame = new byte[Ethernet.MINIMUM_FRAME];
        int at = Ethernet.writeHeader(frame, frameDestination, frameSource, Ethernet.TYPE_ARP);
        Bytes.writeShort(frame, at, 1); // hardware: Ethernet
        Bytes.writeShort(frame, at + 2, Ethernet.TYPE_IPV4);
        frame[at + 4] = 6;
        frame[at + 5] = 4;
        Bytes.writeShort(frame, at + 6, operation);
        senderMac.write(frame, at + 8);
        senderIp.write(frame, at + 14);
        targetMac.write(frame, at + 18);
        targetIp.write(frame, at + 24);
        return frame;
    }

    /** Decodes the ARP payload at {@code at}; the Ethernet header has been read by {@link PacketDecoder}. */
    static Packet decode(byte[] frame, int length, int at, MacAddress source, MacAddress destination) {
        if (length - at < LENGTH) {
            return new Undecoded("ARP packet truncated: " + (length - at) + " bytes");
        }
        if (Bytes.readShort(frame, at) != 1 || Bytes.readShort(frame, at + 2) != Ethernet.TYPE_IPV4
                || frame[at + 4] != 6 || frame[at + 5] != 4) {
            return new Undecoded("ARP packet not for Ethernet/IPv4");
        }
        return new ArpPacket(source, destination, Bytes.readShort(frame, at + 6),
                MacAddress.read(frame, at + 8), Ipv4Address.read(frame, at + 14),
                MacAddress.read(frame, at + 18), Ipv4Address.read(frame, at + 24));
    }

    /** The C tool's trace line: {@code (mac) ip ARP request who has ip (mac)} or {@code ... ARP reply to ip (mac)}. */
    @Override
    public String toString() {
        String what = switch (operation) {
            case REQUEST -> "ARP request who has " + targetIp;
            case REPLY -> "ARP reply to " + targetIp;
            default -> "ARP operation " + operation + " for " + targetIp;
        };
        return "(" + frameSource + ") " + senderIp + " " + what + " (" + frameDestination + ")";
    }
}
