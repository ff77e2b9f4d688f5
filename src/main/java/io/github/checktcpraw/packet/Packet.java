package io.github.checktcpraw.packet;

/** What a received frame decodes to: one of the two packets this check speaks, or why it is neither. */
public sealed interface Packet permits ArpPacket, TcpSegment, Packet.Undecoded {

    /** A frame that is not an ARP packet or TCP/IPv4 segment this check can use; {@code reason} says why. */
    record Undecoded(String reason) implements Packet {
    }
}
