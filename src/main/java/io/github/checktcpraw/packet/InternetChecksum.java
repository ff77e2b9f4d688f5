package io.github.checktcpraw.packet;

/** The RFC 1071 ones'-complement checksum used by IPv4 and TCP. */
final class InternetChecksum {

    private InternetChecksum() {
    }

    /** Adds the 16-bit words of {@code frame[offset, offset+length)} to a running 32-bit sum. */
    static int add(int sum, byte[] frame, int offset, int length) {
        int end = offset + length;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            sum += Bytes.readShort(frame, i);
        }
        if (i < end) {
            sum += (frame[i] & 0xff) << 8;
        }
        return sum;
    }

    /** Folds the carries of a running sum and complements it: the value to store in the header. */
    static int finish(int sum) {
        long folded = sum & 0xffffffffL;
        while ((folded >>> 16) != 0) {
            folded = (folded & 0xffff) + (folded >>> 16);
        }
        return (int) (~folded & 0xffff);
    }

    static int of(byte[] frame, int offset, int length) {
        return finish(add(0, frame, offset, length));
    }
}
