package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.IpAddress;

/**
 * What one check asks: does {@code realServer} answer for {@code virtualIp} on TCP {@code port}?
 * Both addresses are of one family.
 */
public record Target(IpAddress realServer, IpAddress virtualIp, int port) {

    /** "198.51.100.100:80", "[2001:db8::100]:80" */
    public String service() {
        return virtualIp.withPortPrefix() + ":" + port;
    }

    public boolean ipv6() {
        return realServer.isIpv6();
    }
}
