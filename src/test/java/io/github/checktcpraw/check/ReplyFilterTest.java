package io.github.checktcpraw.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.checktcpraw.packet.BpfInterpreter;
import io.github.checktcpraw.packet.BpfProgram;
import io.github.checktcpraw.packet.CapturedFrames;
import io.github.checktcpraw.packet.CapturedFrames6;
import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.packet.Ipv6Address;
import io.github.checktcpraw.packet.MacAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The kernel filter of a check, run over frames a real kernel sent: it keeps exactly the replies the
 * check waits for (what tcpdump's compiler makes of the same expression would).
 */
class ReplyFilterTest {

    /** The check 198.51.100.1:53846 -> VIP 198.51.100.2:80 through real server 198.51.100.2, as in the capture. */
    private static final RawCheckPlan PLAN = new RawCheckPlan(MacAddress.parse(CapturedFrames.CLIENT_MAC),
            Ipv4Address.parseLiteral("198.51.100.1"), new Target(Ipv4Address.parseLiteral("198.51.100.2"),
                    Ipv4Address.parseLiteral("198.51.100.2"), 80), 53846, 1, 1_000_000_000L, CheckStep.NO_TIMER, 0, 0,
            false, 0, true);
    private static final BpfProgram FILTER = ReplyFilter.program(PLAN);

    @Test
    void keepsTheArpReplyAndTheServersSegmentsUpToTheSnapshotLength() {
        assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(FILTER, CapturedFrames.ARP_REPLY));
        assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(FILTER, CapturedFrames.SYN_ACK));
        assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(FILTER, CapturedFrames.DATA));
    }

    @Test
    void withAConversationItKeepsWholeFramesAsLargeAsReceiveOffloadMakesThem() {
        RawCheckPlan conversing = new RawCheckPlan(PLAN.ourMac(), PLAN.ourIp(), PLAN.target(), PLAN.sourcePort(), 1,
                1_000_000_000L, CheckStep.NO_TIMER, 0, 0, false, 65536, true);
        RawCheckPlan conversing6 = new RawCheckPlan(PLAN6.ourMac(), PLAN6.ourIp(), PLAN6.target(), PLAN6.sourcePort(), 1,
                1_000_000_000L, CheckStep.NO_TIMER, 0, 0, false, 65536, true);

        assertEquals(ReplyFilter.WHOLE_FRAME, BpfInterpreter.run(ReplyFilter.program(conversing), CapturedFrames.DATA));
        assertEquals(ReplyFilter.WHOLE_FRAME, ReplyFilter.snapshotLength(conversing));
        assertEquals(ReplyFilter.WHOLE_FRAME,
                BpfInterpreter.run(ReplyFilter.program(conversing6), CapturedFrames6.SYN_ACK));
        assertEquals(0, BpfInterpreter.run(ReplyFilter.program(conversing), CapturedFrames.SYN), "still only the replies");
        assertEquals(14 + 8 + 40 + 65535, ReplyFilter.WHOLE_FRAME);
        assertEquals(ReplyFilter.SNAPSHOT_LENGTH, ReplyFilter.snapshotLength(PLAN), "headers only without one");
    }

    @Test
    void dropsWhatWeSendOurselves() {
        assertEquals(0, BpfInterpreter.run(FILTER, CapturedFrames.ARP_REQUEST));
        assertEquals(0, BpfInterpreter.run(FILTER, CapturedFrames.SYN));
    }

    @Test
    void dropsASegmentWithAnyAddressOrPortOfAnotherConnection() {
        int ip = 14;
        int tcp = ip + 20;
        for (int[] change : new int[][] {{ip + 15, 3}, {ip + 19, 9}, {tcp + 1, 81}, {tcp + 3, 0x57}, {ip + 9, 17}}) {
            byte[] frame = CapturedFrames.SYN_ACK.clone();
            frame[change[0]] = (byte) change[1];
            assertEquals(0, BpfInterpreter.run(FILTER, frame), "byte " + change[0] + " changed");
        }
    }

    @Test
    void dropsAnArpReplyFromAnotherHostAndAnArpRequestFromTheServer() {
        byte[] otherHost = CapturedFrames.ARP_REPLY.clone();
        otherHost[14 + 17] = 9;
        assertEquals(0, BpfInterpreter.run(FILTER, otherHost));
        byte[] request = CapturedFrames.ARP_REPLY.clone();
        request[14 + 7] = 1;
        assertEquals(0, BpfInterpreter.run(FILTER, request));
    }

    @Test
    void dropsALaterFragmentWhoseBytesOnlyLookLikePorts() {
        byte[] fragment = CapturedFrames.SYN_ACK.clone();
        fragment[14 + 7] = 0x10; // fragment offset 16
        assertEquals(0, BpfInterpreter.run(FILTER, fragment));
    }

    @Test
    void aTruncatedFrameIsDroppedNotReadPastItsEnd() {
        assertEquals(0, BpfInterpreter.run(FILTER, Arrays.copyOf(CapturedFrames.SYN_ACK, 36)));
    }

    @Test
    void theBuilderRefusesBackwardJumpsAndAProgramThatDoesNotReturn() {
        assertThrows(IllegalStateException.class, () -> new BpfProgram.Builder().label("top").loadHalf(12)
                .jumpIfEqual(1, "top", null).accept(0).build());
        assertThrows(IllegalStateException.class, () -> new BpfProgram.Builder().loadHalf(12).build());
    }

    /** The IPv6 check of {@link CapturedFrames6}: 2001:db8:1::10:42457 -> [2001:db8:1::100]:80 via 2001:db8:1::42. */
    private static final RawCheckPlan PLAN6 = new RawCheckPlan(MacAddress.parse(CapturedFrames6.DIRECTOR_MAC),
            new Ipv6Address(0x2001_0db8_0001_0000L, 0x10), new Target(new Ipv6Address(0x2001_0db8_0001_0000L, 0x42),
                    new Ipv6Address(0x2001_0db8_0001_0000L, 0x100), 80), CapturedFrames6.SOURCE_PORT, 1,
            1_000_000_000L, CheckStep.NO_TIMER, 0, 0, false, 0, true);
    private static final BpfProgram FILTER6 = ReplyFilter.program(PLAN6);

    @Test
    void overIpv6ItKeepsTheAdvertisementAndTheServersSegments() {
        assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(FILTER6, CapturedFrames6.ADVERTISEMENT));
        assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(FILTER6, CapturedFrames6.SYN_ACK));
    }

    @Test
    void overIpv6ItDropsSolicitationsOurSynAndOtherConnections() {
        assertEquals(0, BpfInterpreter.run(FILTER6, CapturedFrames6.SOLICITATION));
        assertEquals(0, BpfInterpreter.run(FILTER6, CapturedFrames6.OTHER_SOLICITATION));
        assertEquals(0, BpfInterpreter.run(FILTER6, CapturedFrames6.SYN));
        assertEquals(0, BpfInterpreter.run(FILTER, CapturedFrames6.SYN_ACK), "nor does the IPv4 filter take IPv6");
        for (int at : new int[] {14 + 8 + 15, 14 + 24 + 15, 14 + 40 + 1, 14 + 40 + 3}) {
            byte[] other = CapturedFrames6.SYN_ACK.clone();
            other[at] ^= 1;
            assertEquals(0, BpfInterpreter.run(FILTER6, other), "byte " + at + " changed");
        }
        byte[] otherTarget = CapturedFrames6.ADVERTISEMENT.clone();
        otherTarget[14 + 40 + 8 + 15] = 0x43;
        assertEquals(0, BpfInterpreter.run(FILTER6, otherTarget), "an advertisement for another address");
    }

    /** With --vip-arp: the same check, its VIP 198.51.100.100 apart from the real server, probed for. */
    private static RawCheckPlan vipPlan(long vipProbeNanos) {
        return new RawCheckPlan(MacAddress.parse(CapturedFrames.CLIENT_MAC), Ipv4Address.parseLiteral("198.51.100.1"),
                new Target(Ipv4Address.parseLiteral("198.51.100.2"), Ipv4Address.parseLiteral("198.51.100.100"), 80),
                53846, 1, 1_000_000_000L, CheckStep.NO_TIMER, 0, vipProbeNanos, false, 0, true);
    }

    @Test
    void withVipArpItAlsoKeepsAnArpReplyForTheVipAndStillTheServersSegments() {
        BpfProgram probing = ReplyFilter.program(vipPlan(200_000_000L));
        BpfProgram plain = ReplyFilter.program(vipPlan(0));
        byte[] forVip = CapturedFrames.ARP_REPLY.clone();
        forVip[14 + 17] = 100; // sender protocol address: the VIP
        byte[] fromVip = CapturedFrames.SYN_ACK.clone();
        fromVip[14 + 15] = 100; // source address: the VIP
        byte[] forOther = CapturedFrames.ARP_REPLY.clone();
        forOther[14 + 17] = 9;

        assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(probing, forVip), "the VIP's ARP reply, probed for");
        assertEquals(0, BpfInterpreter.run(plain, forVip), "the VIP's ARP reply, not probed for");
        for (BpfProgram filter : new BpfProgram[] {probing, plain}) {
            assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(filter, CapturedFrames.ARP_REPLY));
            assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(filter, fromVip));
            assertEquals(0, BpfInterpreter.run(filter, forOther), "another host's ARP reply");
            assertEquals(0, BpfInterpreter.run(filter, CapturedFrames.SYN_ACK), "a segment from the real server's own address");
            assertEquals(0, BpfInterpreter.run(filter, CapturedFrames.ARP_REQUEST));
        }
    }

    @Test
    void withVipArpOverIpv6ItAlsoKeepsAnAdvertisementForTheVip() {
        RawCheckPlan plan = new RawCheckPlan(PLAN6.ourMac(), PLAN6.ourIp(), PLAN6.target(), PLAN6.sourcePort(), 1,
                1_000_000_000L, CheckStep.NO_TIMER, 0, 200_000_000L, false, 0, true);
        BpfProgram probing = ReplyFilter.program(plan);
        byte[] forVip = CapturedFrames6.ADVERTISEMENT.clone();
        forVip[14 + 40 + 8 + 14] = 0x01; // target address ::100, the VIP
        forVip[14 + 40 + 8 + 15] = 0x00;

        assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(probing, forVip), "the VIP's advertisement, probed for");
        assertEquals(0, BpfInterpreter.run(FILTER6, forVip), "the VIP's advertisement, not probed for");
        assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(probing, CapturedFrames6.ADVERTISEMENT));
        assertEquals(ReplyFilter.SNAPSHOT_LENGTH, BpfInterpreter.run(probing, CapturedFrames6.SYN_ACK));
        assertEquals(0, BpfInterpreter.run(probing, CapturedFrames6.SOLICITATION));
    }
}
