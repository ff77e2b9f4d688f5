package io.github.checktcpraw.packet;

/** An IPv4 or IPv6 address: what the check needs of either, so that it is written once for both. */
public sealed interface IpAddress permits Ipv4Address, Ipv6Address {

    /** The address from its 4 or 16 bytes in network order. */
    static IpAddress of(byte[] bytes) {
        return bytes.length == 16 ? Ipv6Address.of(bytes) : Ipv4Address.of(bytes);
    }

    boolean isIpv6();

    /** Writes the address in network order at {@code offset}. */
    void write(byte[] frame, int offset);

    byte[] toBytes();

    /** True when {@code other} is of the same family and in the same network under {@code prefixLength}. */
    boolean sameNetwork(IpAddress other, int prefixLength);

    /** As in a URL: {@code 198.51.100.100} or {@code [2001:db8::100]}, ready for {@code :port}. */
    String withPortPrefix();
}
