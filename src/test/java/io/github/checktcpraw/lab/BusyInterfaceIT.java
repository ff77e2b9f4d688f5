package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.DIRECTOR_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks on a busy director: while two flooders fill the director's eth0 with unrelated frames
 * (UDP unicast and broadcast and ARP replies from rs2; from rs1, TCP look-alikes of the check's
 * own replies, each with one thing wrong: destination port, source port, source host or
 * destination host), ten checks must all be OK, and their -vv traces must show not a single flood
 * frame: the trace shows every frame that reached Java, so an empty one proves the flood was
 * filtered out before, by the kernel's filter, which the packet socket has before it is bound to
 * the interface (so no frame is ever queued unfiltered).
 *
 * <p>The flooders are python3 on AF_PACKET sockets, niced, bounded by frame count and time, and
 * killed when the checks are done. Their transport checksums are wrong on purpose, so the
 * director's stack drops them silently instead of answering with RSTs or ICMP.
 */
class BusyInterfaceIT extends OneLabPerClass {

    private static final Duration RUN = Duration.ofSeconds(30);
    private static final int CHECKS = 10;
    /** The flood's own bounds: it stops by itself after this long or this many frames. */
    private static final int FLOOD_SECONDS = 20;
    private static final long FLOOD_FRAMES = 20_000_000;
    private static final Pattern SENT = Pattern.compile("sent (\\d+) frames in (\\d+\\.\\d+) s");
    private static final Pattern ANSWERED = Pattern.compile("answered in (\\d+(?:\\.\\d+)?) ms");

    private static final String FLOOD_PY = """
            import signal, socket, struct, sys, time

            iface, mode, dst_mac_text = sys.argv[1:4]
            max_frames, max_seconds, low_port = int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
            VIP, DIR, RS1, RS2 = "198.51.100.100", "198.51.100.10", "198.51.100.42", "198.51.100.43"
            OTHER, BROADCAST = "198.51.100.11", "198.51.100.255"

            def mac(text):
                return bytes.fromhex(text.replace(":", ""))

            with open("/sys/class/net/%s/address" % iface) as f:
                src_mac = mac(f.read().strip())
            dst_mac = mac(dst_mac_text)

            def checksum(data):
                if len(data) % 2:
                    data += bytes(1)
                s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
                while s >> 16:
                    s = (s & 0xffff) + (s >> 16)
                return ~s & 0xffff

            def ipv4(src, dst, proto, payload):
                h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0,
                                socket.inet_aton(src), socket.inet_aton(dst))
                return h[:10] + struct.pack("!H", checksum(h)) + h[12:] + payload

            # Transport checksums wrong on purpose (0xdead): dropped silently by the director's stack.
            def tcp(sport, dport, flags):
                return struct.pack("!HHIIBBHHH", sport, dport, 12345, 67890, 5 << 4, flags, 64240, 0xdead, 0)

            def udp(sport, dport, payload):
                return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0xdead) + payload

            def ether(dst, ethertype, payload):
                return dst + src_mac + struct.pack("!H", ethertype) + payload

            frames = []
            if mode == "udp":
                for i in range(16):
                    frames.append(ether(dst_mac, 0x0800, ipv4(RS2, DIR, 17, udp(40000 + i, 9 + i, b"flood" * 8))))
                    frames.append(ether(bytes([255]) * 6, 0x0800,
                                        ipv4(RS2, BROADCAST, 17, udp(40000 + i, 9 + i, b"bcast" * 8))))
                # ARP replies, but from rs2: a check takes ARP replies from its own real server only.
                arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, src_mac, socket.inet_aton(RS2), dst_mac,
                                  socket.inet_aton(DIR))
                frames.append(ether(dst_mac, 0x0806, arp))
            elif mode == "tcp":
                for i, flags in enumerate([0x12, 0x10, 0x14] * 8):  # SYN/ACK, ACK, RST/ACK
                    eph = 32768 + 1000 * i + 7  # may be a check's source port: so one other thing is wrong
                    frames.append(ether(dst_mac, 0x0800, ipv4(VIP, DIR, 6, tcp(80, low_port - 1 - i, flags))))
                    frames.append(ether(dst_mac, 0x0800, ipv4(VIP, DIR, 6, tcp(81, eph, flags))))
                    frames.append(ether(dst_mac, 0x0800, ipv4(RS1, DIR, 6, tcp(80, eph, flags))))
                    frames.append(ether(dst_mac, 0x0800, ipv4(VIP, OTHER, 6, tcp(80, eph, flags))))
            else:
                sys.exit("unknown mode " + mode)

            stop = []
            signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((iface, 0))
            sent = 0
            start = time.monotonic()
            print("flooding", flush=True)
            try:
                while not stop and sent < max_frames and time.monotonic() - start < max_seconds:
                    for frame in frames:
                        try:
                            s.send(frame)
                        except OSError:  # a full queue: the frame is lost, as on a wire
                            pass
                    sent += len(frames)
            finally:
                print("sent %d frames in %.2f s" % (sent, time.monotonic() - start), flush=True)
            """;

