package io.github.checktcpraw.output;

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
        Verdict verdict = Verdict.of(outcome);
        PluginState state = switch (verdict) {
            case ANSWERED -> PluginState.OK;
            case ANSWERED_BADLY -> PluginState.WARNING;
            case FAILED -> PluginState.CRITICAL;
            case UNKNOWN -> PluginState.UNKNOWN;
        };
        String text = OutcomeText.of(outcome);
        long latency = handshakeNanos(outcome);
        if (verdict.answered() && latency != Outcome.NOT_MEASURED) {
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

    /** SYN sent to SYN/ACK received, or connect() on a BACKUP director. */
    static long handshakeNanos(Outcome outcome) {
        if (outcome instanceof Outcome.Answered answered) {
            return answered.handshakeNanos();
        }
        return outcome instanceof Outcome.BackupConnected connected ? connected.connectNanos() : Outcome.NOT_MEASURED;
    }

    /** ARP request sent to reply received. */
    static long arpNanos(Outcome outcome) {
        if (outcome instanceof Outcome.Answered answered) {
            return answered.arpNanos();
        }
        if (outcome instanceof Outcome.NoSynAck noSynAck) {
            return noSynAck.arpNanos();
        }
        return outcome instanceof Outcome.Refused refused ? refused.arpNanos() : Outcome.NOT_MEASURED;
    }

    private static boolean exceeds(long latency, long threshold) {
        return threshold != CheckOptions.NO_THRESHOLD && latency > threshold;
    }

    private static String perfdata(Outcome outcome, CheckOptions options) {
        long max = options.timeoutMillis() == 0 ? Perfdata.ABSENT : options.timeoutNanos();
        long handshake = handshakeNanos(outcome);
        long arp = arpNanos(outcome);
        String time = handshake == Outcome.NOT_MEASURED ? ""
                : Perfdata.seconds("time", handshake, absentIfNone(options.warningNanos()),
                        absentIfNone(options.criticalNanos()), max);
        String arpData = arp == Outcome.NOT_MEASURED ? ""
                : Perfdata.seconds("arp", arp, Perfdata.ABSENT, Perfdata.ABSENT, max);
        return time.isEmpty() || arpData.isEmpty() ? time + arpData : time + " " + arpData;
    }

    private static long absentIfNone(long threshold) {
        return threshold == CheckOptions.NO_THRESHOLD ? Perfdata.ABSENT : threshold;
    }
}
