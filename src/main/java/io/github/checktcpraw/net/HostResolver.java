package io.github.checktcpraw.net;

import io.github.checktcpraw.check.SetupException;
import io.github.checktcpraw.packet.Ipv4Address;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** REAL_SERVER and VIRTUAL_IP to IPv4 addresses: literals directly, names through the system resolver. */
public final class HostResolver {

    private HostResolver() {
    }

    /** @param role what the host is, for the message ("real server", "virtual IP") */
    public static Ipv4Address resolve(String role, String host) throws SetupException {
        Ipv4Address literal = Ipv4Address.parseLiteral(host);
        if (literal != null) {
            return literal;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (address instanceof Inet4Address ipv4) {
                    return Ipv4Address.of(ipv4.getAddress());
                }
            }
            throw new SetupException(role + " \"" + host + "\" has no IPv4 address");
        } catch (UnknownHostException e) {
            throw new SetupException("cannot resolve " + role + " \"" + host + "\"");
        }
    }
}
