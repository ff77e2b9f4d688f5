package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.ArpPacket;
import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.packet.Ipv6Address;
import io.github.checktcpraw.packet.MacAddress;
import io.github.checktcpraw.packet.NeighborPacket;
import io.github.checktcpraw.packet.Packet;
import io.github.checktcpraw.packet.PacketDecoder;
import io.github.checktcpraw.packet.TcpFlags;
import io.github.checktcpraw.packet.TcpSegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A real server behind the same {@link FrameChannel} seam the packet socket implements, on simulated
 * time: it answers what the check sends according to a script of behaviours, and its clock advances
 * only when the check waits. With a {@link Service} it also talks, as a small TCP sender: segments
 * within our window, lost or reordered as asked, go-back-N retransmission after {@link #RTO}. The
 * unit tests drive the check through it and read back every frame the check sent; the build's AOT
 * training run ({@code AotTraining}) uses it to exercise the check's code without privileges or a
 * network.
 */
public final class SimulatedPeer implements FrameChannel, CheckClock {

    static final MacAddress DIRECTOR_MAC = MacAddress.parse("02:00:00:00:00:10");
    static final MacAddress SERVER_MAC = MacAddress.parse("02:00:00:00:00:42");
    static final MacAddress STRANGER_MAC = MacAddress.parse("02:00:00:00:00:99");
    static final Ipv4Address DIRECTOR_IP = Ipv4Address.parseLiteral("198.51.100.10");
    static final Ipv4Address SERVER_IP = Ipv4Address.parseLiteral("198.51.100.42");
    static final Ipv4Address VIP = Ipv4Address.parseLiteral("198.51.100.100");
    static final int PORT = 80;
    static final int SOURCE_PORT = 40000;
    /** Near the top of the sequence space, so the check's arithmetic must wrap. */
    static final int OUR_ISN = 0xffff_fffe;
    static final int SERVER_ISN = 0x7fff_ffff;
    /** The round trip: a reply arrives this long after the check's packet that drew it. */
    static final long LATENCY = 300_000;
    public static final Target TARGET = new Target(SERVER_IP, VIP, PORT);
    /** The same lab in IPv6's documentation prefix: 2001:db8:1::10, ::42 and ::100. */
    static final Ipv6Address DIRECTOR_IP6 = new Ipv6Address(0x2001_0db8_0001_0000L, 0x10);
    static final Ipv6Address SERVER_IP6 = new Ipv6Address(0x2001_0db8_0001_0000L, 0x42);
    static final Ipv6Address VIP6 = new Ipv6Address(0x2001_0db8_0001_0000L, 0x100);
    public static final Target TARGET6 = new Target(SERVER_IP6, VIP6, PORT);

    /** Bytes the server sends before its FIN with {@link OnFin#DATA_THEN_FIN}: more than a capture keeps. */
    static final int DATA = 1000;

    /** How the peer answers a SYN. */
    enum OnSyn { SYN_ACK, RST, SILENT }

    /** How the peer answers our FIN (without a {@link Service}: with one, it closes as TCP does). */
    public enum OnFin { ACK_THEN_FIN, FIN_ACK_COMBINED, FIN_THEN_ACK, DATA_THEN_FIN, ACK_ONLY, SILENT, RST }

    /** The server's retransmission timeout: Linux's least. */
    static final long RTO = 200_000_000L;

    /**
     * What a server says once connected, and how its bytes travel. Its TCP is Linux's in the ways a
     * check meets: every in-order byte acknowledged, out-of-order ones dropped, FIN after the data.
     */
    public static final class Service {
        /** Sent as soon as the connection is up, before any request (SMTP, SSH). */
        public byte[] banner = TcpSegment.NO_DATA;
        /** The answer to what it received since its last answer; {@code null} while that is incomplete. */
        public Function<byte[], byte[]> respond = request -> null;
        /** The most the server puts in one segment. */
        public int segmentSize = 1000;
        /** It closes (FIN) once its answer is sent, as with HTTP's {@code Connection: close}; else when we do. */
        public boolean closeAfterAnswer;
        /** That FIN rides on the last data segment. */
        public boolean finWithData;
        /** Its data segments (numbered from 0 by offset) lost on their first transmission. */
        public Set<Integer> lost = Set.of();
        /** Its data segments delivered after the one that follows them (on their first transmission). */
        public Set<Integer> late = Set.of();
        /** After this many bytes it resets the connection instead of sending more; -1: never. */
        public int resetAfter = -1;
        /** How many of our data segments are lost before it sees one. */
        public int dropRequests;
    }

    private record Scheduled(long at, long order, byte[] frame, Runnable action) {
    }

    private final PriorityQueue<Scheduled> inFlight = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private final List<Packet> sent = new ArrayList<>();
    private long now = 1_000_000_000_000L;
    private long order;
    private int snapshotLength = ReplyFilter.SNAPSHOT_LENGTH;
    /** Timestamps agreed on: the check's latest, and every one the peer sent. */
    private boolean stamping;
    private int clientClock;
    private final List<Integer> serverClocks = new ArrayList<>();
    /** The service's side of the connection; {@code null} until connected. */
    private Served served;

    /** Whether it answers ARP requests (IPv4) and neighbour solicitations (IPv6). */
    boolean answersArp = true;
    OnSyn onSyn = OnSyn.SYN_ACK;
    public OnFin onFin = OnFin.ACK_THEN_FIN;
    /** Drop this many of the first ARP requests / SYNs / FINs, as a lossy network would. */
    int dropArp;
    int dropSyn;
    int dropFin;
    /** Replies to send before each real one: noise the check must ignore. */
    Function<TcpSegment, List<Packet>> noise = s -> List.of();
    /** Plans made from now on ask for the VIP after the check, listening this long ({@code --vip-arp}). */
    public long vipProbeMillis;
    /** Answers ARP and neighbour solicitations for the VIP too, as a misconfigured real server does. */
    boolean claimsVip;
    /** Plans made from now on read at most this many bytes of a conversation; 0: none. */
    public long maxBytes;
    /** What the server says; {@code null}: nothing. */
    public Service service;
    /** It answers a SYN that offers timestamps with them and then stamps every segment, as Linux does. */
    public boolean timestamps;
    /** Sees each packet the check sends, before the peer answers it. */
    Consumer<Packet> onSend = p -> { };
    /** From {@link #wallClockStepAt} on, the realtime clock is {@link #wallClockStep} off, as if set by hand. */
    long wallClockStepAt = CheckStep.NO_TIMER;
    long wallClockStep;

    /** A check of {@link #TARGET} from the director, bounded per reply only. */
    public RawCheckPlan plan(boolean cleanClose, long timeoutMillis) {
        return plan(cleanClose, timeoutMillis, CheckStep.NO_TIMER, 0);
    }

    /** The same, also bounded as a whole: {@code totalMillis} from now. */
    public RawCheckPlan plan(boolean cleanClose, long timeoutMillis, long totalMillis) {
        return plan(cleanClose, timeoutMillis, now + totalMillis * 1_000_000L, totalMillis);
    }

    private RawCheckPlan plan(boolean cleanClose, long timeoutMillis, long deadline, long totalMillis) {
        return filtered(new RawCheckPlan(DIRECTOR_MAC, DIRECTOR_IP, TARGET, SOURCE_PORT, OUR_ISN,
                timeoutMillis * 1_000_000L, deadline, totalMillis, vipProbeMillis * 1_000_000L, cleanClose, maxBytes, true));
    }

    /** A check of {@link #TARGET6} over IPv6, bounded per reply only. */
    public RawCheckPlan plan6(boolean cleanClose, long timeoutMillis) {
        return filtered(new RawCheckPlan(DIRECTOR_MAC, DIRECTOR_IP6, TARGET6, SOURCE_PORT, OUR_ISN,
                timeoutMillis * 1_000_000L, CheckStep.NO_TIMER, 0, vipProbeMillis * 1_000_000L, cleanClose, maxBytes,
                true));
    }

    /** Frames are delivered as the plan's kernel filter would keep them. */
    private RawCheckPlan filtered(RawCheckPlan plan) {
        snapshotLength = ReplyFilter.snapshotLength(plan);
        return plan;
    }

    public List<Packet> sent() {
        return sent;
    }

    /**
     * What the check sent, as tcpdump flag strings ({@code [S]}, {@code [.]}, ...); ARP requests and
     * neighbour solicitations alike as "ARP".
     */
    public List<String> sentFlags() {
        return sent.stream().map(p -> p instanceof TcpSegment s ? TcpFlags.format(s.flags()) : "ARP").toList();
    }

    public long now() {
        return now;
    }

    @Override
    public long monotonicNanos() {
        return now;
    }

    @Override
    public long realtimeNanos() {
        long step = now - wallClockStepAt >= 0 && wallClockStepAt != CheckStep.NO_TIMER ? wallClockStep : 0;
        return now + 5_000_000_000L + step; // a different origin: the runner must map one onto the other
    }

    @Override
    public void send(byte[] frame) {
        Packet packet = PacketDecoder.decode(frame);
        sent.add(packet);
        onSend.accept(packet);
        switch (packet) {
            case ArpPacket arp -> onArp(arp);
            case NeighborPacket solicitation -> onSolicitation(solicitation);
            case TcpSegment segment -> onTcp(segment);
            case Packet.Undecoded undecoded -> throw new AssertionError("check sent an undecodable frame: " + undecoded);
        }
    }

    @Override
    public ReceivedFrame receive(long timeoutNanos) {
        long until = now + timeoutNanos;
        while (true) {
            Scheduled next = inFlight.peek();
            if (next == null || next.at > until) {
                now = until;
                return null;
            }
            inFlight.poll();
            now = Math.max(now, next.at);
            if (next.action != null) {
                next.action.run(); // a timer of the server's own
                continue;
            }
            // As the kernel filter delivers them: cut to the snapshot length.
            byte[] captured = next.frame.length > snapshotLength ? Arrays.copyOf(next.frame, snapshotLength) : next.frame;
            return new ReceivedFrame(captured, realtimeNanos());
        }
    }

    @Override
    public void close() {
    }

    public void deliver(long delay, Packet packet) {
        byte[] frame = packet instanceof Packet.Undecoded ? new byte[] {1, 2, 3} : packet.encode();
        inFlight.add(new Scheduled(now + delay, order++, frame, null));
    }

    private void after(long delay, Runnable action) {
        inFlight.add(new Scheduled(now + delay, order++, null, action));
    }

    private void onArp(ArpPacket request) {
        boolean forVip = request.targetIp().equals(VIP);
        if (forVip ? !claimsVip : !answersArp || dropArp-- > 0) {
            return;
        }
        deliver(LATENCY, new ArpPacket(SERVER_MAC, request.senderMac(), ArpPacket.REPLY, SERVER_MAC, request.targetIp(),
                request.senderMac(), request.senderIp()));
    }

    private void onSolicitation(NeighborPacket solicitation) {
        boolean forVip = solicitation.target().equals(VIP6);
        if (forVip ? !claimsVip : !answersArp || dropArp-- > 0) {
            return;
        }
        deliver(LATENCY, new NeighborPacket(SERVER_MAC, solicitation.linkLayerAddress(), solicitation.target(),
                solicitation.sourceIp(), NeighborPacket.LINK_HOP_LIMIT, NeighborPacket.ADVERTISEMENT,
                NeighborPacket.SOLICITED | NeighborPacket.OVERRIDE, solicitation.target(), SERVER_MAC));
    }

    private void onTcp(TcpSegment in) {
        for (Packet extra : noise.apply(in)) {
            deliver(LATENCY / 2, extra);
        }
        if (in.timestamps() != null) {
            stamping |= timestamps && in.has(TcpFlags.SYN);
            clientClock = in.timestamps().value();
        }
        if (in.has(TcpFlags.SYN)) {
            if (dropSyn-- > 0) {
                return;
            }
            switch (onSyn) {
                case SYN_ACK -> deliver(LATENCY, stamped(reply(in, TcpFlags.SYN | TcpFlags.ACK, SERVER_ISN,
                        in.sequence() + 1)));
                case RST -> deliver(LATENCY, reply(in, TcpFlags.RST | TcpFlags.ACK, 0, in.sequence() + 1));
                case SILENT -> { }
            }
        } else if (service != null) {
            serve(in);
        } else if (in.has(TcpFlags.FIN)) {
            if (dropFin-- > 0) {
                return;
            }
            int ourNext = SERVER_ISN + 1;
            int theirNext = in.sequence() + 1;
            switch (onFin) {
                case ACK_THEN_FIN -> {
                    deliver(LATENCY, reply(in, TcpFlags.ACK, ourNext, theirNext));
                    deliver(2 * LATENCY, reply(in, TcpFlags.FIN | TcpFlags.ACK, ourNext, theirNext));
                }
                case FIN_ACK_COMBINED -> deliver(LATENCY, reply(in, TcpFlags.FIN | TcpFlags.ACK, ourNext, theirNext));
                case FIN_THEN_ACK -> {
                    // The server closes at the same moment: its FIN does not yet acknowledge ours.
                    deliver(LATENCY, reply(in, TcpFlags.FIN | TcpFlags.ACK, ourNext, in.sequence()));
                    deliver(2 * LATENCY, reply(in, TcpFlags.ACK, ourNext + 1, theirNext));
                }
                case DATA_THEN_FIN -> {
                    deliver(LATENCY, withPayload(reply(in, TcpFlags.PSH | TcpFlags.ACK, ourNext, theirNext), DATA));
                    deliver(2 * LATENCY, reply(in, TcpFlags.FIN | TcpFlags.ACK, ourNext + DATA, theirNext));
                }
                case ACK_ONLY -> deliver(LATENCY, reply(in, TcpFlags.ACK, ourNext, theirNext));
                case SILENT -> { }
                case RST -> deliver(LATENCY, reply(in, TcpFlags.RST, ourNext, 0));
            }
        }
    }

    /**
     * The service's side of the connection: the check's bytes read in order, the server's sent as a
     * TCP sender does. Offsets count from the first byte after the server's SYN.
     */
    private final class Served {
        final MacAddress client;
        final TcpSegment first;
        int clientNext;
        /** What it received since its last answer. */
        byte[] request = TcpSegment.NO_DATA;
        byte[] data;
        /** Offsets: acknowledged by the check, next to send, highest ever sent. */
        int acked;
        int next;
        int highest;
        int clientWindow;
        boolean closing;
        boolean finSent;
        boolean finAcked;
        boolean reset;
        int timer;

        Served(TcpSegment first) {
            this.client = first.frameSource();
            this.first = first;
            this.clientNext = first.sequence();
            this.data = service.banner;
            this.clientWindow = first.window();
        }

        void receive(TcpSegment in) {
            if (in.has(TcpFlags.RST)) {
                reset = true;
                return;
            }
            if (in.has(TcpFlags.ACK)) {
                int ack = in.acknowledgment() - (SERVER_ISN + 1);
                if (ack - acked > 0 && ack <= next + (finSent ? 1 : 0)) {
                    acked = Math.min(ack, data.length);
                    finAcked |= finSent && ack == data.length + 1;
                    timer++; // what was outstanding is acknowledged: a new timeout for the rest
                }
                clientWindow = in.window();
            }
            boolean acknowledge = false;
            if (in.payloadLength() > 0 || in.has(TcpFlags.FIN)) {
                if (in.payloadLength() > 0 && service.dropRequests-- > 0) {
                    return;
                }
                acknowledge = true;
                if (in.sequence() == clientNext) {
                    request = RawTcpCheck.concat(request, in.payload());
                    clientNext += in.sequenceLength();
                    closing |= in.has(TcpFlags.FIN); // closes when the client does
                    byte[] answer = request.length == 0 ? null : service.respond.apply(request);
                    if (answer != null) {
                        request = TcpSegment.NO_DATA;
                        data = RawTcpCheck.concat(data, answer);
                        closing |= service.closeAfterAnswer;
                    }
                }
            }
            send(acknowledge);
        }

        /** Sends what the check's window allows from {@link #next} on, then the FIN once all data is out. */
        void send(boolean acknowledge) {
            if (reset) {
                return;
            }
            boolean sentAny = false;
            while (next < data.length && next - acked < clientWindow) {
                if (service.resetAfter >= 0 && next >= service.resetAfter) {
                    deliver(LATENCY, stamped(reply(first, TcpFlags.RST, SERVER_ISN + 1 + next, 0)));
                    reset = true;
                    return;
                }
                int length = Math.min(Math.min(service.segmentSize, data.length - next), clientWindow - (next - acked));
                boolean fin = closing && service.finWithData && next + length == data.length;
                TcpSegment segment = new TcpSegment(SERVER_MAC, client, first.destinationIp(), first.sourceIp(),
                        first.destinationPort(), first.sourcePort(), SERVER_ISN + 1 + next, clientNext,
                        TcpFlags.PSH | TcpFlags.ACK | (fin ? TcpFlags.FIN : 0), TcpSegment.MAX_WINDOW,
                        Arrays.copyOfRange(data, next, next + length));
                int index = next / service.segmentSize;
                boolean firstTime = next >= highest;
                if (!(firstTime && service.lost.contains(index))) {
                    deliver(firstTime && service.late.contains(index) ? 3 * LATENCY : LATENCY, stamped(segment));
                }
                next += length;
                highest = Math.max(highest, next);
                finSent |= fin;
                sentAny = true;
            }
            if (closing && !finSent && next == data.length) {
                deliver(LATENCY, stamped(reply(first, TcpFlags.FIN | TcpFlags.ACK, SERVER_ISN + 1 + next, clientNext)));
                finSent = true;
                sentAny = true;
            }
            if (!sentAny && acknowledge) {
                deliver(LATENCY, stamped(reply(first, TcpFlags.ACK, SERVER_ISN + 1 + next + (finSent ? 1 : 0),
                        clientNext)));
            }
            if (acked < next || (finSent && !finAcked)) {
                int armed = ++timer;
                after(RTO, () -> retransmit(armed));
            }
        }

        /** Go-back-N: everything from the first unacknowledged byte is sent again. */
        void retransmit(int armed) {
            if (armed != timer || reset || (acked == next && (!finSent || finAcked))) {
                return;
            }
            next = acked;
            finSent = false;
            send(false);
        }
    }

    /** {@code segment} with timestamps once they are agreed on: the peer's clock in ms, the check's echoed. */
    private TcpSegment stamped(TcpSegment segment) {
        if (!stamping) {
            return segment;
        }
        int clock = (int) (now / 1_000_000L) + 7;
        serverClocks.add(clock);
        return new TcpSegment(segment.frameSource(), segment.frameDestination(), segment.sourceIp(),
                segment.destinationIp(), segment.sourcePort(), segment.destinationPort(), segment.sequence(),
                segment.acknowledgment(), segment.flags(), segment.window(), segment.maxSegment(),
                new TcpSegment.Timestamps(clock, clientClock), segment.payloadLength(), segment.payload());
    }

    /** Every timestamp the peer sent, in order. */
    public List<Integer> serverTimestamps() {
        return serverClocks;
    }

    private void serve(TcpSegment in) {
        if (served == null) {
            if (!in.has(TcpFlags.ACK)) {
                return;
            }
            served = new Served(in); // the handshake's ACK (maybe with data): the connection is up
        }
        served.receive(in);
    }

    /** A segment from the VIP back to whoever sent {@code in}. */
    static TcpSegment reply(TcpSegment in, int flags, int sequence, int acknowledgment) {
        return new TcpSegment(SERVER_MAC, in.frameSource(), in.destinationIp(), in.sourceIp(), in.destinationPort(),
                in.sourcePort(), sequence, acknowledgment, flags, TcpSegment.MAX_WINDOW,
                (flags & TcpFlags.SYN) != 0 ? TcpSegment.ethernetMss(in.sourceIp().isIpv6()) : 0, null, 0, TcpSegment.NO_DATA);
    }

    private static TcpSegment withPayload(TcpSegment segment, int length) {
        return new TcpSegment(segment.frameSource(), segment.frameDestination(), segment.sourceIp(),
                segment.destinationIp(), segment.sourcePort(), segment.destinationPort(), segment.sequence(),
                segment.acknowledgment(), segment.flags(), segment.window(), new byte[length]);
    }
}
