package io.github.checktcpraw.packet;

/** An IPv6 address as its 128 bits, the first 64 in {@code high}, in network order. */
public record Ipv6Address(long high, long low) implements IpAddress {

    public static Ipv6Address read(byte[] frame, int offset) {
        return new Ipv6Address(readLong(frame, offset), readLong(frame, offset + 8));
    }

    public static Ipv6Address of(byte[] sixteenBytes) {
        if (sixteenBytes.length != 16) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + sixteenBytes.length);
        }
        return read(sixteenBytes, 0);
    }

    @Override
    public boolean isIpv6() {
        return true;
    }

    /** fe80::/10: valid on one link only. */
    public boolean isLinkLocal() {
        return (high >>> 54) == 0x3fa;
    }

    /** The solicited-node multicast group of this address (RFC 4291 2.7.1): ff02::1:ff + its last 24 bits. */
    public Ipv6Address solicitedNode() {
        return new Ipv6Address(0xff02_0000_0000_0000L, 0x0000_0001_ff00_0000L | (low & 0xff_ffffL));
    }

    /** The Ethernet address a multicast group is sent to (RFC 2464 7): 33:33 + its last 32 bits. */
    public MacAddress multicastMac() {
        return new MacAddress(0x3333_0000_0000L | (low & 0xffff_ffffL));
    }

    @Override
    public void write(byte[] frame, int offset) {
        writeLong(frame, offset, high);
        writeLong(frame, offset + 8, low);
    }

    @Override
    public byte[] toBytes() {
        byte[] bytes = new byte[16];
        write(bytes, 0);
        return bytes;
    }

    @Override
    public boolean sameNetwork(IpAddress other, int prefixLength) {
        if (!(other instanceof Ipv6Address ipv6)) {
            return false;
        }
        long highMask = prefixLength >= 64 ? -1L : prefixLength == 0 ? 0 : -1L << (64 - prefixLength);
        long lowMask = prefixLength <= 64 ? 0 : prefixLength >= 128 ? -1L : -1L << (128 - prefixLength);
        return (high & highMask) == (ipv6.high & highMask) && (low & lowMask) == (ipv6.low & lowMask);
    }

    @Override
    public String withPortPrefix() {
        return "[" + this + "]";
    }

    // Written out for the reason given in Ipv4Address.
    @Override
    public boolean equals(Object other) {
        return other instanceof Ipv6Address address && address.high == high && address.low == low;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(high) * 31 + Long.hashCode(low);
    }

    /** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as "::" (the first if tied). */
    @Override
    public String toString() {
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            groups[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    private static long readLong(byte[] frame, int offset) {
        return ((long) Bytes.readInt(frame, offset) << 32) | (Bytes.readInt(frame, offset + 4) & 0xffff_ffffL);
    }

    private static void writeLong(byte[] frame, int offset, long value) {
        Bytes.writeInt(frame, offset, (int) (value >>> 32));
        Bytes.writeInt(frame, offset + 4, (int) value);
    }
}
