package io.github.checktcpraw.output;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.cli.ServiceOptions;
import io.github.checktcpraw.service.Findings;
import io.github.checktcpraw.service.ServiceRequest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What the service said, judged and put in words: the state it makes the result and the clause the
 * status line ends with ({@code HTTP/1.1 200 OK, 612 bytes in 1.20 ms, certificate expires ...}); no
 * semicolons, which Nagios turns into colons (its own field separator).
 * HTTP statuses are judged as check_http judges them, certificate expiry by {@code --cert-days}.
 */
record ServiceText(PluginState state, String text) {

    private static final long DAY_MILLIS = 86_400_000L;

    /** The judgement of what the service said in {@code outcome}; {@code null} when none was asked or said. */
    static ServiceText of(Outcome outcome, CheckOptions options) {
        if (options.service() == null) {
            return null;
        }
        Outcome.Exchange exchange = exchange(outcome);
        return exchange == null ? null : of(exchange, options.service());
    }

    /** The exchange after the handshake, in the outcome that made one. */
    static Outcome.Exchange exchange(Outcome outcome) {
        if (outcome instanceof Outcome.Answered answered) {
            return answered.exchange();
        }
        return outcome instanceof Outcome.BackupConnected connected ? connected.exchange() : null;
    }

    /** The judgement of an exchange's findings; {@code options} are the check's service options. */
    static ServiceText of(Outcome.Exchange exchange, ServiceOptions options) {
        Findings findings = (Findings) exchange.facts();
        Judged judged = new Judged();
        Findings.TlsSession tls = findings.tls();
        String ended = ended(exchange);
        if (tls != null && !tls.established()) {
            judged.add(PluginState.CRITICAL, "TLS handshake failed: "
                    + (tls.failure() != null ? tls.failure() : ended != null ? ended : "it did not finish"));
            return judged.result();
        }
        if (tls != null) {
            judged.add(PluginState.OK, tls.protocol() + " handshake" + (exchange.tlsNanos() == Outcome.NOT_MEASURED ? ""
                    : " in " + Millis.format(exchange.tlsNanos())));
        }
        Findings.HttpAnswer http = findings.http();
        boolean saysMore = options.request().send().length > 0 || !options.request().expected().isEmpty();
        if (http != null && http.status() < 0) {
            judged.add(PluginState.CRITICAL, "no HTTP response: "
                    + (http.problem() != null ? http.problem() : ended != null ? ended : "none came"));
        } else if (http != null) {
            judged.add(status(http.status(), options.httpStatuses()), http.statusLine() + statusJudgement(http.status(),
                    options.httpStatuses()) + ", " + received(exchange));
            if (http.problem() != null) {
                judged.add(PluginState.CRITICAL, "but " + http.problem());
            } else if (ended != null && !http.complete() && exchange.ending() != Outcome.Ending.LIMIT
                    && findings.missing().isEmpty()) {
                judged.add(PluginState.CRITICAL, "but " + ended);
            }
        } else if (findings.missing().isEmpty() && (exchange.ending() == Outcome.Ending.COMPLETE
                || exchange.ending() == Outcome.Ending.SERVER_CLOSED || exchange.ending() == Outcome.Ending.LIMIT)) {
            if (tls == null || saysMore) {
                judged.add(PluginState.OK, (options.request().expected().isEmpty() ? ""
                        : quoted(expectedTexts(options)) + " found, ") + received(exchange));
            }
        } else if (findings.missing().isEmpty()) {
            judged.add(PluginState.CRITICAL, ended);
        }
        if (!findings.missing().isEmpty()) {
            judged.add(PluginState.CRITICAL, quoted(findings.missing()) + " not found " + where(exchange, http != null));
        }
        if (tls != null && tls.notAfterMillis() != 0) {
            judged.add(certificate(tls, options.certDays()));
        }
        return judged.result();
    }

