package io.github.checktcpraw.shell;

import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.packet.MacAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The interface the check sends from: its index (what a packet socket binds to), its Ethernet
 * address and the IPv4 address to send with. Index, link type and MAC come from sysfs (cheap, and
 * the kernel's own words); addresses from the JDK.
 */
public record SourceInterface(String name, int index, MacAddress mac, Ipv4Address ip, boolean onRealServersNetwork) {

    /** ARPHRD_ETHER in /sys/class/net/IFACE/type (loopback is 772). */
    private static final String ETHERNET = "1";

    /**
     * Looks up {@code name} and picks its IPv4 address in the real server's network (the one the
     * real server answers to directly), or else its first.
     */
    public static SourceInterface lookup(String name, Ipv4Address realServer) throws SetupException {
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

    private static SourceInterface withAddressFacing(Ipv4Address realServer, String name, int index, MacAddress mac)
            throws SetupException {
        NetworkInterface nic;
        try {
            nic = NetworkInterface.getByName(name);
        } catch (SocketException e) {
            throw new SetupException("cannot read the addresses of interface \"" + name + "\": " + e.getMessage());
        }
        if (nic == null) {
            // It is in sysfs, so it exists: the JDK lists only interfaces that carry an address.
            throw new SetupException("interface \"" + name + "\" has no IPv4 address");
        }
        Ipv4Address first = null;
        for (InterfaceAddress address : nic.getInterfaceAddresses()) {
            if (address.getAddress() instanceof Inet4Address ipv4) {
                Ipv4Address candidate = Ipv4Address.of(ipv4.getAddress());
                if (candidate.sameNetwork(realServer, address.getNetworkPrefixLength())) {
                    return new SourceInterface(name, index, mac, candidate, true);
                }
                if (first == null) {
                    first = candidate;
                }
            }
        }
        if (first == null) {
            throw new SetupException("interface \"" + name + "\" has no IPv4 address");
        }
        return new SourceInterface(name, index, mac, first, false);
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
