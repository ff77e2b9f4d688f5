package io.github.checktcpraw.packet;

/**
 * The IP layer under TCP and ICMPv6: IPv4 (RFC 791) and IPv6 (RFC 8200) headers written and read,
 * and the pseudo-header both transport checksums cover.
 */
final class IpLayer {

    static final int IPV4_HEADER = 20;
    static final int IPV6_HEADER = 40;
    static final int PROTOCOL_TCP = 6;
    static final int PROTOCOL_ICMPV6 = 58;

    /**
     * What the IP header of a received packet says.
     *
     * @param transport       where the transport header starts in the frame
     * @param transportLength its length as the IP header gives it (the filter may have kept less)
     */
    record Header(IpAddress source, IpAddress destination, int protocol, int hopLimit, int transport,
            int transportLength) {
    }

    private IpLayer() {
    }

    static int headerLength(IpAddress address) {
        return address.isIpv6() ? IPV6_HEADER : IPV4_HEADER;
    }

    /**
     * Writes the Ethernet and IP headers of a packet carrying {@code transportLength} bytes of
     * {@code protocol}; the caller writes the transport and its checksum.
     *
     * @return the offset of the transport header
     */
    static int writeHeaders(byte[] frame, MacAddress destinationMac, MacAddress sourceMac, IpAddress source,
            IpAddress destination, int protocol, int transportLength, int hopLimit) {
        if (source.isIpv6()) {
            int ip = Ethernet.writeHeader(frame, destinationMac, sourceMac, Ethernet.TYPE_IPV6);
            frame[ip] = 0x60;
            Bytes.writeShort(frame, ip + 4, transportLength);
            frame[ip + 6] = (byte) protocol;
            frame[ip + 7] = (byte) hopLimit;
            source.write(frame, ip + 8);
            destination.write(frame, ip + 24);
            return ip + IPV6_HEADER;
        }
        int ip = Ethernet.writeHeader(frame, destinationMac, sourceMac, Ethernet.TYPE_IPV4);
        frame[ip] = 0x45;
        Bytes.writeShort(frame, ip + 2, IPV4_HEADER + transportLength);
        Bytes.writeShort(frame, ip + 6, 0x4000); // don't fragment
        frame[ip + 8] = (byte) hopLimit;
        frame[ip + 9] = (byte) protocol;
        source.write(frame, ip + 12);
        destination.write(frame, ip + 16);
        Bytes.writeShort(frame, ip + 10, InternetChecksum.of(frame, ip, IPV4_HEADER));
        return ip + IPV4_HEADER;
    }

    /**
     * The checksum of a transport segment at {@code transport} that {@link #writeHeaders} framed, over
     * the pseudo-header (addresses, length, protocol) and the segment itself.
     */
    static int transportChecksum(byte[] frame, int transport, int length, boolean ipv6, int protocol) {
        int ip = transport - (ipv6 ? IPV6_HEADER : IPV4_HEADER);
        int sum = ipv6 ? InternetChecksum.add(0, frame, ip + 8, 32) : InternetChecksum.add(0, frame, ip + 12, 8);
        sum += (length >>> 16) + (length & 0xffff) + protocol;
        return InternetChecksum.finish(InternetChecksum.add(sum, frame, transport, length));
    }

    /**
     * Reads the IP header at {@code at}: a {@link Header}, or the {@link Packet.Undecoded} that says why
     * it is none this check can use. Only the headers need to have been kept (the kernel filter keeps
     * the first bytes of a frame), so lengths come from the header, not from what was received.
     */
    static Object decode(byte[] frame, int length, int at, boolean ipv6) {
        return ipv6 ? decodeIpv6(frame, length, at) : decodeIpv4(frame, length, at);
    }

    private static Object decodeIpv4(byte[] frame, int length, int at) {
        int available = length - at;
        if (available < IPV4_HEADER) {
            return new Packet.Undecoded("IPv4 header truncated: " + available + " bytes");
        }
        int versionAndLength = frame[at] & 0xff;
        if (versionAndLength >>> 4 != 4) {
            return new Packet.Undecoded("IP version " + (versionAndLength >>> 4) + ", not 4");
        }
        int header = (versionAndLength & 0xf) * 4;
        int total = Bytes.readShort(frame, at + 2);
        if (header < IPV4_HEADER || total < header || header > available) {
            return new Packet.Undecoded("IPv4 lengths inconsistent: header " + header + ", total " + total
                    + ", captured " + available);
        }
        if ((Bytes.readShort(frame, at + 6) & 0x3fff) != 0) {
            return new Packet.Undecoded("IPv4 fragment");
        }
        return new Header(Ipv4Address.read(frame, at + 12), Ipv4Address.read(frame, at + 16), frame[at + 9] & 0xff,
                frame[at + 8] & 0xff, at + header, total - header);
    }

    private static Object decodeIpv6(byte[] frame, int length, int at) {
        int available = length - at;
        if (available < IPV6_HEADER) {
            return new Packet.Undecoded("IPv6 header truncated: " + available + " bytes");
        }
        if ((frame[at] & 0xff) >>> 4 != 6) {
            return new Packet.Undecoded("IP version " + ((frame[at] & 0xff) >>> 4) + ", not 6");
        }
        int nextHeader = frame[at + 6] & 0xff;
        if (nextHeader == 0 || nextHeader == 43 || nextHeader == 44 || nextHeader == 60) {
            // Hop-by-hop, routing, fragment, destination options: replies to the check carry none.
            return new Packet.Undecoded("IPv6 extension header " + nextHeader);
        }
        return new Header(Ipv6Address.read(frame, at + 8), Ipv6Address.read(frame, at + 24), nextHeader,
                frame[at + 7] & 0xff, at + IPV6_HEADER, Bytes.readShort(frame, at + 4));
    }
}
