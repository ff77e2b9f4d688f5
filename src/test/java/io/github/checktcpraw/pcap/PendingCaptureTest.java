package io.github.checktcpraw.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void aBadFilterIsReportedInLibpcapsWordsAndTheCaptureClosed() throws IOException {
        Assumptions.assumeTrue(Privileges.isRoot(), "needs root (raw capture): opens a libpcap capture on lo");
        PendingCapture.start("lo").abandon(); // libpcap and its libraries loaded: their files stay open
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
        Assumptions.assumeTrue(Privileges.isRoot(), "needs root (raw capture): opens a libpcap capture on lo");
        PendingCapture pending = PendingCapture.start("lo");

        try (PcapFrameChannel channel = pending.finish(NOTHING)) {
            assertEquals("lo", channel.device());
            assertNull(channel.receive(0));
        }
        pending.abandon(); // taken: a no-op that must not close the channel twice
    }

    @Test
    void abandoningAnOpenCaptureClosesIt() throws IOException {
        Assumptions.assumeTrue(Privileges.isRoot(), "needs root (raw capture): opens a libpcap capture on lo");
        PendingCapture.start("lo").abandon(); // libpcap and its libraries loaded: their files stay open
        long before = openFiles();

        for (int round = 0; round < 5; round++) {
            PendingCapture.start("lo").abandon();
        }

        assertEquals(before, openFiles(), "every abandoned capture's socket is closed");
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("/proc/self/fd"))) {
            return files.count();
        }
    }
}
