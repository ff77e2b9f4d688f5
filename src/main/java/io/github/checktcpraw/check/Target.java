package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.Ipv4Address;

/** What one check asks: does {@code realServer} answer for {@code virtualIp} on TCP {@code port}? */
public record Target(Ipv4Address realServer, Ipv4Address virtualIp, int port) {

    /** "198.51.100.100:80" */
    public String service() {
        return virtualIp + ":" + port;
    }
}
