package io.github.checktcpraw.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.checktcpraw.check.Bound;
import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.check.Target;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.cli.Threshold;
import io.github.checktcpraw.cli.UsageException;
import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.packet.MacAddress;
import org.junit.jupiter.api.Test;

class NagiosReportTest {

    private static final String TEXT = text("0.41");

    private static String text(String millis) {
        return "198.51.100.100:80 via 198.51.100.42 (4e:c4:00:00:00:01) answered in " + millis + " ms";
    }

    private static final Target TARGET = new Target(Ipv4Address.parseLiteral("198.51.100.42"),
            Ipv4Address.parseLiteral("198.51.100.100"), 80);
    private static final MacAddress MAC = MacAddress.parse("4e:c4:00:00:00:01");

    private static CheckOptions options(long timeoutMillis, String warning, String critical) {
        try {
            return new CheckOptions("eth0", "198.51.100.42", "198.51.100.100", 80, null, timeoutMillis, 9000, 0, false, 0,
                    false, warning == null ? null : Threshold.parse("warning", warning),
                    critical == null ? null : Threshold.parse("critical", critical), null);
        } catch (UsageException e) {
            throw new AssertionError(e);
        }
    }

    private static Outcome answered(long handshakeNanos) {
        return new Outcome.Answered(TARGET, MAC, 120_000, handshakeNanos, 1, Outcome.Close.QUICK, null, null);
    }

    private static Outcome unfinished(long handshakeNanos) {
        return new Outcome.Answered(TARGET, MAC, 120_000, handshakeNanos, 1, Outcome.Close.UNFINISHED,
                new Bound(1000, false), null);
    }

    private static Outcome noArpReply() {
        return new Outcome.Unresolved(TARGET, 5, new Bound(1000, false), Ipv4Address.parseLiteral("198.51.100.10"),
                true);
    }

    @Test
    void okWithPerfdataInSeconds() {
        Report report = NagiosReport.of(answered(412_000), options(1000, null, null));

        assertEquals(new Report(0, "TCP_RAW OK - " + TEXT
                + " | time=0.000412s;;;0;1.000000 arp=0.000120s;;;0;1.000000", null), report);
    }

    @Test
    void thresholdsTurnALatencyIntoWarningOrCriticalAndAppearInPerfdata() {
        CheckOptions options = options(500, "0.3", "1.5");

        assertEquals(new Report(0, "TCP_RAW OK - " + text("0.25")
                + " | time=0.000250s;0.0003;0.0015;0;0.500000 arp=0.000120s;;;0;0.500000", null),
                NagiosReport.of(answered(250_000), options));
        assertEquals(new Report(1, "TCP_RAW WARNING - " + TEXT + ", above the warning threshold of 0.3 ms"
                + " | time=0.000412s;0.0003;0.0015;0;0.500000 arp=0.000120s;;;0;0.500000", null),
                NagiosReport.of(answered(412_000), options));
        assertEquals(2, NagiosReport.of(answered(2_000_000), options).exitCode());
    }

    @Test
    void failuresAreCriticalAndCarryOnlyWhatWasMeasured() {
        Outcome noSynAck = new Outcome.NoSynAck(TARGET, MAC, 90_000, 3, new Bound(1000, false));

        assertEquals(new Report(2, "TCP_RAW CRITICAL - no SYN/ACK for VIP 198.51.100.100:80 from real server"
                + " 198.51.100.42 (4e:c4:00:00:00:01) within 1000 ms (SYN sent 3 times) (is the VIP on its loopback?)"
                + " | time=U;;;0;1.000000 arp=0.000090s;;;0;1.000000", null), NagiosReport.of(noSynAck, options(1000, null, null)));
        assertEquals(new Report(2, "TCP_RAW CRITICAL - no ARP reply from 198.51.100.42 within 1000 ms"
                + " (ARP request sent 5 times) | time=U;;;0;1.000000 arp=U;;;0;1.000000", null),
                NagiosReport.of(noArpReply(), options(1000, null, null)));
    }

    @Test
    void answeredBadlyIsAWarningAndThresholdsCannotMakeItBetter() {
        Outcome badly = unfinished(100_000);

        assertEquals(1, NagiosReport.of(badly, options(1000, "1", "2")).exitCode());
        assertEquals(2, NagiosReport.of(badly, options(1000, "0.01", "0.05")).exitCode());
    }

