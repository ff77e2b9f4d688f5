package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.packet.MacAddress;

/**
 * Everything one raw check needs, resolved and validated: who we are on the wire, whom we ask for
 * which VIP and port, and how patiently.
 *
 * @param timeoutNanos bound on each awaited reply (ARP reply, SYN/ACK, the server's FIN); 0 waits forever
 * @param onRealServersNetwork whether {@code ourIp} is in the real server's network; when it is not
 *     (no address of the interface is), an unanswered ARP request more likely means a wrong interface
 */
public record RawCheckPlan(
        MacAddress ourMac,
        Ipv4Address ourIp,
        Ipv4Address realServer,
        Ipv4Address virtualIp,
        int port,
        int sourcePort,
        int initialSequence,
        long timeoutNanos,
        boolean cleanClose,
        boolean onRealServersNetwork) {

    /** "198.51.100.100:80" */
    public String service() {
        return virtualIp + ":" + port;
    }
}
