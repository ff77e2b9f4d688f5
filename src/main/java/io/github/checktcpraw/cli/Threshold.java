package io.github.checktcpraw.cli;

import io.github.checktcpraw.check.Digits;

/**
 * A latency threshold in the Monitoring Plugins' range format, in milliseconds: {@code 10} alerts
 * above 10, {@code 10:} below 10, {@code ~:10} above 10, {@code 10:20} outside 10 to 20, and
 * {@code @10:20} inside it (ends included). Decimals are kept exactly as given, down to the
 * nanosecond ({@code 0.000001} ms).
 *
 * @param given       the text as the operator wrote it, to be printed as such
 * @param inside      the {@code @} form: alert inside the range rather than outside
 * @param startNanos  the lower end, or {@link #UNBOUNDED_BELOW} ({@code ~})
 * @param endNanos    the upper end, or {@link #UNBOUNDED_ABOVE} (nothing after the colon)
 * @param startText   the lower end as given, {@code "~"} or {@code "0"} when left out
 * @param endText     the upper end as given, {@code ""} when left out
 */
public record Threshold(String given, boolean inside, long startNanos, long endNanos, String startText,
        String endText) {

    public static final long UNBOUNDED_BELOW = Long.MIN_VALUE;
    public static final long UNBOUNDED_ABOVE = Long.MAX_VALUE;

    /** Milliseconds with this many decimals at most: nanoseconds. */
    private static final int DECIMALS = 6;

    /**
     * @param what "warning" or "critical", for the message
     * @throws UsageException naming the value and the format when {@code text} is not a range
     */
    public static Threshold parse(String what, String text) throws UsageException {
        String range = text.startsWith("@") ? text.substring(1) : text;
        int colon = range.indexOf(':');
        String start = colon < 0 ? "0" : range.substring(0, colon);
        String end = colon < 0 ? range : range.substring(colon + 1);
        long startNanos = start.equals("~") ? UNBOUNDED_BELOW : start.isEmpty() ? 0 : nanos(start);
        long endNanos = end.isEmpty() && colon >= 0 ? UNBOUNDED_ABOVE : nanos(end);
        if (startNanos == -1 || endNanos == -1 || range.indexOf(':', colon + 1) >= 0
                || (startNanos != UNBOUNDED_BELOW && endNanos != UNBOUNDED_ABOVE && startNanos > endNanos)) {
            throw new UsageException(what + " threshold \"" + Printable.escape(text) + "\" is not a range of"
                    + " milliseconds (like 250, 0.5, 10:, ~:10, 10:20 or @10:20)");
        }
        return new Threshold(text, text.startsWith("@"), startNanos, endNanos, start.isEmpty() ? "0" : start, end);
    }

    /** Whether {@code nanos} is a value this threshold alerts on. */
    public boolean alerts(long nanos) {
        boolean inRange = (startNanos == UNBOUNDED_BELOW || nanos >= startNanos)
                && (endNanos == UNBOUNDED_ABOVE || nanos <= endNanos);
        return inside == inRange;
    }

    /** Whether it is an upper bound only ({@code 10}, {@code ~:10}, {@code 0:10}): the usual latency threshold. */
    public boolean isUpperBound() {
        return !inside && endNanos != UNBOUNDED_ABOVE && (startNanos == UNBOUNDED_BELOW || startNanos == 0);
    }

    /** The value of a plain decimal (no sign) of at most {@link #DECIMALS} decimals, as nanoseconds; -1 if none. */
    private static long nanos(String text) {
        int dot = text.indexOf('.');
        String whole = dot < 0 ? text : text.substring(0, dot);
        String fraction = dot < 0 ? "" : text.substring(dot + 1);
        long millis = Digits.value(whole, 10, 7);
        long fractionNanos = fraction.isEmpty() ? 0 : Digits.value(fraction, 10, DECIMALS);
        // No check waits beyond the timeouts' hour, which also keeps every value far from overflow.
        if (millis < 0 || millis > ArgumentParser.MAX_TIMEOUT_MILLIS || fractionNanos < 0
                || (dot >= 0 && fraction.isEmpty())) {
            return -1;
        }
        for (int i = fraction.length(); i < DECIMALS; i++) {
            fractionNanos *= 10;
        }
        return millis * 1_000_000L + fractionNanos;
    }
}
