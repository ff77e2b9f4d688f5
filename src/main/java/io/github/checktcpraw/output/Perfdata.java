package io.github.checktcpraw.output;

/**
 * One performance-data value in the Monitoring Plugins' form, {@code label=value[UOM];warn;crit;min;max},
 * here always in seconds. The single place perfdata text is made.
 */
final class Perfdata {

    static final long ABSENT = -1;

    private Perfdata() {
    }

    /** {@code time=0.000412s;0.000300;0.000500;0;1.000000} — absent thresholds and maximum stay empty. */
    static String seconds(String label, long valueNanos, long warnNanos, long critNanos, long maxNanos) {
        return label + "=" + seconds(valueNanos) + "s;" + optional(warnNanos) + ";" + optional(critNanos) + ";0;"
                + optional(maxNanos);
    }

    private static String optional(long nanos) {
        return nanos == ABSENT ? "" : seconds(nanos);
    }

    /** Seconds with six decimals (microseconds), without java.util.Formatter. */
    static String seconds(long nanos) {
        if (nanos < 0) {
            return "-" + seconds(-nanos); // never measured so, but a formatter must not throw
        }
        long micros = (nanos + 500) / 1000;
        String fraction = Long.toString(micros % 1_000_000);
        return micros / 1_000_000 + "." + "000000".substring(fraction.length()) + fraction;
    }
}
