package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.IpAddress;
import io.github.checktcpraw.packet.MacAddress;

/**
 * Everything one raw check needs, resolved and validated: who we are on the wire, what we ask, and
 * how patiently.
 *
 * @param replyTimeoutNanos bound on each awaited reply (ARP reply or neighbour advertisement, SYN/ACK, and once
 *     connected the acknowledgment of our bytes or the server's next bytes or FIN); 0 waits forever
 * @param checkDeadline when the whole check must be over, on the monotonic clock; {@link CheckStep#NO_TIMER}: never
 * @param totalTimeoutMillis the overall bound that {@code checkDeadline} came from, for messages
 * @param vipProbeNanos how long to listen, after the check, for the real server claiming the VIP when
 *     asked for it directly ({@code --vip-arp}); 0: it is not asked
 * @param maxBytes the most of the server's bytes a conversation reads ({@code --max-bytes}); 0: there is
 *     none, and the connection is closed right after the handshake
 * @param onRealServersNetwork whether {@code ourIp} is in the real server's network; when it is not
 *     (no address of the interface is), an unanswered ARP request more likely means a wrong interface
 */
public record RawCheckPlan(
        MacAddress ourMac,
        IpAddress ourIp,
        Target target,
        int sourcePort,
        int initialSequence,
        long replyTimeoutNanos,
        long checkDeadline,
        long totalTimeoutMillis,
        long vipProbeNanos,
        boolean cleanClose,
        long maxBytes,
        boolean onRealServersNetwork) {

    /** Whether a conversation follows the handshake: the server's replies then carry data worth keeping. */
    public boolean converses() {
        return maxBytes > 0;
    }
}
