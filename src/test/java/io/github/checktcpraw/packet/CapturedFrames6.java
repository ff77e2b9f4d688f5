package io.github.checktcpraw.packet;

import java.util.HexFormat;

/**
 * IPv6 frames of one check in the lab (Linux 6.18, veths and a bridge), captured on the director
 * with {@code tcpdump -xx -vv}: our solicitation and SYN, the real server kernel's advertisement and
 * SYN/ACK. tcpdump found the ICMPv6 checksums and our TCP checksum right; the SYN/ACK's is partial
 * (veth offload).
 */
public final class CapturedFrames6 {

    public static final String DIRECTOR_MAC = "d6:a1:d8:82:86:0e";
    public static final String SERVER_MAC = "06:0a:bf:60:ae:ff";
    public static final int SOURCE_PORT = 42457;

    /** 2001:db8:1::10 > ff02::1:ff00:42: neighbor solicitation, who has 2001:db8:1::42. */
    public static final byte[] SOLICITATION = hex("""
            3333 ff00 0042 d6a1 d882 860e 86dd 6000
            0000 0020 3aff 2001 0db8 0001 0000 0000
            0000 0000 0010 ff02 0000 0000 0000 0000
            0001 ff00 0042 8700 e863 0000 0000 2001
            0db8 0001 0000 0000 0000 0000 0042 0101
            d6a1 d882 860e""");

    /** 2001:db8:1::42 > 2001:db8:1::10: neighbor advertisement, tgt is 2001:db8:1::42, Flags [solicited, override]. */
    public static final byte[] ADVERTISEMENT = hex("""
            d6a1 d882 860e 060a bf60 aeff 86dd 6000
            0000 0020 3aff 2001 0db8 0001 0000 0000
            0000 0000 0042 2001 0db8 0001 0000 0000
            0000 0000 0010 8800 1777 6000 0000 2001
            0db8 0001 0000 0000 0000 0000 0042 0201
            060a bf60 aeff""");

    /** rs2 (fe80::a0a5:6fff:fe8c:72) asking for the director: another host's solicitation. */
    public static final byte[] OTHER_SOLICITATION = hex("""
            d6a1 d882 860e a2a5 6f8c 0072 86dd 6000
            0000 0020 3aff fe80 0000 0000 0000 a0a5
            6fff fe8c 0072 2001 0db8 0001 0000 0000
            0000 0000 0010 8700 fb46 0000 0000 2001
            0db8 0001 0000 0000 0000 0000 0010 0101
            a2a5 6f8c 0072""");

    /** 2001:db8:1::10.42457 > 2001:db8:1::100.80: Flags [S], seq 3373589749, win 64240, options [mss 1440]. */
    public static final byte[] SYN = hex("""
            060a bf60 aeff d6a1 d882 860e 86dd 6000
            0000 0018 0640 2001 0db8 0001 0000 0000
            0000 0000 0010 2001 0db8 0001 0000 0000
            0000 0000 0100 a5d9 0050 c914 e4f5 0000
            0000 6002 faf0 ec91 0000 0204 05a0""");

    /** 2001:db8:1::100.80 > 2001:db8:1::10.42457: Flags [S.], seq 553565067, ack 3373589750, win 64800. */
    public static final byte[] SYN_ACK = hex("""
            d6a1 d882 860e 060a bf60 aeff 86dd 600e
            c12a 0018 0640 2001 0db8 0001 0000 0000
            0000 0000 0100 2001 0db8 0001 0000 0000
            0000 0000 0010 0050 a5d9 20fe bb8b c914
            e4f6 6012 fd20 5ca2 0000 0204 05a0""");

    private CapturedFrames6() {
    }

    private static byte[] hex(String dump) {
        return HexFormat.of().parseHex(dump.replaceAll("\\s+", ""));
    }
}
