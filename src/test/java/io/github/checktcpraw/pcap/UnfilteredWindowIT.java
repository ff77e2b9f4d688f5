package io.github.checktcpraw.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.checktcpraw.check.ReceivedFrame;
import io.github.checktcpraw.lab.Lab;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@link PendingCapture} is activated before its filter exists, so on a busy director the kernel
 * copies every frame into the capture's ring until the filter is installed. Those frames must cost
 * the check nothing: the first matching frame after the filter still arrives, even when the ring
 * filled up in between.
 *
 * <p>The traffic runs in a network namespace of this test's own ({@code unshare --net}, its loopback
 * with a TEST-NET address), in a second JVM: {@link Probe}.
 */
@Timeout(120)
class UnfilteredWindowIT {

    private static final String ADDRESS = "198.51.100.1";

    @Test
    void aRingFilledBeforeTheFilterStillDeliversTheFirstMatchingFrame() throws Exception {
        Assumptions.assumeTrue(Lab.isRoot(), "needs root (network namespace, raw capture)");
        Lab.requireCommand("unshare", "util-linux");
        String java = System.getProperty("java.home") + "/bin/java";
        String script = "ip link set lo up && ip addr add " + ADDRESS + "/32 dev lo && exec \"$@\"";
        Path output = Files.createTempFile("unfiltered-window", ".out");
        try {
            Process probe = new ProcessBuilder(List.of("unshare", "--net", "sh", "-c", script, "probe", java,
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    Probe.class.getName()))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!probe.waitFor(60, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                throw new AssertionError("the probe did not finish within 60 s: " + Files.readString(output));
            }

            assertEquals("delivered after " + Probe.FLOOD + " unfiltered datagrams", Files.readString(output).strip());
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Fills the ring between activation and filter, then sends the one frame the filter wants. */
    static final class Probe {

        static final int FLOOD = 20_000; // the default 2 MiB ring holds about 6,000 snapshots of 256 bytes
        private static final int UNWANTED_PORT = 9;
        private static final int WANTED_PORT = 54_321;

        public static void main(String[] args) throws Exception {
            PendingCapture pending = PendingCapture.start("lo");
            awaitActivation();
            try (DatagramChannel sender = DatagramChannel.open()) {
                ByteBuffer payload = ByteBuffer.allocate(32);
                for (int i = 0; i < FLOOD; i++) {
                    sender.send(payload.clear(), new InetSocketAddress(ADDRESS, UNWANTED_PORT));
                }
                try (PcapFrameChannel channel = pending.finish("udp dst port " + WANTED_PORT)) {
                    sender.send(payload.clear(), new InetSocketAddress(ADDRESS, WANTED_PORT));
                    ReceivedFrame frame = channel.receive(TimeUnit.SECONDS.toNanos(2));
                    System.out.println(frame == null ? "lost" : "delivered after " + FLOOD + " unfiltered datagrams");
                }
            } catch (IOException | PcapException e) {
                System.out.println("failed: " + e.getMessage());
            }
        }

        /**
         * Waits until the capture's socket is bound to every protocol, the last step of
         * pcap_activate (the ring exists by then): /proc/net/packet shows it with protocol 0003
         * (ETH_P_ALL). This namespace has no other packet socket.
         */
        private static void awaitActivation() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                for (String line : Files.readAllLines(Path.of("/proc/net/packet"))) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 3 && fields[3].equals("0003")) {
                        return;
                    }
                }
                Thread.sleep(5);
            }
            throw new IOException("the capture was not activated within 10 s");
        }
    }
}
