package io.github.checktcpraw.output;

/** Durations as operators read them in status lines: "0.41 ms", "12.3 ms", "1500 ms". */
public final class Millis {

    private Millis() {
    }

    /** Formats without java.util.Formatter, which costs start-up time out of all proportion. */
    public static String format(long nanos) {
        if (nanos < 0) {
            return "-" + format(-nanos);
        }
        long hundredths = (nanos + 5_000L) / 10_000L;
        if (hundredths >= 100_000) {
            return hundredths / 100 + " ms";
        }
        if (hundredths >= 1_000) {
            long tenths = (nanos + 50_000L) / 100_000L;
            return tenths / 10 + "." + tenths % 10 + " ms";
        }
        long fraction = hundredths % 100;
        return hundredths / 100 + "." + (fraction < 10 ? "0" : "") + fraction + " ms";
    }
}
