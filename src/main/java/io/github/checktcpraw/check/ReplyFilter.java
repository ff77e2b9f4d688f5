package io.github.checktcpraw.check;

/**
 * The kernel (BPF) filter for one check: only the ARP reply from the real server and TCP from the
 * VIP and port to our address and source port reach the process. On a busy director, or with many
 * checks running at once, everything else is dropped in the kernel, not copied to Java (and what
 * the capture took in before the filter was installed, libpcap drops as it reads it).
 */
public final class ReplyFilter {

    private ReplyFilter() {
    }

    /** In pcap-filter(7) syntax; {@code arp[6:2] = 2} is the ARP operation "reply". */
    public static String expression(RawCheckPlan plan) {
        return "(arp and arp[6:2] = 2 and arp src host " + plan.realServer() + ")"
                + " or (tcp and src host " + plan.virtualIp() + " and src port " + plan.port()
                + " and dst host " + plan.ourIp() + " and dst port " + plan.sourcePort() + ")";
    }
}
