package io.github.checktcpraw.packet;

/**
 * A TCP segment in an IPv4 or IPv6 packet in an Ethernet frame: the fields this check reads and
 * writes. Sequence and acknowledgment numbers are unsigned 32-bit values kept in ints, so that their
 * arithmetic wraps the way TCP's does.
 */
public record TcpSegment(
        MacAddress frameSource,
        MacAddress frameDestination,
        IpAddress sourceIp,
        IpAddress destinationIp,
        int sourcePort,
        int destinationPort,
        int sequence,
        int acknowledgment,
        int flags,
        int payloadLength) implements Packet {

    static final int TCP_HEADER = 20;
    /** Advertised on everything we send; we never receive data worth windowing. */
    static final int WINDOW = 64240;
    /** A SYN carries an MSS option, as every real stack's does: what fits in 1500 bytes. */
    static final int MSS_IPV4 = 1460;
    static final int MSS_IPV6 = 1440;
    static final int HOP_LIMIT = 64;

    public boolean has(int flag) {
        return TcpFlags.has(flags, flag);
    }

    /** Sequence space this segment occupies: its payload plus one for SYN and one for FIN. */
    public int sequenceLength() {
        return payloadLength + (has(TcpFlags.SYN) ? 1 : 0) + (has(TcpFlags.FIN) ? 1 : 0);
    }

    /**
     * The frame, with IP and TCP checksums, padded to Ethernet's minimum. The check sends no data;
     * a {@code payloadLength} (simulated servers' replies) is sent as that many zero bytes.
     */
    @Override
    public byte[] encode() {
        int options = has(TcpFlags.SYN) ? 4 : 0;
        int headerLength = TCP_HEADER + options;
        int tcpLength = headerLength + payloadLength;
        boolean ipv6 = sourceIp.isIpv6();
        byte[] frame = new byte[Math.max(Ethernet.MINIMUM_FRAME,
                Ethernet.HEADER + IpLayer.headerLength(sourceIp) + tcpLength)];
        int tcp = IpLayer.writeHeaders(frame, frameDestination, frameSource, sourceIp, destinationIp,
                IpLayer.PROTOCOL_TCP, tcpLength, HOP_LIMIT);
        Bytes.writeShort(frame, tcp, sourcePort);
        Bytes.writeShort(frame, tcp + 2, destinationPort);
        Bytes.writeInt(frame, tcp + 4, sequence);
        Bytes.writeInt(frame, tcp + 8, acknowledgment);
        frame[tcp + 12] = (byte) ((headerLength / 4) << 4);
        frame[tcp + 13] = (byte) flags;
        Bytes.writeShort(frame, tcp + 14, WINDOW);
        if (options > 0) {
            frame[tcp + 20] = 2; // MSS kind
            frame[tcp + 21] = 4;
            Bytes.writeShort(frame, tcp + 22, ipv6 ? MSS_IPV6 : MSS_IPV4);
        }
        Bytes.writeShort(frame, tcp + 16, IpLayer.transportChecksum(frame, tcp, tcpLength, ipv6, IpLayer.PROTOCOL_TCP));
        return frame;
    }

    /**
     * Decodes the TCP segment after the IP header {@code ip}. Checksums are not verified: frames
     * received on a veth or from an offloading NIC carry partial checksums, and the check's
     * acceptance rests on addresses, ports and sequence numbers instead.
     */
    static Packet decode(byte[] frame, int length, IpLayer.Header ip, MacAddress source, MacAddress destination) {
        int tcp = ip.transport();
        int tcpLength = ip.transportLength();
        int captured = length - tcp;
        if (tcpLength < TCP_HEADER || captured < TCP_HEADER) {
            return new Undecoded("TCP header truncated: " + Math.min(tcpLength, captured) + " bytes");
        }
        int tcpHeader = ((frame[tcp + 12] & 0xff) >>> 4) * 4;
        if (tcpHeader < TCP_HEADER || tcpHeader > tcpLength || tcpHeader > captured) {
            return new Undecoded("TCP data offset " + tcpHeader + " outside the segment's " + tcpLength
                    + " bytes or the " + captured + " captured");
        }
        return new TcpSegment(source, destination, ip.source(), ip.destination(),
                Bytes.readShort(frame, tcp), Bytes.readShort(frame, tcp + 2),
                Bytes.readInt(frame, tcp + 4), Bytes.readInt(frame, tcp + 8),
                frame[tcp + 13] & 0xff, tcpLength - tcpHeader);
    }

    /** The C tool's trace line: {@code (mac) ip:port > ip:port (mac) Flags [S.], seq N, ack N}; IPv6 in brackets. */
    @Override
    public String toString() {
        return "(" + frameSource + ") " + sourceIp.withPortPrefix() + ":" + sourcePort + " > "
                + destinationIp.withPortPrefix() + ":" + destinationPort
                + " (" + frameDestination + ") Flags " + TcpFlags.format(flags)
                + ", seq " + Integer.toUnsignedString(sequence) + ", ack " + Integer.toUnsignedString(acknowledgment)
                + (payloadLength > 0 ? ", length " + payloadLength : "");
    }
}
