package io.github.checktcpraw.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeDynamicInstruction;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketCodecTest {

    private static final MacAddress CLIENT = MacAddress.parse(CapturedFrames.CLIENT_MAC);
    private static final MacAddress SERVER = MacAddress.parse(CapturedFrames.SERVER_MAC);
    private static final Ipv4Address CLIENT_IP = Ipv4Address.parseLiteral("198.51.100.1");
    private static final Ipv4Address SERVER_IP = Ipv4Address.parseLiteral("198.51.100.2");

    @Test
    void ourArpRequestIsTheKernelsByteForByte() {
        byte[] ours = ArpPacket.request(CLIENT, CLIENT_IP, SERVER_IP).encode();

        assertEquals(60, ours.length, "padded to the Ethernet minimum");
        assertArrayEquals(CapturedFrames.ARP_REQUEST, Arrays.copyOf(ours, CapturedFrames.ARP_REQUEST.length));
    }

    @Test
    void decodesAKernelArpReply() {
        ArpPacket reply = assertInstanceOf(ArpPacket.class, PacketDecoder.decode(CapturedFrames.ARP_REPLY));

        assertTrue(reply.isReply());
        assertEquals(SERVER, reply.senderMac());
        assertEquals(SERVER_IP, reply.senderIp());
        assertEquals(CLIENT, reply.targetMac());
        assertEquals(CLIENT_IP, reply.targetIp());
        assertEquals("(12:62:4e:0e:d4:6f) 198.51.100.2 ARP reply to 198.51.100.1 (92:9b:1f:12:48:a5)", reply.toString());
    }

    @Test
    void decodesAKernelSynAckWithOptions() {
        TcpSegment synAck = assertInstanceOf(TcpSegment.class, PacketDecoder.decode(CapturedFrames.SYN_ACK));

        assertEquals(SERVER, synAck.frameSource());
        assertEquals(CLIENT, synAck.frameDestination());
        assertEquals(SERVER_IP, synAck.sourceIp());
        assertEquals(80, synAck.sourcePort());
        assertEquals(53846, synAck.destinationPort());
        assertEquals("870801788", Integer.toUnsignedString(synAck.sequence()));
        assertEquals("1182108699", Integer.toUnsignedString(synAck.acknowledgment()));
        assertEquals(0, synAck.payloadLength(), "20 bytes of options are header, not data");
        assertEquals("(12:62:4e:0e:d4:6f) 198.51.100.2:80 > 198.51.100.1:53846 (92:9b:1f:12:48:a5) Flags [S.],"
                + " seq 870801788, ack 1182108699", synAck.toString());
    }

    @Test
    void decodesThePayloadItsLengthAndTheWindow() {
        TcpSegment data = assertInstanceOf(TcpSegment.class, PacketDecoder.decode(CapturedFrames.DATA));

        assertEquals(155, data.payloadLength());
        assertTrue(data.payloadCaptured());
        assertTrue(new String(data.payload(), StandardCharsets.US_ASCII).startsWith("HTTP/1.0 200 OK\r\n"),
                new String(data.payload(), StandardCharsets.US_ASCII));
        assertEquals("[P.]", TcpFlags.format(data.flags()));
        assertEquals(0, data.maxSegment(), "only a SYN's options are read");
    }

    @Test
    void aSynAcksMssOptionAndWindowAreRead() {
        TcpSegment synAck = assertInstanceOf(TcpSegment.class, PacketDecoder.decode(CapturedFrames.SYN_ACK));

        assertEquals(1460, synAck.maxSegment(), "the first of mss, sackOK, TS, nop, wscale");
        assertEquals(0xfe88, synAck.window());
    }

    @Test
    void aSegmentWithDataRoundTripsAndItsChecksumVerifies() {
        byte[] request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        TcpSegment segment = new TcpSegment(CLIENT, SERVER, CLIENT_IP, SERVER_IP, 53846, 80, 7, 9,
                TcpFlags.PSH | TcpFlags.ACK, TcpSegment.MAX_WINDOW, request);
        byte[] frame = segment.encode();

        assertEquals(segment, PacketDecoder.decode(frame));
        int stored = Bytes.readShort(frame, 34 + 16);
        frame[34 + 16] = 0;
        frame[34 + 17] = 0;
        assertEquals(stored, IpLayer.transportChecksum(frame, 34, 20 + request.length, false, IpLayer.PROTOCOL_TCP));
    }

    @Test
    void ethernetPaddingIsNotPayload() {
        byte[] one = new TcpSegment(CLIENT, SERVER, CLIENT_IP, SERVER_IP, 53846, 80, 7, 9, TcpFlags.PSH | TcpFlags.ACK,
                TcpSegment.MAX_WINDOW, new byte[] {'x'}).encode();

        TcpSegment decoded = assertInstanceOf(TcpSegment.class, PacketDecoder.decode(one));
        assertEquals(60, one.length, "padded to the Ethernet minimum");
        assertArrayEquals(new byte[] {'x'}, decoded.payload());
    }

    @Test
    void aMalformedOptionListYieldsNoMss() {
        byte[] synAck = CapturedFrames.SYN_ACK.clone();
        synAck[14 + 20 + 21] = 40; // the MSS option claims to run past the header

        assertEquals(0, assertInstanceOf(TcpSegment.class, PacketDecoder.decode(synAck)).maxSegment());
    }

    @Test
    void tcpChecksumsMatchTheValuesTcpdumpComputedForTheKernelsFrames() {
        assertEquals(CapturedFrames.SYN_CHECKSUM, tcpChecksumOf(CapturedFrames.SYN));
        assertEquals(CapturedFrames.SYN_ACK_CHECKSUM, tcpChecksumOf(CapturedFrames.SYN_ACK));
        assertEquals(CapturedFrames.DATA_CHECKSUM, tcpChecksumOf(CapturedFrames.DATA));
    }

    /** The checksum computed over a captured frame, with its checksum field zeroed as a sender does. */
    private static int tcpChecksumOf(byte[] captured) {
        byte[] frame = captured.clone();
        int tcp = 14 + 20;
        frame[tcp + 16] = 0;
        frame[tcp + 17] = 0;
        return IpLayer.transportChecksum(frame, tcp, Bytes.readShort(frame, 16) - 20, false, IpLayer.PROTOCOL_TCP);
    }

    @Test
    void ipv4HeaderChecksumsOfCapturedFramesVerify() {
        for (byte[] frame : new byte[][] {CapturedFrames.SYN, CapturedFrames.SYN_ACK, CapturedFrames.DATA}) {
            assertEquals(0, InternetChecksum.of(frame, 14, 20), "a header with its checksum sums to zero");
        }
    }

    @Test
    void encodedSegmentsRoundTripWithVerifyingChecksums() {
        for (int flags : new int[] {TcpFlags.SYN, TcpFlags.ACK, TcpFlags.RST | TcpFlags.ACK, TcpFlags.FIN | TcpFlags.ACK}) {
            TcpSegment segment = new TcpSegment(CLIENT, SERVER, CLIENT_IP, SERVER_IP, 53846, 80, 0xfffffff0, 0x80000001,
                    flags, TcpSegment.MAX_WINDOW, (flags & TcpFlags.SYN) != 0 ? 1460 : 0, null, 0, TcpSegment.NO_DATA);
            byte[] frame = segment.encode();

            assertEquals(segment, PacketDecoder.decode(frame));
            assertEquals(0, InternetChecksum.of(frame, 14, 20));
            int tcpLength = Bytes.readShort(frame, 16) - 20;
            int stored = Bytes.readShort(frame, 34 + 16);
            frame[34 + 16] = 0;
            frame[34 + 17] = 0;
            assertEquals(stored, IpLayer.transportChecksum(frame, 34, tcpLength, false, IpLayer.PROTOCOL_TCP));
        }
    }

    @Test
    void ourSynCarriesAnMssOptionLikeARealStack() {
        byte[] syn = new TcpSegment(CLIENT, SERVER, CLIENT_IP, SERVER_IP, 53846, 80, 1182108698, 0, TcpFlags.SYN,
                TcpSegment.MAX_WINDOW, TcpSegment.ethernetMss(false), null, 0, TcpSegment.NO_DATA).encode();

        assertEquals(0x60, syn[14 + 20 + 12] & 0xff, "data offset 6: one option word");
        assertEquals(1460, Bytes.readShort(syn, 14 + 20 + 22));
    }

    @Test
    void vlanTaggedFramesDecode() {
        byte[] plain = CapturedFrames.SYN_ACK;
        byte[] tagged = new byte[plain.length + 4];
        System.arraycopy(plain, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[13] = 0;
        tagged[15] = 42;
        System.arraycopy(plain, 12, tagged, 16, plain.length - 12);

        assertEquals(PacketDecoder.decode(plain), PacketDecoder.decode(tagged));
    }

    @Test
    void addressesParseAndPrint() {
        assertEquals("92:9b:1f:12:48:a5", CLIENT.toString());
        assertEquals("198.51.100.1", CLIENT_IP.toString());
        assertEquals("255.255.255.255", Ipv4Address.parseLiteral("255.255.255.255").toString());
        assertNull(Ipv4Address.parseLiteral("256.1.1.1"));
        assertNull(Ipv4Address.parseLiteral("1.2.3"));
        assertNull(Ipv4Address.parseLiteral("1.2.3.4.5"));
        assertNull(Ipv4Address.parseLiteral("-1.2.3.4"));
        assertNull(Ipv4Address.parseLiteral("host.example"));
        assertTrue(CLIENT_IP.sameNetwork(SERVER_IP, 24));
        assertTrue(!CLIENT_IP.sameNetwork(Ipv4Address.parseLiteral("198.51.101.1"), 24));
    }

    @Test
    void addressesAreValuesWithHandWrittenEqualsAndHashCode() {
        Ipv4Address sameIp = Ipv4Address.parseLiteral("198.51.100.1");
        MacAddress sameMac = MacAddress.parse(CapturedFrames.CLIENT_MAC);

        assertEquals(CLIENT_IP, sameIp);
        assertEquals(CLIENT_IP.hashCode(), sameIp.hashCode());
        assertNotEquals(CLIENT_IP, SERVER_IP);
        assertNotEquals(CLIENT_IP, (Object) CLIENT_IP.toString());
        assertEquals(CLIENT, sameMac);
        assertEquals(CLIENT.hashCode(), sameMac.hashCode());
        assertNotEquals(CLIENT, SERVER);
        assertNotEquals(CLIENT, (Object) new Ipv4Address((int) CLIENT.bits()));
    }

    /**
     * A record's generated equals and hashCode bootstrap through invokedynamic on first use, which
     * the AOT cache does not keep: 7-10 ms in every check (measured). These are on the check's path.
     */
    @Test
    void addressEqualityBootstrapsNothingAtRunTime() throws IOException {
        for (Class<?> type : List.of(Ipv4Address.class, MacAddress.class)) {
            ClassModel model;
            try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
                model = ClassFile.of().parse(in.readAllBytes());
            }
            for (String name : List.of("equals", "hashCode")) {
                MethodModel method = model.methods().stream()
                        .filter(m -> m.methodName().equalsString(name))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(type.getSimpleName() + " has no " + name));
                assertFalse(method.code().orElseThrow().elementStream()
                                .anyMatch(InvokeDynamicInstruction.class::isInstance),
                        type.getSimpleName() + "." + name + " uses invokedynamic: write it out");
            }
        }
    }

    @Test
    void payloadLengthComesFromTheIpHeaderWhenTheCaptureCutThePayload() {
        TcpSegment cut = assertInstanceOf(TcpSegment.class, PacketDecoder.decode(Arrays.copyOf(CapturedFrames.DATA, 80)));

        assertEquals(155, cut.payloadLength(), "the kernel filter keeps 256 bytes of each frame; the segment is longer");
        assertEquals(80 - 14 - 20 - 32, cut.payload().length, "what was captured of it");
        assertFalse(cut.payloadCaptured());
        assertInstanceOf(Packet.Undecoded.class, PacketDecoder.decode(Arrays.copyOf(CapturedFrames.DATA, 14 + 20 + 19)),
                "the TCP header itself must have been captured");
        assertInstanceOf(Packet.Undecoded.class, PacketDecoder.decode(Arrays.copyOf(CapturedFrames.DATA, 14 + 20 + 31)),
                "options included");
    }
}