    @Test
    void checksOnAFloodedInterfaceAreOkAndTheFloodNeverReachesThePlugin() throws IOException {
        Path script = Files.writeString(lab.stateDir().resolve("flood.py"), FLOOD_PY);
        String dirMac = lab.mac("dir");
        int lowPort = ephemeralLow();
        List<Lab.Result> results = new ArrayList<>();
        long framesSeen;
        double seconds;
        String sentByFlooders;
        try (Flooder fromRs1 = Flooder.start("rs1", script, "tcp", dirMac, lowPort);
                Flooder fromRs2 = Flooder.start("rs2", script, "udp", dirMac, lowPort)) {
            long rx0 = rxPackets();
            long t0 = System.nanoTime();
            for (int i = 0; i < CHECKS; i++) {
                results.add(lab.plugin(RUN, "-vv", "-t", "3000", "eth0", RS1_IP, VIP, "80"));
            }
            framesSeen = rxPackets() - rx0;
            seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(fromRs1.running() && fromRs2.running(), "the flood ended before the checks did: they took "
                    + seconds + " s, the flood lasts at most " + FLOOD_SECONDS + " s");
            sentByFlooders = fromRs1.stop() + "; " + fromRs2.stop();
        }

        double rate = framesSeen / seconds;
        assertTrue(rate > 1000, "the director's eth0 was not busy: " + Math.round(rate) + " frames/s");
        List<Double> latencies = new ArrayList<>();
        List<Long> walls = new ArrayList<>();
        for (Lab.Result r : results) {
            assertEquals(0, r.exitCode(), r.describe());
            assertTraceHasOnlyItsOwnFrames(r, dirMac, lab.mac("rs1"));
            Matcher m = ANSWERED.matcher(r.stdout());
            assertTrue(m.find(), r.describe());
            latencies.add(Double.parseDouble(m.group(1)));
            walls.add(r.elapsed().toMillis());
        }
        latencies.sort(null);
        walls.sort(null);
        System.out.println("FIGURE busy-interface: " + CHECKS + "/" + CHECKS + " OK while the director's eth0 received "
                + Math.round(rate) + " unrelated frames/s (" + framesSeen + " in " + String.format("%.1f", seconds)
                + " s; flooders: " + sentByFlooders + "); handshake min/median/max " + latencies.getFirst() + "/"
                + latencies.get(CHECKS / 2) + "/" + latencies.getLast() + " ms; check run time (JVM included) min/max "
                + walls.getFirst() + "/" + walls.getLast() + " ms; no flood frame in any -vv trace");
    }

