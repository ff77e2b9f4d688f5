package io.github.checktcpraw.output;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.Printable;

/**
 * The C tool's contract, for keepalived's MISC_CHECK: EXIT_SUCCESS (0) when the real server
 * answered for the VIP, EXIT_FAILURE (1) otherwise; nothing on stdout, the reason on stderr.
 */
public final class CompatReport {

    public static final int EXIT_SUCCESS = 0;
    public static final int EXIT_FAILURE = 1;

    private CompatReport() {
    }

    public static Report of(Outcome outcome) {
        return Verdict.of(outcome).answered() ? new Report(EXIT_SUCCESS, null, null) : failure(OutcomeText.of(outcome));
    }

    public static Report failure(String reason) {
        return new Report(EXIT_FAILURE, null, "check_tcp_raw: " + Printable.escape(reason));
    }
}
