package io.github.checktcpraw.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.lab.Lab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Opening in the background must behave exactly like opening in the caller's thread. */
@Timeout(30)
class PendingCaptureTest {

    private static final String NOTHING = "ether proto 0x88b5";
    private static final String BOGUS = "ether proto bogus";

    @Test
    void aFailedOpenReportsWhatAnOpenInTheCallersThreadReports() {
        PcapException direct = assertThrows(PcapException.class, () -> PcapFrameChannel.open("pending0", NOTHING));

        PendingCapture pending = PendingCapture.start("pending0");
        PcapException background = assertThrows(PcapException.class, () -> pending.finish(NOTHING));

        assertEquals(direct.getMessage(), background.getMessage());
        assertEquals(direct.status(), background.status());
        pending.abandon(); // after finish: nothing left to close, no second report
    }

    @Test
    void whenBothHalvesFailTheOpenIsReportedAsAnOpenInTheCallersThreadReportsIt() {
        PcapException direct = assertThrows(PcapException.class, () -> PcapFrameChannel.open("pending0", BOGUS));

        PcapException background = assertThrows(PcapException.class,
                () -> PendingCapture.start("pending0").finish(BOGUS));

        assertTrue(background.getMessage().startsWith("pcap_activate on \"pending0\": "), background.getMessage());
        assertEquals(direct.getMessage(), background.getMessage());
    }

    @Test
    void aBadFilterIsReportedInLibpcapsWordsAndTheCaptureClosed() throws Exception {
        requireRoot();
        warmUp();
        long before = openFiles();

        PcapException e = assertThrows(PcapException.class, () -> PendingCapture.start("lo").finish(BOGUS));

        assertTrue(e.getMessage().startsWith("pcap_compile on \"lo\": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(filter \"" + BOGUS + "\")"), e.getMessage());
        assertEquals(before, openFiles(), "the activated capture is closed");
    }

    @Test
    void abandoningAFailedOpenIsQuiet() {
        PendingCapture.start("pending0").abandon();
    }

    @Test
    void aCaptureIsTakenOnce() {
        PendingCapture pending = PendingCapture.start("pending0");
        assertThrows(PcapException.class, () -> pending.finish(NOTHING));

        assertThrows(IllegalStateException.class, () -> pending.finish(NOTHING));
    }

    @Test
    void aBackgroundOpenDeliversAWorkingCapture() throws Exception {
        requireRoot();
        PendingCapture pending = PendingCapture.start("lo");

        try (PcapFrameChannel channel = pending.finish(NOTHING)) {
            assertEquals("lo", channel.device());
            assertNull(channel.receive(0));

            pending.abandon(); // taken: must leave the channel alone

            assertNull(channel.receive(0));
        }
    }

    @Test
    void abandoningAnOpenCaptureClosesIt() throws Exception {
        requireRoot();
        warmUp();
        long before = openFiles();

        for (int round = 0; round < 5; round++) {
            PendingCapture.start("lo").abandon(); // returns at once; the opener closes what it opens
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (openFiles() != before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before, openFiles(), "every abandoned capture's socket is closed");
    }

    private static void requireRoot() {
        Assumptions.assumeTrue(Lab.isRoot(), "needs root (raw capture): opens a libpcap capture on lo");
    }

    /** Loads libpcap and its libraries, whose files then stay open, with nothing left running. */
    private static void warmUp() throws PcapException {
        PendingCapture.start("lo").finish(NOTHING).close();
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("/proc/self/fd"))) {
            return files.count();
        }
    }
}
