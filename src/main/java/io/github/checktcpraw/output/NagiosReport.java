package io.github.checktcpraw.output;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.cli.Printable;
import io.github.checktcpraw.cli.Threshold;
import io.github.checktcpraw.service.Findings;

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
            if (alerts(options.critical(), latency)) {
                state = state.worse(PluginState.CRITICAL);
                text += ", " + beyond("critical", options.critical());
            } else if (alerts(options.warning(), latency)) {
                state = state.worse(PluginState.WARNING);
                text += ", " + beyond("warning", options.warning());
            }
        }
        ServiceText service = ServiceText.of(outcome, options);
        if (service != null) {
            state = state.worse(service.state());
            text += ": " + service.text();
        }
        return new Report(state.exitCode(), line(state, text, perfdata(verdict, outcome, options)), null);
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
        outcome = measured(outcome);
        if (outcome instanceof Outcome.Answered answered) {
            return answered.handshakeNanos();
        }
        return outcome instanceof Outcome.BackupConnected connected ? connected.connectNanos() : Outcome.NOT_MEASURED;
    }

    /** ARP request (neighbour solicitation) sent to reply (advertisement) received. */
    static long resolutionNanos(Outcome outcome) {
        outcome = measured(outcome);
        if (outcome instanceof Outcome.Answered answered) {
            return answered.resolutionNanos();
        }
        if (outcome instanceof Outcome.NoSynAck noSynAck) {
            return noSynAck.resolutionNanos();
        }
        return outcome instanceof Outcome.Refused refused ? refused.resolutionNanos() : Outcome.NOT_MEASURED;
    }

    private static boolean alerts(Threshold threshold, long latency) {
        return threshold != null && threshold.alerts(latency);
    }

    /** Why a latency alerts, in the threshold's own terms and precision: "above the warning threshold of 0.5 ms". */
    private static String beyond(String which, Threshold threshold) {
        if (threshold.isUpperBound()) {
            return "above the " + which + " threshold of " + threshold.endText() + " ms";
        }
        if (!threshold.inside() && threshold.endNanos() == Threshold.UNBOUNDED_ABOVE) {
            return "below the " + which + " threshold of " + threshold.startText() + " ms";
        }
        return (threshold.inside() ? "inside" : "outside") + " the " + which + " range " + threshold.given() + " ms";
    }

    /**
     * {@code time} and {@code arp} ({@code ndp} over IPv6) for every check that was made, {@code U} for
     * what could not be measured (the Monitoring Plugins' way, so that graphs have no gaps); a BACKUP
     * director's check has no ARP, and a check that was not made has no perfdata.
     */
    private static String perfdata(Verdict verdict, Outcome outcome, CheckOptions options) {
        if (verdict == Verdict.UNKNOWN) {
            return "";
        }
        long max = options.timeoutMillis() == 0 ? Perfdata.ABSENT : options.timeoutNanos();
        String time = Perfdata.seconds("time", handshakeNanos(outcome), options.warning(), options.critical(), max);
        if (!(outcome instanceof Outcome.BackupConnected || outcome instanceof Outcome.BackupFailed)) {
            time += " " + Perfdata.seconds(ipv6(outcome) ? "ndp" : "arp", resolutionNanos(outcome), null, null, max);
        }
        return options.service() == null ? time : time + servicePerfdata(ServiceText.exchange(measured(outcome)), options);
    }

    /**
     * {@code response} (request sent to answer complete), {@code size} (the server's bytes read) and,
     * with TLS, {@code tls} (its handshake): {@code U} where the exchange did not measure them.
     */
    private static String servicePerfdata(Outcome.Exchange exchange, CheckOptions options) {
        long response = exchange == null ? Outcome.NOT_MEASURED : exchange.responseNanos();
        long size = exchange == null ? Outcome.NOT_MEASURED : exchange.bytesReceived();
        String perfdata = " " + Perfdata.seconds("response", response, null, null, Perfdata.ABSENT) + " "
                + Perfdata.bytes("size", size);
        if (options.service().request().tls() != null) {
            boolean established = exchange != null && ((Findings) exchange.facts()).tls().established();
            perfdata += " " + Perfdata.seconds("tls", established ? exchange.tlsNanos() : Outcome.NOT_MEASURED, null,
                    null, Perfdata.ABSENT);
        }
        return perfdata;
    }

    /** The outcome that holds the measurements: the check's own, under a finding about the VIP. */
    private static Outcome measured(Outcome outcome) {
        return outcome instanceof Outcome.VipClaimed claimed ? claimed.check() : outcome;
    }

    /** Whether the raw check ran over IPv6: its resolution is then neighbour discovery, perfdata {@code ndp}. */
    private static boolean ipv6(Outcome outcome) {
        outcome = measured(outcome);
        if (outcome instanceof Outcome.Answered answered) {
            return answered.target().ipv6();
        }
        if (outcome instanceof Outcome.NoSynAck noSynAck) {
            return noSynAck.target().ipv6();
        }
        if (outcome instanceof Outcome.Refused refused) {
            return refused.target().ipv6();
        }
        return outcome instanceof Outcome.Unresolved unresolved && unresolved.target().ipv6();
    }
}
