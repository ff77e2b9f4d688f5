package io.github.checktcpraw.service;

import io.github.checktcpraw.check.Conversation;
import java.util.List;

/**
 * What a conversation with the service found, as facts: the report judges them.
 *
 * @param missing the expected texts that were not found, as given
 * @param http    the HTTP response as far as it was read; {@code null} without {@code --http}
 * @param tls     the TLS session; {@code null} without {@code --tls}
 */
public record Findings(List<String> missing, HttpAnswer http, TlsSession tls) implements Conversation.Facts {

    /**
     * An HTTP response as far as it was read.
     *
     * @param status     the final status code; -1 before a status line was read
     * @param statusLine the status line as sent (version, code and reason), for the report; {@code null} before
     * @param bodyBytes  the body's bytes read (after chunked coding)
     * @param complete   whether the body was read to its end
     * @param problem    why it is no usable response ("not an HTTP response: ...", headers too long); else {@code null}
     */
    public record HttpAnswer(int status, String statusLine, long bodyBytes, boolean complete, String problem) {
    }

    /**
     * A TLS session, or the handshake's failure.
     *
     * @param protocol      "TLSv1.3" and the like; {@code null} when the handshake failed
     * @param subject       the server certificate's subject; {@code null} when none was seen
     * @param notAfterMillis when it expires, in milliseconds since the epoch; 0 when none was seen
     * @param checkedAtMillis the time it was checked at, as the shell gave it
     * @param failure       why the handshake failed, in the TLS stack's words; {@code null} when it did not, or
     *                      did not finish (then {@code protocol} is {@code null} too)
     */
    public record TlsSession(String protocol, String subject, long notAfterMillis,
            long checkedAtMillis, String failure) {

        public boolean established() {
            return failure == null && protocol != null;
        }
    }

    Findings withTls(TlsSession session) {
        return new Findings(missing, http, session);
    }
}
