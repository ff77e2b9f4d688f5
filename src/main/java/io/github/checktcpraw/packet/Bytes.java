package io.github.checktcpraw.packet;

/** Big-endian (network order) reads and writes on frame buffers. */
final class Bytes {

    private Bytes() {
    }

    static int readShort(byte[] frame, int offset) {
        return ((frame[offset] & 0xff) << 8) | (frame[offset + 1] & 0xff);
    }

    static int readInt(byte[] frame, int offset) {
        return (readShort(frame, offset) << 16) | readShort(frame, offset + 2);
    }

    static void writeShort(byte[] frame, int offset, int value) {
        frame[offset] = (byte) (value >>> 8);
        frame[offset + 1] = (byte) value;
    }

    static void writeInt(byte[] frame, int offset, int value) {
        writeShort(frame, offset, value >>> 16);
        writeShort(frame, offset + 2, value);
    }
}
