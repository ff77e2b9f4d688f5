package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.BpfProgram;

/**
 * The kernel filter of one check: only the ARP reply from the real server, and TCP from the VIP and
 * port to our address and source port, reach the process. On a busy director, or with many checks
 * at once, everything else is dropped in the kernel, never copied to Java. The same program tcpdump
 * compiles for {@code (arp[6:2] = 2 and arp src host RS) or (tcp and src host VIP and src port PORT
 * and dst host OUR and dst port SPORT)}, written out: its shape never changes.
 */
public final class ReplyFilter {

    /** Bytes of a frame worth keeping: Ethernet, IPv4 and TCP headers with options; the payload is not read. */
    public static final int SNAPSHOT_LENGTH = 256;

    private static final int ETHER_TYPE = 12;
    private static final int ETHER_TYPE_ARP = 0x0806;
    private static final int ETHER_TYPE_IPV4 = 0x0800;
    private static final int ARP_OPERATION = 14 + 6;
    private static final int ARP_REPLY = 2;
    private static final int ARP_SENDER_IP = 14 + 14;
    private static final int IPV4 = 14;
    private static final int IPV4_FRAGMENT = IPV4 + 6;
    private static final int IPV4_PROTOCOL = IPV4 + 9;
    private static final int IPV4_SOURCE = IPV4 + 12;
    private static final int IPV4_DESTINATION = IPV4 + 16;
    private static final int FRAGMENT_OFFSET_BITS = 0x1fff;
    private static final int PROTOCOL_TCP = 6;

    private ReplyFilter() {
    }

    public static BpfProgram program(RawCheckPlan plan) {
        Target target = plan.target();
        return new BpfProgram.Builder()
                .loadHalf(ETHER_TYPE)
                .jumpIfEqual(ETHER_TYPE_ARP, null, "ipv4")
                .loadHalf(ARP_OPERATION)
                .jumpIfEqual(ARP_REPLY, null, "drop")
                .loadWord(ARP_SENDER_IP)
                .jumpIfEqual(target.realServer().bits(), "accept", "drop")
                .label("ipv4")
                .jumpIfEqual(ETHER_TYPE_IPV4, null, "drop")
                .loadByte(IPV4_PROTOCOL)
                .jumpIfEqual(PROTOCOL_TCP, null, "drop")
                .loadWord(IPV4_SOURCE)
                .jumpIfEqual(target.virtualIp().bits(), null, "drop")
                .loadWord(IPV4_DESTINATION)
                .jumpIfEqual(plan.ourIp().bits(), null, "drop")
                .loadHalf(IPV4_FRAGMENT)
                .jumpIfAnySet(FRAGMENT_OFFSET_BITS, "drop", null) // only a first fragment holds the ports
                .loadIpv4HeaderLength(IPV4)
                .loadHalfAfterX(IPV4)                             // TCP source port
                .jumpIfEqual(target.port(), null, "drop")
                .loadHalfAfterX(IPV4 + 2)                         // TCP destination port
                .jumpIfEqual(plan.sourcePort(), "accept", "drop")
                .label("accept")
                .accept(SNAPSHOT_LENGTH)
                .label("drop")
                .accept(0)
                .build();
    }
}
