package io.github.checktcpraw.packet;

import java.util.Arrays;

/**
 * A TCP segment in an IPv4 or IPv6 packet in an Ethernet frame: the fields this check reads and
 * writes. Sequence and acknowledgment numbers are unsigned 32-bit values kept in ints, so that their
 * arithmetic wraps the way TCP's does.
 *
 * @param window         the receive window as sent: unscaled, since no check offers window scaling
 * @param maxSegment     the MSS option of a SYN, or 0 for none
 * @param timestamps     the timestamps option (RFC 7323), or {@code null} for none
 * @param payloadLength  the payload's length as the IP header gives it
 * @param payload        the payload's bytes as far as the kernel filter kept them: all of them unless
 *                       it cut the frame ({@link #payloadCaptured()})
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
        int window,
        int maxSegment,
        Timestamps timestamps,
        int payloadLength,
        byte[] payload) implements Packet {

    /**
     * RFC 7323's timestamps: the sender's clock, and the last value it received from the other side.
     * With them a sender measures every round trip, retransmitted segments' too.
     */
    public record Timestamps(int value, int echo) {
    }

    public static final byte[] NO_DATA = new byte[0];
    /** The largest window without scaling: what a check offers, so that a server may send 64 KiB unacknowledged. */
    public static final int MAX_WINDOW = 65535;
    static final int TCP_HEADER = 20;
    /** What fits in Ethernet's 1500 bytes: our SYN's MSS, and the most we send in one segment. */
    static final int MSS_IPV4 = 1460;
    static final int MSS_IPV6 = 1440;
    /** RFC 9293 3.7.1: what a sender may assume when the SYN carried no MSS option. */
    public static final int DEFAULT_MSS = 536;
    static final int HOP_LIMIT = 64;
    private static final int OPTION_END = 0;
    private static final int OPTION_NOP = 1;
    private static final int OPTION_MSS = 2;
    private static final int OPTION_TIMESTAMPS = 8;
    /** What the timestamps option, padded by two NOPs (RFC 7323 appendix A), takes from each segment's payload. */
    public static final int TIMESTAMPS_LENGTH = 12;

    public TcpSegment {
        if (payload.length > payloadLength) {
            throw new IllegalArgumentException(payload.length + " payload bytes in a segment of " + payloadLength);
        }
    }

    /** A segment carrying all of {@code payload}, without options. */
    public TcpSegment(MacAddress frameSource, MacAddress frameDestination, IpAddress sourceIp, IpAddress destinationIp,
            int sourcePort, int destinationPort, int sequence, int acknowledgment, int flags, int window, byte[] payload) {
        this(frameSource, frameDestination, sourceIp, destinationIp, sourcePort, destinationPort, sequence, acknowledgment,
                flags, window, 0, null, payload.length, payload);
    }

    /** The most payload one segment carries over Ethernet: the MSS our SYN announces. */
    public static int ethernetMss(boolean ipv6) {
        return ipv6 ? MSS_IPV6 : MSS_IPV4;
    }

    public boolean has(int flag) {
        return TcpFlags.has(flags, flag);
    }

    /** Sequence space this segment occupies: its payload plus one for SYN and one for FIN. */
    public int sequenceLength() {
        return payloadLength + (has(TcpFlags.SYN) ? 1 : 0) + (has(TcpFlags.FIN) ? 1 : 0);
    }

    /** Whether {@link #payload} holds the whole payload, not only what a short capture kept of it. */
    public boolean payloadCaptured() {
        return payload.length == payloadLength;
    }

    /**
     * The frame, with IP and TCP checksums, padded to Ethernet's minimum. Payload bytes the capture
     * did not keep (a decoded segment's) are sent as zeros.
     */
    @Override
    public byte[] encode() {
        int options = (maxSegment > 0 ? 4 : 0) + (timestamps != null ? TIMESTAMPS_LENGTH : 0);
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
        Bytes.writeShort(frame, tcp + 14, window);
        int option = tcp + TCP_HEADER;
        if (maxSegment > 0) {
            frame[option] = OPTION_MSS;
            frame[option + 1] = 4;
            Bytes.writeShort(frame, option + 2, maxSegment);
            option += 4;
        }
        if (timestamps != null) {
            frame[option] = OPTION_NOP;
            frame[option + 1] = OPTION_NOP;
            frame[option + 2] = OPTION_TIMESTAMPS;
            frame[option + 3] = 10;
            Bytes.writeInt(frame, option + 4, timestamps.value());
            Bytes.writeInt(frame, option + 8, timestamps.echo());
        }
        System.arraycopy(payload, 0, frame, tcp + headerLength, payload.length);
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
        int flags = frame[tcp + 13] & 0xff;
        int maxSegment = TcpFlags.has(flags, TcpFlags.SYN) ? option(frame, tcp + TCP_HEADER, tcp + tcpHeader, OPTION_MSS, 4) : -1;
        int timestamps = option(frame, tcp + TCP_HEADER, tcp + tcpHeader, OPTION_TIMESTAMPS, 10);
        // Ethernet pads short frames: the payload ends where the IP header says, not where the frame does.
        byte[] payload = tcpHeader == tcpLength ? NO_DATA
                : Arrays.copyOfRange(frame, tcp + tcpHeader, tcp + Math.min(tcpLength, captured));
        return new TcpSegment(source, destination, ip.source(), ip.destination(),
                Bytes.readShort(frame, tcp), Bytes.readShort(frame, tcp + 2),
                Bytes.readInt(frame, tcp + 4), Bytes.readInt(frame, tcp + 8),
                flags, Bytes.readShort(frame, tcp + 14), maxSegment < 0 ? 0 : Bytes.readShort(frame, maxSegment),
                timestamps < 0 ? null : new Timestamps(Bytes.readInt(frame, timestamps), Bytes.readInt(frame, timestamps + 4)),
                tcpLength - tcpHeader, payload);
    }

    /**
     * Where the value of the option {@code kind} of {@code length} bytes is among the options from
     * {@code at} to {@code end}; -1 when there is none (or the list is malformed: as if there were none).
     */
    private static int option(byte[] frame, int at, int end, int kind, int length) {
        while (at < end) {
            int found = frame[at] & 0xff;
            if (found == OPTION_END) {
                return -1;
            }
            if (found == OPTION_NOP) {
                at++;
                continue;
            }
            int size = at + 1 < end ? frame[at + 1] & 0xff : 0;
            if (size < 2 || at + size > end) {
                return -1;
            }
            if (found == kind && size == length) {
                return at + 2;
            }
            at += size;
        }
        return -1;
    }

    /** Field by field, the payload by its bytes (a record's own equals compares arrays by identity). */
    @Override
    public boolean equals(Object other) {
        return other instanceof TcpSegment that && frameSource.equals(that.frameSource)
                && frameDestination.equals(that.frameDestination) && sourceIp.equals(that.sourceIp)
                && destinationIp.equals(that.destinationIp) && sourcePort == that.sourcePort
                && destinationPort == that.destinationPort && sequence == that.sequence
                && acknowledgment == that.acknowledgment && flags == that.flags && window == that.window
                && maxSegment == that.maxSegment && sameTimestamps(timestamps, that.timestamps)
                && payloadLength == that.payloadLength
                && Arrays.equals(payload, that.payload);
    }

    private static boolean sameTimestamps(Timestamps a, Timestamps b) {
        return a == null ? b == null : b != null && a.value() == b.value() && a.echo() == b.echo();
    }

    @Override
    public int hashCode() {
        return ((sourcePort * 31 + destinationPort) * 31 + sequence) * 31 + acknowledgment;
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
