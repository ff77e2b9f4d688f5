package io.github.checktcpraw.output;

import io.github.checktcpraw.check.Millis;
import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.cli.Printable;

/**
 * The plugin's normal output: one line {@code TCP_RAW <STATE> - <text> | <perfdata>} and the
 * state's exit code. Thresholds on the handshake latency are compared here, once.
 */
public final class NagiosReport {

    static final String SERVICE = "TCP_RAW";

    private NagiosReport() {
    }

    public static Report of(Outcome outcome, CheckOptions options) {
        PluginState state = switch (outcome.verdict()) {
            case ANSWERED -> PluginState.OK;
            case ANSWERED_BADLY -> PluginState.WARNING;
            case FAILED -> PluginState.CRITICAL;
            case UNKNOWN -> PluginState.UNKNOWN;
        };
        String text = outcome.summary();
        long latency = outcome.handshakeNanos();
        if (outcome.answered() && latency != Outcome.NOT_MEASURED) {
            if (exceeds(latency, options.criticalNanos())) {
                state = state.worse(PluginState.CRITICAL);
                text += ", above the critical threshold of " + Millis.format(options.criticalNanos());
            } else if (exceeds(latency, options.warningNanos())) {
                state = state.worse(PluginState.WARNING);
                text += ", above the warning threshold of " + Millis.format(options.warningNanos());
            }
        }
        return new Report(state.exitCode(), line(state, text, perfdata(outcome, options)), null);
    }

    /** A command line or environment problem found before any check ran. */
    public static Report unknown(String reason) {
        return new Report(PluginState.UNKNOWN.exitCode(), line(PluginState.UNKNOWN, reason, ""), null);
    }

    static String line(PluginState state, String text, String perfdata) {
        // A '|' would start perfdata; control characters would break or overwrite the line.
        String clean = Printable.escape(text.replace('|', '/'));
        return SERVICE + " " + state + " - " + clean + (perfdata.isEmpty() ? "" : " | " + perfdata);
    }

    private static boolean exceeds(long latency, long threshold) {
        return threshold != CheckOptions.NO_THRESHOLD && latency > threshold;
    }

    private static String perfdata(Outcome outcome, CheckOptions options) {
        long max = options.timeoutMillis() == 0 ? Perfdata.ABSENT : options.timeoutNanos();
        String time = outcome.handshakeNanos() == Outcome.NOT_MEASURED ? ""
                : Perfdata.seconds("time", outcome.handshakeNanos(), absentIfNone(options.warningNanos()),
                        absentIfNone(options.criticalNanos()), max);
        String arp = outcome.arpNanos() == Outcome.NOT_MEASURED ? ""
                : Perfdata.seconds("arp", outcome.arpNanos(), Perfdata.ABSENT, Perfdata.ABSENT, max);
        return time.isEmpty() || arp.isEmpty() ? time + arp : time + " " + arp;
    }

    private static long absentIfNone(long threshold) {
        return threshold == CheckOptions.NO_THRESHOLD ? Perfdata.ABSENT : threshold;
    }
}
