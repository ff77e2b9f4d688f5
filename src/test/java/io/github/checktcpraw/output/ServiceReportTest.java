package io.github.checktcpraw.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.checktcpraw.check.Bound;
import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.check.Target;
import io.github.checktcpraw.cli.ArgumentParser;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.cli.Command;
import io.github.checktcpraw.cli.UsageException;
import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.packet.MacAddress;
import io.github.checktcpraw.service.Findings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the service said, judged and reported: the status line, the exit code, perfdata, --compat. */
class ServiceReportTest {

    private static final Target TARGET = new Target(Ipv4Address.parseLiteral("198.51.100.42"),
            Ipv4Address.parseLiteral("198.51.100.100"), 80);
    private static final MacAddress MAC = MacAddress.parse("4e:c4:00:00:00:01");
    private static final String HANDSHAKE = "198.51.100.100:80 via 198.51.100.42 (4e:c4:00:00:00:01) answered in 0.30 ms";
    private static final long NOW = 1_700_000_000_000L;
    private static final long DAY = 86_400_000L;

    private static CheckOptions options(String... serviceOptions) {
        List<String> args = new ArrayList<>(Arrays.asList(serviceOptions));
        args.addAll(List.of("eth0", "198.51.100.42", "198.51.100.100", "80"));
        try {
            return ((Command.RunCheck) ArgumentParser.parse(args)).options();
        } catch (UsageException e) {
            throw new AssertionError(e);
        }
    }

    private static Outcome answered(Findings findings, Outcome.Ending ending, long bytes) {
        return answered(new Outcome.Exchange(findings, ending, ending == Outcome.Ending.TIMED_OUT
                ? new Bound(1000, false) : null, ending == Outcome.Ending.TIMED_OUT ? Outcome.NOT_MEASURED : 1_200_000,
                Outcome.NOT_MEASURED, bytes, 1));
    }

    private static Outcome answered(Outcome.Exchange exchange) {
        return new Outcome.Answered(TARGET, MAC, 100_000, 300_000, 1, Outcome.Close.QUICK, null, exchange);
    }

    private static Findings http(int status, String line, String... missing) {
        return new Findings(List.of(missing), new Findings.HttpAnswer(status, line, 600, true, null), null);
    }

    @Test
    void aGoodHttpAnswerIsOkWithResponseAndSizePerfdata() {
        Report report = Report.of(answered(http(200, "HTTP/1.1 200 OK"), Outcome.Ending.COMPLETE, 812),
                options("--http", "--expect", "hello"));

        assertEquals(0, report.exitCode());
        assertEquals("TCP_RAW OK - " + HANDSHAKE + ": HTTP/1.1 200 OK, 812 bytes in 1.20 ms | time=0.000300s;;;0;1.000000"
                + " arp=0.000100s;;;0;1.000000 response=0.001200s;;;0; size=812B;;;0;", report.stdout());
    }

    @Test
    void statusesAreJudgedAsCheckHttpJudgesThemOrByTheOperatorsList() {
        assertEquals(1, Report.of(answered(http(404, "HTTP/1.1 404 Not Found"), Outcome.Ending.COMPLETE, 300),
                options("--http")).exitCode());
        assertEquals(2, Report.of(answered(http(503, "HTTP/1.1 503 Service Unavailable"), Outcome.Ending.COMPLETE, 300),
                options("--http")).exitCode());
        assertEquals(0, Report.of(answered(http(301, "HTTP/1.1 301 Moved Permanently"), Outcome.Ending.COMPLETE, 300),
                options("--http")).exitCode());
        Report listed = Report.of(answered(http(200, "HTTP/1.1 200 OK"), Outcome.Ending.COMPLETE, 300),
                options("--http", "--http-status", "204,404"));
        assertEquals(2, listed.exitCode());
        assertEquals("TCP_RAW CRITICAL - " + HANDSHAKE + ": HTTP/1.1 200 OK (not one of 204,404), 300 bytes in 1.20 ms",
                listed.stdout().replaceAll(" \\|.*", ""));
        assertEquals(0, Report.of(answered(http(404, "HTTP/1.1 404 Not Found"), Outcome.Ending.COMPLETE, 300),
                options("--http", "--http-status=204,404")).exitCode());
    }

    @Test
    void aMissingTextIsCriticalAndNamed() {
        Report report = Report.of(answered(http(200, "HTTP/1.1 200 OK", "Welcome"), Outcome.Ending.COMPLETE, 812),
                options("--http", "--expect", "Welcome"));

        assertEquals(2, report.exitCode());
        assertEquals("TCP_RAW CRITICAL - " + HANDSHAKE + ": HTTP/1.1 200 OK, 812 bytes in 1.20 ms,"
                + " \"Welcome\" not found in the body", report.stdout().replaceAll(" \\|.*", ""));
    }

    @Test
    void textsNotFoundSayWhereReadingStopped() {
        Findings missing = new Findings(List.of("220", "ESMTP"), null, null);

        String closed = Report.of(answered(missing, Outcome.Ending.SERVER_CLOSED, 40), options("--expect", "220"))
                .stdout();
        String limit = Report.of(answered(missing, Outcome.Ending.LIMIT, 100), options("--expect", "220")).stdout();

        assertEquals("TCP_RAW CRITICAL - " + HANDSHAKE + ": \"220\", \"ESMTP\" not found in 40 bytes (the server closed"
                + " the connection after 40 bytes)", closed.replaceAll(" \\|.*", ""));
        assertEquals("TCP_RAW CRITICAL - " + HANDSHAKE + ": \"220\", \"ESMTP\" not found in 100 bytes (reading stopped at"
                + " --max-bytes 100)", limit.replaceAll(" \\|.*", ""));
    }

