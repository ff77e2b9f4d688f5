package io.github.checktcpraw.packet;

/**
 * A TCP segment in an IPv4 packet in an Ethernet frame: the fields this check reads and writes.
 * Sequence and acknowledgment numbers are unsigned 32-bit values kept in ints, so that their
 * arithmetic wraps the way TCP's does.
 */
public record TcpSegment(
        MacAddress frameSource,
        MacAddress frameDestination,
        Ipv4Address sourceIp,
        Ipv4Address destinationIp,
        int sourcePort,
        int destinationPort,
        int sequence,
        int acknowledgment,
        int flags,
        int payloadLength) implements Packet {

    static final int IPV4_HEADER = 20;
    static final int TCP_HEADER = 20;
    static final int PROTOCOL_TCP = 6;
    /** Advertised on everything we send; we never receive data worth windowing. */
    static final int WINDOW = 64240;
    /** A SYN carries an MSS option, as every real stack's does. */
    static final int MSS = 1460;

    public boolean has(int flag) {
        return TcpFlags.has(flags, flag);
    }

    /** Sequence space this segment occupies: its payload plus one for SYN and one for FIN. */
    public int sequenceLength() {
        return payloadLength + (has(TcpFlags.SYN) ? 1 : 0) + (has(TcpFlags.FIN) ? 1 : 0);
    }

    /**
     * The frame, with IPv4 and TCP checksums, padded to Ethernet's minimum. The check sends no data;
     * a {@code payloadLength} (simulated servers' replies) is sent as that many zero bytes.
     */
    public byte[] encode() {
        int options = has(TcpFlags.SYN) ? 4 : 0;
        int headerLength = TCP_HEADER + options;
        int tcpLength = headerLength + payloadLength;
        int ipLength = IPV4_HEADER + tcpLength;
        byte[] frame = new byte[Math.max(Ethernet.MINIMUM_FRAME, Ethernet.HEADER + ipLength)];
        int ip = Ethernet.writeHeader(frame, frameDestination, frameSource, Ethernet.TYPE_IPV4);
        frame[ip] = 0x45;
        Bytes.writeShort(frame, ip + 2, ipLength);
        Bytes.writeShort(frame, ip + 6, 0x4000); // don't fragment
        frame[ip + 8] = 64;
        frame[ip + 9] = PROTOCOL_TCP;
        sourceIp.write(frame, ip + 12);
        destinationIp.write(frame, ip + 16);
        Bytes.writeShort(frame, ip + 10, InternetChecksum.of(frame, ip, IPV4_HEADER));

        int tcp = ip + IPV4_HEADER;
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
            Bytes.writeShort(frame, tcp + 22, MSS);
        }
        Bytes.writeShort(frame, tcp + 16, tcpChecksum(frame, ip, tcp, tcpLength));
        return frame;
    }

    /** The TCP checksum over the pseudo-header (addresses, protocol, length) and the segment. */
    static int tcpChecksum(byte[] frame, int ip, int tcp, int tcpLength) {
        int sum = InternetChecksum.add(0, frame, ip + 12, 8);
        sum += PROTOCOL_TCP + tcpLength;
        return InternetChecksum.finish(InternetChecksum.add(sum, frame, tcp, tcpLength));
    }

    /**
     * Decodes the IPv4 packet at {@code at}. Checksums are not verified: frames captured on the
     * receiving side of a veth or an offloading NIC carry partial checksums, and the check's
     * acceptance rests on addresses, ports and sequence numbers instead.
     */
    static Packet decode(byte[] frame, int length, int at, MacAddress source, MacAddress destination) {
        int available = length - at;
        if (available < IPV4_HEADER) {
            return new Undecoded("IPv4 header truncated: " + available + " bytes");
        }
        int versionAndLength = frame[at] & 0xff;
        if (versionAndLength >>> 4 != 4) {
            return new Undecoded("IP version " + (versionAndLength >>> 4) + ", not 4");
        }
        int ipHeader = (versionAndLength & 0xf) * 4;
        int totalLength = Bytes.readShort(frame, at + 2);
        // The capture keeps the headers, not necessarily the payload (snapshot length): lengths come
        // from the IP header, and only the headers must have been captured.
        if (ipHeader < IPV4_HEADER || totalLength < ipHeader || ipHeader > available) {
            return new Undecoded("IPv4 lengths inconsistent: header " + ipHeader + ", total " + totalLength
                    + ", captured " + available);
        }
        if ((Bytes.readShort(frame, at + 6) & 0x3fff) != 0) {
            return new Undecoded("IPv4 fragment");
        }
        if ((frame[at + 9] & 0xff) != PROTOCOL_TCP) {
            return new Undecoded("IP protocol " + (frame[at + 9] & 0xff) + ", not TCP");
        }
        int tcp = at + ipHeader;
        int tcpLength = totalLength - ipHeader;
        if (tcpLength < TCP_HEADER || ipHeader + TCP_HEADER > available) {
            return new Undecoded("TCP header truncated: " + Math.min(tcpLength, available - ipHeader) + " bytes");
        }
        int tcpHeader = ((frame[tcp + 12] & 0xff) >>> 4) * 4;
        if (tcpHeader < TCP_HEADER || tcpHeader > tcpLength || ipHeader + tcpHeader > available) {
            return new Undecoded("TCP data offset " + tcpHeader + " outside the segment's " + tcpLength
                    + " bytes or the " + (available - ipHeader) + " captured");
        }
        return new TcpSegment(source, destination,
                Ipv4Address.read(frame, at + 12), Ipv4Address.read(frame, at + 16),
                Bytes.readShort(frame, tcp), Bytes.readShort(frame, tcp + 2),
                Bytes.readInt(frame, tcp + 4), Bytes.readInt(frame, tcp + 8),
                frame[tcp + 13] & 0xff, tcpLength - tcpHeader);
    }

    /** The C tool's trace line: {@code (mac) ip:port > ip:port (mac) Flags [S.], seq N, ack N}. */
    @Override
    public String toString() {
        return "(" + frameSource + ") " + sourceIp + ":" + sourcePort + " > " + destinationIp + ":" + destinationPort
                + " (" + frameDestination + ") Flags " + TcpFlags.format(flags)
                + ", seq " + Integer.toUnsignedString(sequence) + ", ack " + Integer.toUnsignedString(acknowledgment)
                + (payloadLength > 0 ? ", length " + payloadLength : "");
    }
}
