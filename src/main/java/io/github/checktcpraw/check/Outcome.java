package io.github.checktcpraw.check;

/**
 * The one result of a check, rendered once at the end as a Nagios status line or a compat exit
 * code. {@code summary} is the operator-facing sentence; the timings feed perfdata and thresholds.
 *
 * @param handshakeNanos SYN sent to SYN/ACK received (or connect() on a BACKUP director), or {@link #NOT_MEASURED}
 * @param arpNanos ARP request sent to reply received, or {@link #NOT_MEASURED}
 */
public record Outcome(Verdict verdict, String summary, long handshakeNanos, long arpNanos) {

    public static final long NOT_MEASURED = -1;

    public enum Verdict {
        /** The real server answered for the VIP as it should. */
        ANSWERED,
        /** It answered, but something about the exchange was wrong (e.g. it did not close cleanly). */
        ANSWERED_BADLY,
        /** It did not answer for the VIP: the check's real finding of a broken real server. */
        FAILED,
        /** No answer about the real server at all: bad input, an unusable environment. */
        UNKNOWN
    }

    public static Outcome unknown(String reason) {
        return new Outcome(Verdict.UNKNOWN, reason, NOT_MEASURED, NOT_MEASURED);
    }

    public static Outcome failed(String reason, long arpNanos) {
        return new Outcome(Verdict.FAILED, reason, NOT_MEASURED, arpNanos);
    }

    /** True when the real server answered for the VIP, well or badly. */
    public boolean answered() {
        return verdict == Verdict.ANSWERED || verdict == Verdict.ANSWERED_BADLY;
    }
}
