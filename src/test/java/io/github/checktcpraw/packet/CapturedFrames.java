package io.github.checktcpraw.packet;

import java.util.HexFormat;

/**
 * Frames a Linux 6.18 kernel put on a veth between two namespaces (curl to python3 http.server),
 * captured with {@code tcpdump -xx -vv}. tcpdump reported the TCP checksums as partial (veth
 * offload) and printed the correct values, given here beside each frame.
 */
public final class CapturedFrames {

    public static final String CLIENT_MAC = "92:9b:1f:12:48:a5";
    public static final String SERVER_MAC = "12:62:4e:0e:d4:6f";

    /** ARP, Request who-has 198.51.100.2 tell 198.51.100.1. */
    public static final byte[] ARP_REQUEST = hex("""
            ffff ffff ffff 929b 1f12 48a5 0806 0001
            0800 0604 0001 929b 1f12 48a5 c633 6401
            0000 0000 0000 c633 6402""");

    /** ARP, Reply 198.51.100.2 is-at 12:62:4e:0e:d4:6f. */
    public static final byte[] ARP_REPLY = hex("""
            929b 1f12 48a5 1262 4e0e d46f 0806 0001
            0800 0604 0002 1262 4e0e d46f c633 6402
            929b 1f12 48a5 c633 6401""");

    /** 198.51.100.1.53846 > 198.51.100.2.80: Flags [S], seq 1182108698, options [mss 1460,sackOK,TS,nop,wscale 10]. */
    public static final byte[] SYN = hex("""
            1262 4e0e d46f 929b 1f12 48a5 0800 4500
            003c 09cf 4000 4006 dc82 c633 6401 c633
            6402 d256 0050 4675 8c1a 0000 0000 a002
            faf0 5499 0000 0204 05b4 0402 080a 0c69
            3536 0000 0000 0103 030a""");
    public static final int SYN_CHECKSUM = 0x11cc;

    /** 198.51.100.2.80 > 198.51.100.1.53846: Flags [S.], seq 870801788, ack 1182108699. */
    public static final byte[] SYN_ACK = hex("""
            929b 1f12 48a5 1262 4e0e d46f 0800 4500
            003c 0000 4000 4006 e651 c633 6402 c633
            6401 0050 d256 33e7 617c 4675 8c1b a012
            fe88 5499 0000 0204 05b4 0402 080a 5b77
            ce56 0c69 3536 0103 030a""");
    public static final int SYN_ACK_CHECKSUM = 0x4ef1;

    /** 198.51.100.2.80 > 198.51.100.1.53846: Flags [P.], seq 1:156, ack 77, length 155 (the HTTP response head). */
    public static final byte[] DATA = hex("""
            929b 1f12 48a5 1262 4e0e d46f 0800 4500
            00cf 1016 4000 4006 d5a8 c633 6402 c633
            6401 0050 d256 33e7 617d 4675 8c67 8018
            0040 552c 0000 0101 080a 5b77 ce58 0c69
            3536 4854 5450 2f31 2e30 2032 3030 204f
            4b0d 0a53 6572 7665 723a 2053 696d 706c
            6548 5454 502f 302e 3620 5079 7468 6f6e
            2f33 2e31 312e 370d 0a44 6174 653a 2053
            6174 2c20 3238 204e 6f76 2032 3032 3620
            3230 3a35 333a 3539 2047 4d54 0d0a 436f
            6e74 656e 742d 7479 7065 3a20 7465 7874
            2f68 746d 6c3b 2063 6861 7273 6574 3d75
            7466 2d38 0d0a 436f 6e74 656e 742d 4c65
            6e67 7468 3a20 3539 370d 0a0d 0a""");
    public static final int DATA_CHECKSUM = 0x8880;

    private CapturedFrames() {
    }

    private static byte[] hex(String dump) {
        return HexFormat.of().parseHex(dump.replaceAll("\\s+", ""));
    }
}
