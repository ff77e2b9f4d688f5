package io.github.checktcpraw.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.checktcpraw.check.ReceivedFrame;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
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
        Assumptions.assumeTrue(Privileges.isRoot(), "needs root (network namespace, raw capture)");
        String java = System.getProperty("java.home") + "/bin/java";
        String script = "ip link set lo up && ip addr add " + ADDRESS + "/32 dev lo && exec \"$@\"";
        Process probe = new ProcessBuilder(List.of("unshare", "--net", "sh", "-c", script, "probe", java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Probe.class.getName()))
                .redirectErrorStream(true)
                .start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        probe.waitFor(60, TimeUnit.SECONDS);

        assertEquals("delivered after " + Probe.FLOOD + " unfiltered datagrams", output);
    }

    /** Fills the ring between activation and filter, then sends the one frame the filter wants. */
    static final class Probe {

        static final int FLOOD = 20_000; // the default 2 MiB ring holds about 6,000 snapshots of 256 bytes
        private static final int UNWANTED_PORT = 9;
        private static final int WANTED_PORT = 54_321;

        public static void main(String[] args) throws Exception {
            PendingCapture pending = PendingCapture.start("lo");
            Thread.sleep(1_000); // activated by then (tens of milliseconds); the filter comes later
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
    }
}