    /** check_http's judgement, or the operator's list of the only good statuses. */
    private static PluginState status(int status, List<Integer> good) {
        if (good != null) {
            return good.contains(status) ? PluginState.OK : PluginState.CRITICAL;
        }
        return status >= 200 && status < 400 ? PluginState.OK
                : status >= 400 && status < 500 ? PluginState.WARNING : PluginState.CRITICAL;
    }

    private static String statusJudgement(int status, List<Integer> good) {
        if (good == null || good.contains(status)) {
            return "";
        }
        StringBuilder list = new StringBuilder();
        for (int code : good) {
            list.append(list.isEmpty() ? "" : ",").append(code);
        }
        return " (not one of " + list + ")";
    }

    private static String received(Outcome.Exchange exchange) {
        return exchange.bytesReceived() + " bytes" + (exchange.responseNanos() == Outcome.NOT_MEASURED ? ""
                : " in " + Millis.format(exchange.responseNanos()))
                + OutcomeText.sentTimes("request", exchange.requestSends());
    }

    /** How the exchange ended when that was not the conversation's own end; {@code null} when it was. */
    private static String ended(Outcome.Exchange exchange) {
        long bytes = exchange.bytesReceived();
        return switch (exchange.ending()) {
            case TIMED_OUT -> bytes == 0 ? "no answer " + OutcomeText.within(exchange.bound())
                    + OutcomeText.sentTimes("request", exchange.requestSends())
                    : "the answer stopped after " + bytes + " bytes: nothing more " + OutcomeText.within(exchange.bound());
            case RESET -> "the server reset the connection after " + bytes + " bytes";
            case SERVER_CLOSED -> "the server closed the connection after " + bytes + " bytes";
            case LIMIT -> "reading stopped at --max-bytes " + bytes;
            case COMPLETE -> null;
        };
    }

    private static String where(Outcome.Exchange exchange, boolean http) {
        String in = http ? "in the body" : "in " + exchange.bytesReceived() + " bytes";
        String end = ended(exchange);
        return end == null ? in : in + " (" + end + ")";
    }

    private static Judged.Part certificate(Findings.TlsSession tls, ServiceOptions.CertDays days) {
        long left = tls.notAfterMillis() - tls.checkedAtMillis();
        String date = LocalDate.ofEpochDay(Math.floorDiv(tls.notAfterMillis(), DAY_MILLIS)).toString();
        if (left < 0) {
            return new Judged.Part(PluginState.CRITICAL, "certificate expired " + date + " ("
                    + Math.floorDiv(-left, DAY_MILLIS) + " days ago)");
        }
        String text = "certificate expires " + date + " (in " + left / DAY_MILLIS + " days)";
        if (days != null && days.critical() != ServiceOptions.CertDays.NONE && left < days.critical() * DAY_MILLIS) {
            return new Judged.Part(PluginState.CRITICAL, text + ", within the critical " + days.critical() + " days");
        }
        if (days != null && left < days.warning() * DAY_MILLIS) {
            return new Judged.Part(PluginState.WARNING, text + ", within the warning " + days.warning() + " days");
        }
        return new Judged.Part(PluginState.OK, text);
    }

    private static List<String> expectedTexts(ServiceOptions options) {
        List<String> texts = new ArrayList<>();
        for (ServiceRequest.Expected expected : options.request().expected()) {
            texts.add(expected.given());
        }
        return texts;
    }

    private static String quoted(List<String> texts) {
        StringBuilder out = new StringBuilder();
        for (String text : texts) {
            out.append(out.isEmpty() ? "" : ", ").append('"').append(text).append('"');
        }
        return out.toString();
    }

    /** The clauses found so far and the worst state among them. */
    private static final class Judged {

        record Part(PluginState state, String text) {
        }

        private PluginState state = PluginState.OK;
        private final StringBuilder text = new StringBuilder();

        void add(PluginState partState, String part) {
            state = state.worse(partState);
            text.append(text.isEmpty() ? "" : ", ").append(part);
        }

        void add(Part part) {
            add(part.state(), part.text());
        }

        ServiceText result() {
            return new ServiceText(state, text.toString());
        }
    }
}
