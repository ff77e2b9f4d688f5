package io.github.checktcpraw.output;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.CheckOptions;
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

    /** Any answer of the service judged other than OK is a failure too: keepalived has no WARNING. */
    public static Report of(Outcome outcome, CheckOptions options) {
        ServiceText service = ServiceText.of(outcome, options);
        if (Verdict.of(outcome).answered() && (service == null || service.state() == PluginState.OK)) {
            return new Report(EXIT_SUCCESS, null, null);
        }
        return failure(OutcomeText.of(outcome) + (service == null ? "" : ": " + service.text()));
    }

    public static Report failure(String reason) {
        return new Report(EXIT_FAILURE, null, "check_tcp_raw: " + Printable.escape(reason));
    }
}
