package io.github.checktcpraw.shell;

import io.github.checktcpraw.packet.IpAddress;
import io.github.checktcpraw.packet.Ipv6Address;
import io.github.checktcpraw.packet.MacAddress;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The interface the check sends from: its index (what a packet socket binds to), its Ethernet
 * address and the IPv4 or IPv6 address to send with. Index, link type and MAC come from sysfs (cheap, and
 * the kernel's own words); addresses from the JDK.
 */
public record SourceInterface(String name, int index, MacAddress mac, IpAddress ip, boolean onRealServersNetwork) {

    /** ARPHRD_ETHER in /sys/class/net/IFACE/type (loopback is 772). */
    private static final String ETHERNET = "1";

    /**
     * Looks up {@code name} and picks its address of the real server's family in the real server's
     * network (the one the real server answers to directly), or else its first.
     */
    public static SourceInterface lookup(String name, IpAddress realServer) throws SetupException {
        Path sysfs = Path.of("/sys/class/net", name);
        String type = read(sysfs.resolve("type"), name);
        if (!type.equals(ETHERNET)) {
            throw new SetupException("interface \"" + name + "\" is not Ethernet (link type " + type
                    + "), so frames cannot be addressed to the real server's MAC");
        }
        MacAddress mac;
        try {
            mac = MacAddress.parse(read(sysfs.resolve("address"), name));
        } catch (IllegalArgumentException e) {
            throw new SetupException("interface \"" + name + "\" has no usable MAC address: " + e.getMessage());
        }
        int index;
        try {
            index = Integer.parseInt(read(sysfs.resolve("ifindex"), name));
        } catch (NumberFormatException e) {
            throw new SetupException("interface \"" + name + "\" has no usable index: " + e.getMessage());
        }
        return withAddressFacing(realServer, name, index, mac);
    }

    /**
     * The interface's address to send from, of the real server's family: one in the real server's
     * network, else the first; for IPv6 never a link-local one unless the real server is link-local.
     */
    private static SourceInterface withAddressFacing(IpAddress realServer, String name, int index, MacAddress mac)
            throws SetupException {
        boolean ipv6 = realServer.isIpv6();
        boolean linkLocal = realServer instanceof Ipv6Address server && server.isLinkLocal();
        String wanted = !ipv6 ? "IPv4" : linkLocal ? "link-local IPv6" : "global IPv6";
        NetworkInterface nic;
        try {
            nic = NetworkInterface.getByName(name);
        } catch (SocketException e) {
            throw new SetupException("cannot read the addresses of interface \"" + name + "\": " + e.getMessage());
        }
        if (nic == null) {
            // It is in sysfs, so it exists: the JDK lists only interfaces that carry an address.
            throw new SetupException("interface \"" + name + "\" has no " + wanted + " address");
        }
        IpAddress first = null;
        for (InterfaceAddress address : nic.getInterfaceAddresses()) {
            IpAddress candidate = IpAddress.of(address.getAddress().getAddress());
            if (candidate.isIpv6() != ipv6
                    || (candidate instanceof Ipv6Address own && own.isLinkLocal() != linkLocal)) {
                continue;
            }
            if (candidate.sameNetwork(realServer, address.getNetworkPrefixLength())) {
                return new SourceInterface(name, index, mac, candidate, true);
            }
            if (first == null) {
                first = candidate;
            }
        }
        if (first == null) {
            throw new SetupException("interface \"" + name + "\" has no " + wanted + " address");
        }
        return new SourceInterface(name, index, mac, first, false);
    }

    /** The address as java.net wants it, with the interface as scope where the address needs one (link-local). */
    InetAddress inetAddress(IpAddress address) throws UnknownHostException {
        if (address instanceof Ipv6Address ipv6 && ipv6.isLinkLocal()) {
            return Inet6Address.getByAddress(null, ipv6.toBytes(), index);
        }
        return InetAddress.getByAddress(address.toBytes());
    }

    private static String read(Path file, String name) throws SetupException {
        try {
            return Files.readString(file).trim();
        } catch (NoSuchFileException e) {
            throw new SetupException("interface \"" + name + "\" does not exist");
        } catch (IOException e) {
            throw new SetupException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
