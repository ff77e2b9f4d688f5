package io.github.checktcpraw.packet;

/** Ethernet II framing constants and the header writer shared by the ARP and TCP encoders. */
final class Ethernet {

    static final int HEADER = 14;
    static final int MINIMUM_FRAME = 60;
    static final int TYPE_IPV4 = 0x0800;
    static final int TYPE_ARP = 0x0806;
    static final int TYPE_IPV6 = 0x86dd;
    /** 802.1Q and 802.1ad tags: skipped when decoding, never sent. */
    static final int TYPE_VLAN = 0x8100;
    static final int TYPE_QINQ = 0x88a8;

    private Ethernet() {
    }

    /** @return the offset of the payload */
    static int writeHeader(byte[] frame, MacAddress destination, MacAddress source, int etherType) {
        destination.write(frame, 0);
        source.write(frame, 6);
        Bytes.writeShort(frame, 12, etherType);
        return HEADER;
    }
}
