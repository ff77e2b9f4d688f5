package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.ArpPacket;
import io.github.checktcpraw.packet.BpfProgram;
import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.packet.Ipv6Address;
import io.github.checktcpraw.packet.NeighborPacket;

/**
 * The kernel filter of one check: only the real server's ARP reply or neighbour advertisement, and
 * TCP from the VIP and port to our address and source port, reach the process. On a busy director,
 * or with many checks at once, everything else is dropped in the kernel, never copied to Java. For
 * IPv4 the same program tcpdump compiles for {@code (arp[6:2] = 2 and arp src host RS) or (tcp and
 * src host VIP and src port PORT and dst host OUR and dst port SPORT)}, written out: its shape never
 * changes. For IPv6 alike, with the advertisement's target address for the ARP sender's.
 */
public final class ReplyFilter {

    /** Bytes of a frame worth keeping without a conversation: Ethernet, IP and TCP headers with options. */
    public static final int SNAPSHOT_LENGTH = 256;
    /**
     * With a conversation, the whole frame: at most Ethernet, two VLAN tags and an IPv6 packet as large as
     * its length field allows, what a NIC's receive offload (GRO) hands up in one piece.
     */
    public static final int WHOLE_FRAME = 14 + 8 + 40 + 65_535;

    private static final int ETHER_TYPE = 12;
    private static final int ETHER_TYPE_ARP = 0x0806;
    private static final int ETHER_TYPE_IPV4 = 0x0800;
    private static final int ARP_OPERATION = 14 + 6;
    private static final int ARP_SENDER_IP = 14 + 14;
    private static final int IPV4 = 14;
    private static final int IPV4_FRAGMENT = IPV4 + 6;
    private static final int IPV4_PROTOCOL = IPV4 + 9;
    private static final int IPV4_SOURCE = IPV4 + 12;
    private static final int IPV4_DESTINATION = IPV4 + 16;
    private static final int FRAGMENT_OFFSET_BITS = 0x1fff;
    private static final int PROTOCOL_TCP = 6;
    private static final int ETHER_TYPE_IPV6 = 0x86dd;
    private static final int IPV6 = 14;
    private static final int IPV6_NEXT_HEADER = IPV6 + 6;
    private static final int IPV6_SOURCE = IPV6 + 8;
    private static final int IPV6_DESTINATION = IPV6 + 24;
    private static final int IPV6_PAYLOAD = IPV6 + 40;
    private static final int PROTOCOL_ICMPV6 = 58;
    private static final int ADVERTISED_TARGET = IPV6_PAYLOAD + 8;

    private ReplyFilter() {
    }

    /** How many bytes of each frame the filter keeps, and a receive buffer must hold. */
    public static int snapshotLength(RawCheckPlan plan) {
        return plan.converses() ? WHOLE_FRAME : SNAPSHOT_LENGTH;
    }

    public static BpfProgram program(RawCheckPlan plan) {
        return plan.target().ipv6() ? ipv6(plan) : ipv4(plan);
    }

    private static BpfProgram ipv6(RawCheckPlan plan) {
        Target target = plan.target();
        BpfProgram.Builder filter = new BpfProgram.Builder()
                .loadHalf(ETHER_TYPE)
                .jumpIfEqual(ETHER_TYPE_IPV6, null, "drop")
                .loadByte(IPV6_NEXT_HEADER)                       // no extension headers: replies carry none
                .jumpIfEqual(PROTOCOL_TCP, "tcp", null)
                .jumpIfEqual(PROTOCOL_ICMPV6, null, "drop")
                .loadByte(IPV6_PAYLOAD)                           // ICMPv6 type
                .jumpIfEqual(NeighborPacket.ADVERTISEMENT, null, "drop");
        equalsAddress(filter, ADVERTISED_TARGET, (Ipv6Address) target.realServer(), "accept",
                plan.vipProbeNanos() == 0 ? "drop" : "vip");
        if (plan.vipProbeNanos() != 0) {
            // The real server claiming the VIP too (its MAC is checked in Java).
            filter.label("vip");
            equalsAddress(filter, ADVERTISED_TARGET, (Ipv6Address) target.virtualIp(), "accept", "drop");
        }
        filter.label("tcp");
        equalsAddress(filter, IPV6_SOURCE, (Ipv6Address) target.virtualIp(), null, "drop");
        equalsAddress(filter, IPV6_DESTINATION, (Ipv6Address) plan.ourIp(), null, "drop");
        return acceptOrDrop(filter
                .loadHalf(IPV6_PAYLOAD)                           // TCP source port
                .jumpIfEqual(target.port(), null, "drop")
                .loadHalf(IPV6_PAYLOAD + 2)                       // TCP destination port
                .jumpIfEqual(plan.sourcePort(), "accept", "drop"), plan);
    }

    /** The program's two ends: the frame kept, as much of it as the check reads, or dropped. */
    private static BpfProgram acceptOrDrop(BpfProgram.Builder filter, RawCheckPlan plan) {
        return filter
                .label("accept")
                .accept(snapshotLength(plan))
                .label("drop")
                .accept(0)
                .build();
    }

    /**
     * Goes on at {@code ifEqual} when the 16 bytes at {@code offset} are {@code address}, else at
     * {@code otherwise} ({@code null}: the next instruction).
     */
    private static void equalsAddress(BpfProgram.Builder filter, int offset, Ipv6Address address, String ifEqual,
            String otherwise) {
        for (int word = 0; word < 4; word++) {
            long half = word < 2 ? address.high() : address.low();
            int value = (int) (word % 2 == 0 ? half >>> 32 : half);
            filter.loadWord(offset + 4 * word).jumpIfEqual(value, word == 3 ? ifEqual : null, otherwise);
        }
    }

    private static BpfProgram ipv4(RawCheckPlan plan) {
        Target target = plan.target();
        boolean probing = plan.vipProbeNanos() != 0;
        BpfProgram.Builder filter = new BpfProgram.Builder()
                .loadHalf(ETHER_TYPE)
                .jumpIfEqual(ETHER_TYPE_ARP, null, "ipv4")
                .loadHalf(ARP_OPERATION)
                .jumpIfEqual(ArpPacket.REPLY, null, "drop")
                .loadWord(ARP_SENDER_IP)
                .jumpIfEqual(((Ipv4Address) target.realServer()).bits(), "accept", probing ? null : "drop");
        if (probing) {
            // The real server claiming the VIP too (its MAC is checked in Java).
            filter.jumpIfEqual(((Ipv4Address) target.virtualIp()).bits(), "accept", "drop");
        }
        return acceptOrDrop(filter
                .label("ipv4")
                .jumpIfEqual(ETHER_TYPE_IPV4, null, "drop")
                .loadByte(IPV4_PROTOCOL)
                .jumpIfEqual(PROTOCOL_TCP, null, "drop")
                .loadWord(IPV4_SOURCE)
                .jumpIfEqual(((Ipv4Address) target.virtualIp()).bits(), null, "drop")
                .loadWord(IPV4_DESTINATION)
                .jumpIfEqual(((Ipv4Address) plan.ourIp()).bits(), null, "drop")
                .loadHalf(IPV4_FRAGMENT)
                .jumpIfAnySet(FRAGMENT_OFFSET_BITS, "drop", null) // only a first fragment holds the ports
                .loadIpv4HeaderLength(IPV4)
                .loadHalfAfterX(IPV4)                             // TCP source port
                .jumpIfEqual(target.port(), null, "drop")
                .loadHalfAfterX(IPV4 + 2)                         // TCP destination port
                .jumpIfEqual(plan.sourcePort(), "accept", "drop"), plan);
    }
}
