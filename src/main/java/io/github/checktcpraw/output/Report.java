package io.github.checktcpraw.output;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.CheckOptions;
import java.io.PrintStream;

/**
 * What the process prints and returns, decided once at the end.
 *
 * @param stdout the line for standard output, or {@code null}
 * @param stderr the line for standard error, or {@code null}
 */
public record Report(int exitCode, String stdout, String stderr) {

    /** The report of a check, in the form its command line asked for. */
    public static Report of(Outcome outcome, CheckOptions options) {
        return options.compat() ? CompatReport.of(outcome, options) : NagiosReport.of(outcome, options);
    }

    /** No answer about the real server ({@code reason} says why), in the form the caller asked for. */
    public static Report unknown(boolean compat, String reason) {
        return compat ? CompatReport.failure(reason) : NagiosReport.unknown(reason);
    }

    /** Prints the lines and flushes both streams. */
    public void print(PrintStream out, PrintStream err) {
        if (stdout != null) {
            out.println(stdout);
        }
        if (stderr != null) {
            err.println(stderr);
        }
        out.flush();
        err.flush();
    }
}