    @Test
    void unknownAndNoTimeout() {
        assertEquals(new Report(3, "TCP_RAW UNKNOWN - interface \"eth9\" does not exist", null),
                NagiosReport.of(new Outcome.NotChecked("interface \"eth9\" does not exist"), options(1000, null, null)));
        assertEquals("TCP_RAW OK - " + TEXT + " | time=0.000412s;;;0; arp=0.000120s;;;0;",
                NagiosReport.of(answered(412_000), options(0, null, null)).stdout());
    }

    @Test
    void aPipeInTheTextCannotForgePerfdata() {
        assertEquals("TCP_RAW UNKNOWN - host \"a/b\"", NagiosReport.unknown("host \"a|b\"").stdout());
    }

    @Test
    void compatMapsAnsweredToZeroAndEverythingElseToOneWithTheReasonOnStderr() {
        assertEquals(new Report(0, null, null), CompatReport.of(answered(1), options(1000, null, null)));
        assertEquals(new Report(0, null, null), CompatReport.of(unfinished(1), options(1000, null, null)));
        assertEquals(new Report(1, null, "check_tcp_raw: no ARP reply from 198.51.100.42 within 1000 ms"
                + " (ARP request sent 5 times)"), CompatReport.of(noArpReply(), options(1000, null, null)));
        assertEquals(new Report(1, null, "check_tcp_raw: bad"), CompatReport.of(new Outcome.NotChecked("bad"), options(1000, null, null)));
    }

    @Test
    void secondsAreFormattedToTheMicrosecond() {
        assertEquals("0.000000", Perfdata.seconds(0));
        assertEquals("0.000001", Perfdata.seconds(500));
        assertEquals("1.234568", Perfdata.seconds(1_234_567_890));
        assertEquals("12.000000", Perfdata.seconds(12_000_000_000L));
    }

    @Test
    void thresholdsArePrintedWithThePrecisionTheyWereGivenIn() {
        Report report = NagiosReport.of(answered(412_000), options(1000, "0.0004", "~:2.5"));

        assertEquals("TCP_RAW WARNING - " + TEXT + ", above the warning threshold of 0.0004 ms"
                + " | time=0.000412s;0.0000004;~:0.0025;0;1.000000 arp=0.000120s;;;0;1.000000", report.stdout());
    }

    @Test
    void rangeThresholdsSayWhichWayTheLatencyMissed() {
        assertEquals("TCP_RAW CRITICAL - " + TEXT + ", below the critical threshold of 1 ms"
                + " | time=0.000412s;;0.001:;0;1.000000 arp=0.000120s;;;0;1.000000",
                NagiosReport.of(answered(412_000), options(1000, null, "1:")).stdout());
        assertEquals("TCP_RAW WARNING - " + TEXT + ", inside the warning range @0.4:0.5 ms"
                + " | time=0.000412s;@0.0004:0.0005;;0;1.000000 arp=0.000120s;;;0;1.000000",
                NagiosReport.of(answered(412_000), options(1000, "@0.4:0.5", null)).stdout());
        assertEquals("TCP_RAW WARNING - " + TEXT + ", outside the warning range 0.1:0.2 ms"
                + " | time=0.000412s;0.0001:0.0002;;0;1.000000 arp=0.000120s;;;0;1.000000",
                NagiosReport.of(answered(412_000), options(1000, "0.1:0.2", null)).stdout());
    }

    @Test
    void millisecondsBecomeSecondsDigitForDigit() {
        assertEquals("0.010", Perfdata.secondsText("10"));
        assertEquals("0.0000004", Perfdata.secondsText("0.0004"));
        assertEquals("12.345", Perfdata.secondsText("12345"));
        assertEquals("1.5005", Perfdata.secondsText("1500.5"));
        assertEquals("0.010", Perfdata.secondsText("0010"));
        assertEquals("1000.000", Perfdata.secondsText("1000000"));
    }

    @Test
    void aBackupDirectorsCheckHasNoArpAndAnUnmadeCheckNoPerfdata() {
        Outcome backup = new Outcome.BackupFailed(Ipv4Address.parseLiteral("198.51.100.42"), 80,
                Outcome.BackupFailure.REFUSED, null, null);

        assertEquals("TCP_RAW CRITICAL - BACKUP role: connection to 198.51.100.42:80 refused | time=U;;;0;1.000000",
                NagiosReport.of(backup, options(1000, null, null)).stdout());
        assertEquals("TCP_RAW UNKNOWN - interrupted by a signal before the check finished",
                NagiosReport.of(new Outcome.Interrupted(false, null), options(1000, null, null)).stdout());
    }
}
