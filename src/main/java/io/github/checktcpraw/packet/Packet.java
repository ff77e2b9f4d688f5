package io.github.checktcpraw.packet;

/** What a received frame decodes to: one of the packets this check speaks, or why it is none. */
public sealed interface Packet permits ArpPacket, NeighborPacket, TcpSegment, Packet.Undecoded {

    /** The whole Ethernet frame, ready to send. */
    byte[] encode();

    /** A frame that is no ARP packet, neighbour discovery message or TCP segment this check can use; {@code reason} says why. */
    record Undecoded(String reason) implements Packet {

        @Override
        public byte[] encode() {
            throw new UnsupportedOperationException("an undecoded frame cannot be sent: " + reason);
        }
    }
}
