package io.github.checktcpraw.output;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.Threshold;

/**
 * One performance-data value in the Monitoring Plugins' form, {@code label=value[UOM];warn;crit;min;max},
 * in seconds or bytes. The single place perfdata text is made.
 */
final class Perfdata {

    static final long ABSENT = -1;

    private Perfdata() {
    }

    /**
     * {@code time=0.000412s;0.0003;~:0.0005;0;1.000000}: thresholds as ranges in seconds with the
     * precision they were given in; {@code U} for a value that was not measured; absent thresholds
     * and maximum stay empty.
     */
    static String seconds(String label, long valueNanos, Threshold warn, Threshold crit, long maxNanos) {
        String value = valueNanos == Outcome.NOT_MEASURED ? "U" : seconds(valueNanos) + "s";
        return label + "=" + value + ";" + range(warn) + ";" + range(crit) + ";0;" + (maxNanos == ABSENT ? "" : seconds(maxNanos));
    }

    /** {@code size=612B;;;0;}, or {@code size=U;;;0;} when nothing was measured. */
    static String bytes(String label, long bytes) {
        return label + "=" + (bytes == Outcome.NOT_MEASURED ? "U" : bytes + "B") + ";;;0;";
    }

    /** A threshold's range with each end moved from milliseconds to seconds, digit for digit. */
    static String range(Threshold threshold) {
        if (threshold == null) {
            return "";
        }
        String given = threshold.given();
        int colon = given.indexOf(':');
        if (colon < 0) {
            return (threshold.inside() ? "@" : "") + secondsText(threshold.endText());
        }
        String start = threshold.startText().equals("~") ? "~" : secondsText(threshold.startText());
        String end = threshold.endText().isEmpty() ? "" : secondsText(threshold.endText());
        return (threshold.inside() ? "@" : "") + start + ":" + end;
    }

    /** "10" ms is "0.010" s and "0.0004" ms "0.0000004" s: the decimal point moves, nothing is rounded. */
    static String secondsText(String millis) {
        int dot = millis.indexOf('.');
        String whole = dot < 0 ? millis : millis.substring(0, dot);
        String digits = whole + (dot < 0 ? "" : millis.substring(dot + 1));
        int integerDigits = whole.length() - 3;
        if (integerDigits <= 0) {
            return "0." + "0".repeat(-integerDigits) + digits;
        }
        int firstDigit = 0;
        while (firstDigit < integerDigits - 1 && digits.charAt(firstDigit) == '0') {
            firstDigit++;
        }
        String integer = digits.substring(firstDigit, integerDigits);
        String fraction = digits.substring(integerDigits);
        return fraction.isEmpty() ? integer : integer + "." + fraction;
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