    @Test
    void noAnswerWithinTheTimeoutIsCriticalAndUnmeasured() {
        Report report = Report.of(answered(new Findings(List.of(), null, null), Outcome.Ending.TIMED_OUT, 0),
                options("--send", "PING\\n"));

        assertEquals(2, report.exitCode());
        assertEquals("TCP_RAW CRITICAL - " + HANDSHAKE + ": no answer within 1000 ms | time=0.000300s;;;0;1.000000"
                + " arp=0.000100s;;;0;1.000000 response=U;;;0; size=0B;;;0;", report.stdout());
    }

    @Test
    void certificateExpiryIsWarningOrCriticalByCertDaysAndSaysWhen() {
        Findings tls = new Findings(List.of(), null, new Findings.TlsSession("TLSv1.3",
                "CN=vip.lab.test", NOW + 19 * DAY + 5_000, NOW, null));
        Outcome outcome = answered(new Outcome.Exchange(tls, Outcome.Ending.COMPLETE, null, 900_000, 4_000_000, 1500, 1));

        Report fine = Report.of(outcome, options("--tls"));
        Report warning = Report.of(outcome, options("--tls", "--cert-days", "21"));
        Report critical = Report.of(outcome, options("--tls", "--cert-days=30,20"));

        assertEquals("TCP_RAW OK - " + HANDSHAKE + ": TLSv1.3 handshake in 4.00 ms, certificate expires 2023-12-03"
                + " (in 19 days) | time=0.000300s;;;0;1.000000 arp=0.000100s;;;0;1.000000 response=0.000900s;;;0;"
                + " size=1500B;;;0; tls=0.004000s;;;0;", fine.stdout());
        assertEquals(1, warning.exitCode());
        assertEquals("TCP_RAW WARNING - " + HANDSHAKE + ": TLSv1.3 handshake in 4.00 ms, certificate expires 2023-12-03"
                + " (in 19 days), within the warning 21 days", warning.stdout().replaceAll(" \\|.*", ""));
        assertEquals(2, critical.exitCode());
        assertEquals("TCP_RAW CRITICAL - " + HANDSHAKE + ": TLSv1.3 handshake in 4.00 ms, certificate expires 2023-12-03"
                + " (in 19 days), within the critical 20 days", critical.stdout().replaceAll(" \\|.*", ""));
    }

    @Test
    void anExpiredCertificateIsCriticalWhateverTheThresholds() {
        Findings tls = new Findings(List.of(), null, new Findings.TlsSession("TLSv1.2", "CN=a", NOW - 3 * DAY, NOW,
                null));

        Report report = Report.of(answered(tls, Outcome.Ending.COMPLETE, 900), options("--tls"));

        assertEquals(2, report.exitCode());
        assertEquals("TCP_RAW CRITICAL - " + HANDSHAKE + ": TLSv1.2 handshake, certificate expired 2023-11-11 (3 days ago)",
                report.stdout().replaceAll(" \\|.*", ""));
    }

    @Test
    void aFailedHandshakeIsCriticalWithTheReason() {
        Findings failed = new Findings(List.of(), null, new Findings.TlsSession(null, null, 0, NOW,
                "Received fatal alert: handshake_failure"));

        Report report = Report.of(answered(failed, Outcome.Ending.COMPLETE, 7), options("--tls", "--http"));

        assertEquals("TCP_RAW CRITICAL - " + HANDSHAKE + ": TLS handshake failed: Received fatal alert: handshake_failure"
                + " | time=0.000300s;;;0;1.000000 arp=0.000100s;;;0;1.000000 response=0.001200s;;;0; size=7B;;;0;"
                + " tls=U;;;0;", report.stdout());
    }

    @Test
    void compatMakesEveryJudgementButOkAFailureWithTheWholeReason() {
        Outcome notFound = answered(http(404, "HTTP/1.1 404 Not Found"), Outcome.Ending.COMPLETE, 300);

        Report report = Report.of(notFound, options("--compat", "--http"));

        assertEquals(new Report(1, null, "check_tcp_raw: " + HANDSHAKE + ": HTTP/1.1 404 Not Found, 300 bytes in 1.20 ms"),
                report);
        assertEquals(new Report(0, null, null), Report.of(answered(http(200, "HTTP/1.1 200 OK"), Outcome.Ending.COMPLETE,
                300), options("--compat", "--http")));
    }

    @Test
    void aCheckThatNeverConnectedHasUnmeasuredServicePerfdata() {
        Outcome noSynAck = new Outcome.NoSynAck(TARGET, MAC, 100_000, 3, new Bound(1000, false));

        assertEquals("time=U;;;0;1.000000 arp=0.000100s;;;0;1.000000 response=U;;;0; size=U;;;0; tls=U;;;0;",
                Report.of(noSynAck, options("--tls", "--http")).stdout().replaceAll(".* \\| ", ""));
    }
}
