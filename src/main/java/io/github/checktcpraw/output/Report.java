package io.github.checktcpraw.output;

/**
 * What the process prints and returns, decided once at the end.
 *
 * @param stdout the line for standard output, or {@code null}
 * @param stderr the line for standard error, or {@code null}
 */
public record Report(int exitCode, String stdout, String stderr) {

    /** No answer about the real server ({@code reason} says why), in the form the caller asked for. */
    public static Report unknown(boolean compat, String reason) {
        return compat ? CompatReport.failure(reason) : NagiosReport.unknown(reason);
    }
}
