package io.github.checktcpraw.packet;

import java.util.HexFormat;

/** A 48-bit Ethernet address, kept in the low bits of a long so frames can carry it without copies. */
public record MacAddress(long bits) {

    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((bits & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("not a 48-bit MAC address: " + Long.toHexString(bits));
        }
    }

    /** Reads six bytes at {@code offset}; the caller has checked the length. */
    public static MacAddress read(byte[] frame, int offset) {
        long value = 0;
        for (int i = 0; i < 6; i++) {
            value = (value << 8) | (frame[offset + i] & 0xff);
        }
        return new MacAddress(value);
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (as in /sys/class/net/IFACE/address). */
    public static MacAddress parse(String text) {
        String[] parts = text.trim().split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
            try {
                value = (value << 8) | HexFormat.fromHexDigits(part);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
        }
        return new MacAddress(value);
    }

    public void write(byte[] frame, int offset) {
        for (int i = 5; i >= 0; i--) {
            frame[offset + i] = (byte) (bits >>> (8 * (5 - i)));
        }
    }

    // Written out for the reason given in Ipv4Address.
    @Override
    public boolean equals(Object other) {
        return other instanceof MacAddress address && address.bits == bits;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bits);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (shift != 40) {
                text.append(':');
            }
            int octet = (int) (bits >>> shift) & 0xff;
            text.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xf, 16));
        }
        return text.toString();
    }
}
