package io.github.checktcpraw.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.lab.Lab;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What the operator reads when libpcap cannot be used; none of these need privileges. */
class PcapErrorsTest {

    @Test
    void aMissingLibraryIsNamedWithThePackageToInstall() {
        PcapException e = assertThrows(PcapException.class, () -> Libpcap.openLibrary("libpcap-missing.so.0"));

        assertEquals("libpcap not found (libpcap-missing.so.0): install the libpcap0.8 package", e.getMessage());
    }

    @Test
    void aNonexistentDeviceIsNamedInOneReadableLine() {
        PcapException e = assertThrows(PcapException.class,
                () -> PcapFrameChannel.open("nosuchdev0", "ether proto 0x88b5"));

        assertTrue(e.getMessage().contains("\"nosuchdev0\""), e.getMessage());
        assertSingleLineWithoutJavaNoise(e.getMessage());
        // Without CAP_NET_RAW libpcap fails on the socket before it looks at the device.
        assertTrue(e.isNoSuchDevice() || e.isPermissionDenied(), "status " + e.status());
        if (Lab.isRoot()) {
            assertTrue(e.isNoSuchDevice(), "status " + e.status());
            assertEquals("pcap_activate on \"nosuchdev0\": No such device exists", e.getMessage());
        }
    }

    @Test
    void lackingPrivilegesSaysWhatIsNeeded() {
        Assumptions.assumeFalse(Lab.isRoot(), "needs an unprivileged user: root may always capture");

        PcapException e = assertThrows(PcapException.class, () -> PcapFrameChannel.open("lo", "ether proto 0x88b5"));

        assertTrue(e.isPermissionDenied(), "status " + e.status());
        assertTrue(e.getMessage().startsWith("pcap_activate on \"lo\": "), e.getMessage());
        assertTrue(e.getMessage().contains("root or the CAP_NET_RAW capability"), e.getMessage());
        assertSingleLineWithoutJavaNoise(e.getMessage());
    }

    @Test
    void describeLeadsWithLibpcapsStatusTextAndAddsItsDetail() throws PcapException {
        assertEquals("pcap_activate on \"eth9\": No such device exists",
                Pcap.describe("pcap_activate", "eth9", PcapException.PCAP_ERROR_NO_SUCH_DEVICE, ""));
        assertEquals("pcap_activate on \"eth9\": No such device exists (SIOCGIFINDEX: No such device)",
                Pcap.describe("pcap_activate", "eth9", PcapException.PCAP_ERROR_NO_SUCH_DEVICE,
                        "SIOCGIFINDEX: No such device"));
    }

    @Test
    void describeGivesOnlyLibpcapsTextForAGenericError() throws PcapException {
        assertEquals("pcap_compile on \"lo\": syntax error",
                Pcap.describe("pcap_compile", "lo", PcapException.PCAP_ERROR, "syntax error"));
        assertEquals("pcap_sendpacket on \"lo\": error -1",
                Pcap.describe("pcap_sendpacket", "lo", PcapException.PCAP_ERROR, ""));
    }

    @Test
    void statusHelpersRecogniseTheCodesCallersActOn() {
        assertTrue(new PcapException(-8, "x").isPermissionDenied());
        assertTrue(new PcapException(-5, "x").isNoSuchDevice());
        assertFalse(new PcapException(-1, "x").isPermissionDenied());
        assertEquals(-9, new PcapException(PcapException.PCAP_ERROR_IFACE_NOT_UP, "x").status());
    }

    @Test
    void libpcapDescribesStatusCodesAndErrnos() throws PcapException {
        assertEquals("You don't have permission to perform this capture on that device",
                Pcap.statusToStr(PcapException.PCAP_ERROR_PERM_DENIED));
        assertEquals("Interrupted system call", Pcap.strerror(4));
    }

    private static void assertSingleLineWithoutJavaNoise(String message) {
        assertFalse(message.contains("\n"), message);
        assertFalse(message.contains("Exception"), message);
        assertFalse(message.contains("\tat "), message);
    }
}
