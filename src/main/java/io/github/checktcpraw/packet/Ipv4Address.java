package io.github.checktcpraw.packet;

/** An IPv4 address as its 32 bits, in network order when read as an unsigned int. */
public record Ipv4Address(int bits) implements IpAddress {

    public static Ipv4Address read(byte[] frame, int offset) {
        return new Ipv4Address(Bytes.readInt(frame, offset));
    }

    public static Ipv4Address of(byte[] fourBytes) {
        if (fourBytes.length != 4) {
            throw new IllegalArgumentException("an IPv4 address has 4 bytes, not " + fourBytes.length);
        }
        return read(fourBytes, 0);
    }

    /**
     * Parses a dotted-quad literal (exactly four decimal parts, 0-255, no leading signs or spaces).
     *
     * @return the address, or {@code null} when {@code text} is not such a literal (it may be a host name)
     */
    public static Ipv4Address parseLiteral(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        int value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3) {
                return null;
            }
            int octet = 0;
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
                octet = octet * 10 + (c - '0');
            }
            if (octet > 255) {
                return null;
            }
            value = (value << 8) | octet;
        }
        return new Ipv4Address(value);
    }

    @Override
    public boolean isIpv6() {
        return false;
    }

    @Override
    public String withPortPrefix() {
        return toString();
    }

    @Override
    public void write(byte[] frame, int offset) {
        Bytes.writeInt(frame, offset, bits);
    }

    @Override
    public byte[] toBytes() {
        byte[] bytes = new byte[4];
        write(bytes, 0);
        return bytes;
    }

    @Override
    public boolean sameNetwork(IpAddress other, int prefixLength) {
        int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return other instanceof Ipv4Address ipv4 && (bits & mask) == (ipv4.bits & mask);
    }

    // Written out: a record's generated equals and hashCode bootstrap through invokedynamic on first
    // use in every fresh JVM, which the AOT cache does not keep (bench/startup, README).
    @Override
    public boolean equals(Object other) {
        return other instanceof Ipv4Address address && address.bits == bits;
    }

    @Override
    public int hashCode() {
        return bits;
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