    /**
     * Every line of a -vv trace is the parameters, our ARP request, the real server's ARP reply,
     * or a TCP segment between our source port and the VIP's port 80 through the right MACs; an
     * [IGNORED] line may only follow one of the check's own frames (a duplicate reply after a
     * retransmission on a loaded machine), never a flood frame.
     */
    private static void assertTraceHasOnlyItsOwnFrames(Lab.Result r, String dirMac, String rsMac) {
        String arpRequest = "(" + dirMac + ") " + DIRECTOR_IP + " ARP request who has " + RS1_IP + " (ff:ff:ff:ff:ff:ff)";
        String arpReply = "(" + rsMac + ") " + RS1_IP + " ARP reply to " + DIRECTOR_IP + " (" + dirMac + ")";
        Pattern sent = Pattern.compile("^" + Pattern.quote("(" + dirMac + ") " + DIRECTOR_IP + ":") + "(\\d+)"
                + Pattern.quote(" > " + VIP + ":80 (" + rsMac + ") Flags [") + ".*");
        Pattern received = Pattern.compile("^" + Pattern.quote("(" + rsMac + ") " + VIP + ":80 > " + DIRECTOR_IP + ":")
                + "(\\d+)" + Pattern.quote(" (" + dirMac + ") Flags [") + ".*");
        String ourPort = null;
        boolean previousWasOurs = false;
        for (String line : r.stderrLines()) {
            if (line.startsWith("[PARAMS] ") || line.equals(arpRequest)) {
                previousWasOurs = false;
                continue;
            }
            if (line.equals(arpReply)) {
                previousWasOurs = true;
                continue;
            }
            if (line.startsWith("[IGNORED] ")) {
                if (!previousWasOurs) {
                    fail("[IGNORED] after a frame that is not the check's own:\n" + r.describe());
                }
                previousWasOurs = false;
                continue;
            }
            Matcher out = sent.matcher(line);
            Matcher in = received.matcher(line);
            String port = out.matches() ? out.group(1) : in.matches() ? in.group(1) : null;
            if (port == null) {
                fail("a frame that is not the check's own reached the plugin: " + line + "\n" + r.describe());
            }
            if (ourPort != null && !ourPort.equals(port)) {
                fail("frames of two source ports in one trace: " + line + "\n" + r.describe());
            }
            ourPort = port;
            previousWasOurs = in.matches();
        }
        assertTrue(ourPort != null, "no TCP frame in the trace:\n" + r.describe());
    }

    private static long rxPackets() {
        Lab.Result r = lab.exec("dir", RUN, "cat", "/sys/class/net/eth0/statistics/rx_packets");
        assertEquals(0, r.exitCode(), r.describe());
        return Long.parseLong(r.stdout().strip());
    }

    /** The lowest port the director's kernel hands out for port 0: the check's source ports are above. */
    private static int ephemeralLow() {
        Lab.Result r = lab.exec("dir", RUN, "cat", "/proc/sys/net/ipv4/ip_local_port_range");
        assertEquals(0, r.exitCode(), r.describe());
        int low = Integer.parseInt(r.stdout().strip().split("\\s+")[0]);
        assertTrue(low > 1100, "ephemeral range starts too low for the flood's ports: " + low);
        return low;
    }

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** One flooder process in a role's namespace; closing it kills it. */
    private static final class Flooder implements AutoCloseable {
        private static final Duration READY = Duration.ofSeconds(10);

        private final Process process;
        private final Path out;
        private final String role;

        private Flooder(Process process, Path out, String role) {
            this.process = process;
            this.out = out;
            this.role = role;
        }

        static Flooder start(String role, Path script, String mode, String dstMac, int lowPort) {
            Path out = lab.stateDir().resolve("flood-" + role + ".out");
            Process p = lab.start(role, out, "nice", "-n", "10", python(), script.toString(), "eth0", mode, dstMac,
                    Long.toString(FLOOD_FRAMES), Integer.toString(FLOOD_SECONDS), Integer.toString(lowPort));
            Flooder f = new Flooder(p, out, role);
            long deadline = System.nanoTime() + READY.toNanos();
            while (!f.output().contains("flooding")) {
                if (!p.isAlive() || System.nanoTime() - deadline > 0) {
                    f.close();
                    throw new IllegalStateException("the flood in " + role + " did not start: " + f.output());
                }
                Lab.pause(Duration.ofMillis(50));
            }
            return f;
        }

        boolean running() {
            return process.isAlive();
        }

        /** Stops the flood (SIGTERM: it prints its count) and returns what it sent. */
        String stop() {
            close();
            Matcher m = SENT.matcher(output());
            return m.find() ? role + " sent " + m.group(1) + " frames in " + m.group(2) + " s" : role + ": " + output();
        }

        private String output() {
            try {
                return Files.readString(out);
            } catch (IOException e) {
                return "";
            }
        }

        @Override
        public void close() {
            if (!process.isAlive()) {
                return;
            }
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
