package io.github.checktcpraw.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.CheckOptions;
import org.junit.jupiter.api.Test;

class NagiosReportTest {

    private static final String TEXT = "198.51.100.100:80 via 198.51.100.42 (4e:c4:00:00:00:01) answered in 0.41 ms";

    private static CheckOptions options(long timeoutMillis, long warningNanos, long criticalNanos) {
        return new CheckOptions("eth0", "198.51.100.42", "198.51.100.100", 80, null, timeoutMillis, false, 0, false,
                warningNanos, criticalNanos);
    }

    private static Outcome answered(long handshakeNanos) {
        return new Outcome(Outcome.Verdict.ANSWERED, TEXT, handshakeNanos, 120_000);
    }

    @Test
    void okWithPerfdataInSeconds() {
        Report report = NagiosReport.of(answered(412_000), options(1000, -1, -1));

        assertEquals(new Report(0, "TCP_RAW OK - " + TEXT
                + " | time=0.000412s;;;0;1.000000 arp=0.000120s;;;0;1.000000", null), report);
    }

    @Test
    void thresholdsTurnALatencyIntoWarningOrCriticalAndAppearInPerfdata() {
        CheckOptions options = options(500, 300_000, 1_500_000);

        assertEquals(new Report(0, "TCP_RAW OK - " + TEXT
                + " | time=0.000250s;0.000300;0.001500;0;0.500000 arp=0.000120s;;;0;0.500000", null),
                NagiosReport.of(answered(250_000), options));
        assertEquals(new Report(1, "TCP_RAW WARNING - " + TEXT + ", above the warning threshold of 0.30 ms"
                + " | time=0.000412s;0.000300;0.001500;0;0.500000 arp=0.000120s;;;0;0.500000", null),
                NagiosReport.of(answered(412_000), options));
        assertEquals(2, NagiosReport.of(answered(2_000_000), options).exitCode());
    }

    @Test
    void failuresAreCriticalAndCarryOnlyWhatWasMeasured() {
        Outcome noSynAck = Outcome.failed("no SYN/ACK for VIP 198.51.100.100:80 from real server 198.51.100.43", 90_000);

        assertEquals(new Report(2, "TCP_RAW CRITICAL - no SYN/ACK for VIP 198.51.100.100:80 from real server"
                + " 198.51.100.43 | arp=0.000090s;;;0;1.000000", null), NagiosReport.of(noSynAck, options(1000, -1, -1)));
        assertEquals(new Report(2, "TCP_RAW CRITICAL - no ARP reply", null),
                NagiosReport.of(Outcome.failed("no ARP reply", Outcome.NOT_MEASURED), options(1000, -1, -1)));
    }

    @Test
    void answeredBadlyIsAWarningAndThresholdsCannotMakeItBetter() {
        Outcome badly = new Outcome(Outcome.Verdict.ANSWERED_BADLY, "no clean close", 100_000, Outcome.NOT_MEASURED);

        assertEquals(1, NagiosReport.of(badly, options(1000, 1_000_000, 2_000_000)).exitCode());
        assertEquals(2, NagiosReport.of(badly, options(1000, 10_000, 50_000)).exitCode());
    }

    @Test
    void unknownAndNoTimeout() {
        assertEquals(new Report(3, "TCP_RAW UNKNOWN - interface \"eth9\" does not exist", null),
                NagiosReport.of(Outcome.unknown("interface \"eth9\" does not exist"), options(1000, -1, -1)));
        assertEquals("TCP_RAW OK - " + TEXT + " | time=0.000412s;;;0; arp=0.000120s;;;0;",
                NagiosReport.of(answered(412_000), options(0, -1, -1)).stdout());
    }

    @Test
    void aPipeInTheTextCannotForgePerfdata() {
        assertEquals("TCP_RAW UNKNOWN - host \"a/b\"", NagiosReport.unknown("host \"a|b\"").stdout());
    }

    @Test
    void compatMapsAnsweredToZeroAndEverythingElseToOneWithTheReasonOnStderr() {
        assertEquals(new Report(0, null, null), CompatReport.of(answered(1)));
        assertEquals(new Report(0, null, null),
                CompatReport.of(new Outcome(Outcome.Verdict.ANSWERED_BADLY, "x", 1, 1)));
        assertEquals(new Report(1, null, "check_tcp_raw: no ARP reply"),
                CompatReport.of(Outcome.failed("no ARP reply", -1)));
        assertEquals(new Report(1, null, "check_tcp_raw: bad"), CompatReport.of(Outcome.unknown("bad")));
    }

    @Test
    void secondsAreFormattedToTheMicrosecond() {
        assertEquals("0.000000", Perfdata.seconds(0));
        assertEquals("0.000001", Perfdata.seconds(500));
        assertEquals("1.234568", Perfdata.seconds(1_234_567_890));
        assertEquals("12.000000", Perfdata.seconds(12_000_000_000L));
    }
}
