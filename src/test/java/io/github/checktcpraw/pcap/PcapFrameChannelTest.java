package io.github.checktcpraw.pcap;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.lab.Lab;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real capture on lo. Nothing is sent: the filter asks for an EtherType nobody uses (0x88b5 is
 * IEEE's "local experimental"), so every receive has to time out.
 */
@Timeout(30)
class PcapFrameChannelTest {

    private static final String NOTHING = "ether proto 0x88b5";
    private static final long MILLIS = 1_000_000L;
    /** A loaded test machine may oversleep; it must never undersleep. */
    private static final long SLACK_NANOS = 1_000 * MILLIS;

    @BeforeEach
    void needsRoot() {
        Assumptions.assumeTrue(Lab.isRoot(), "needs root (raw capture): opens a libpcap capture on lo");
    }

    @Test
    void receiveWaitsTheWholeTimeoutThenReturnsNull() throws Exception {
        try (PcapFrameChannel channel = PcapFrameChannel.open("lo", NOTHING)) {
            channel.receive(10 * MILLIS); // the first call also makes its downcall handles

            long start = System.nanoTime();
            assertNull(channel.receive(50 * MILLIS));
            long elapsed = System.nanoTime() - start;

            assertTrue(elapsed >= 50 * MILLIS, "returned early: " + elapsed / MILLIS + " ms");
            assertTrue(elapsed < 50 * MILLIS + SLACK_NANOS, "overslept: " + elapsed / MILLIS + " ms");
        }
    }

    @Test
    void aZeroTimeoutOnlyLooks() throws Exception {
        try (PcapFrameChannel channel = PcapFrameChannel.open("lo", NOTHING)) {
            long start = System.nanoTime();
            assertNull(channel.receive(0));
            assertTrue(System.nanoTime() - start < SLACK_NANOS);
        }
    }

    @Test
    void aBadFilterCarriesLibpcapsCompileError() {
        PcapException e = assertThrows(PcapException.class, () -> PcapFrameChannel.open("lo", "ether proto bogus"));

        assertTrue(e.getMessage().startsWith("pcap_compile on \"lo\": "), e.getMessage());
        assertTrue(e.getMessage().contains("bogus"), e.getMessage());
        assertTrue(e.getMessage().contains("(filter \"ether proto bogus\")"), e.getMessage());
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailCleanly() throws Exception {
        PcapFrameChannel channel = PcapFrameChannel.open("lo", NOTHING);
        channel.close();
        channel.close();

        IOException send = assertThrows(IOException.class, () -> channel.send(new byte[60]));
        assertTrue(send.getMessage().contains("\"lo\" is closed"), send.getMessage());
        assertThrows(IOException.class, () -> channel.receive(0));
    }

    @Test
    void closeFromAnotherThreadDuringReceiveNeitherBlocksNorPullsTheHandleAway() throws Exception {
        PcapFrameChannel channel = PcapFrameChannel.open("lo", NOTHING);
        channel.receive(0);
        CompletableFuture<Object> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                return channel.receive(300 * MILLIS);
            } catch (IOException e) {
                return e;
            }
        });
        TimeUnit.MILLISECONDS.sleep(50);

        long start = System.nanoTime();
        channel.close();
        assertTrue(System.nanoTime() - start < 100 * MILLIS, "close waited for the receive");

        // The receive finishes normally (the handle outlives it), then the channel is closed.
        assertNull(receiving.get(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS));
        assertThrows(IOException.class, () -> channel.receive(0));
    }
}
