package io.github.checktcpraw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.HostileInvocations.Invocation;
import io.github.checktcpraw.output.Report;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every malformed invocation of {@link HostileInvocations} is answered the plugin's way, in
 * process: exactly one line {@code TCP_RAW UNKNOWN - <reason>} with exit 3 and nothing else; with
 * {@code --compat} exit 1, nothing on stdout, one line on stderr. No case reaches the network: the
 * interface they name does not exist.
 */
class HostileInputTest {

    static final List<Invocation> CASES = HostileInvocations.ALL;

    @Test
    void theTableIsBigEnoughToMeanSomething() {
        assertTrue(CASES.size() >= 20, "cases: " + CASES.size());
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void isUnknownInOneLine(Invocation invocation) {
        ByteArrayOutputStream trace = new ByteArrayOutputStream();
        Report report = CheckTcpRaw.run(invocation.args(), new PrintStream(trace, true, StandardCharsets.UTF_8));

        assertEquals(3, report.exitCode(), () -> describe(report));
        HostileInvocations.assertOneCleanLine(report.stdout(), "TCP_RAW UNKNOWN - ", invocation.reason());
        assertNull(report.stderr(), () -> describe(report));
        assertEquals("", trace.toString(StandardCharsets.UTF_8), "nothing traced without -v");
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void inCompatModeIsExit1WithTheReasonOnStderr(Invocation invocation) {
        ByteArrayOutputStream trace = new ByteArrayOutputStream();
        Report report = CheckTcpRaw.run(invocation.compatArgs(), new PrintStream(trace, true, StandardCharsets.UTF_8));

        assertEquals(1, report.exitCode(), () -> describe(report));
        assertNull(report.stdout(), () -> describe(report));
        HostileInvocations.assertOneCleanLine(report.stderr(), "check_tcp_raw: ", invocation.reason());
        assertEquals("", trace.toString(StandardCharsets.UTF_8), "nothing traced without -v");
    }

    private static String describe(Report report) {
        return "exit " + report.exitCode() + "\n--- stdout\n" + report.stdout() + "\n--- stderr\n" + report.stderr();
    }
}
