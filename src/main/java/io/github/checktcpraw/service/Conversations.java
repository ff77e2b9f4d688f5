package io.github.checktcpraw.service;

import io.github.checktcpraw.check.Conversation;
import javax.net.ssl.SSLContext;

/** The conversation a {@link ServiceRequest} asks for: HTTP, or bytes and texts, inside TLS when asked. */
public final class Conversations {

    private Conversations() {
    }

    /**
     * @param tlsContext the client context for a request with TLS (the shell's: what to trust); else unused
     * @param nowMillis  the time, in milliseconds since the epoch, a certificate's expiry is measured against
     */
    public static Conversation open(ServiceRequest request, SSLContext tlsContext, long nowMillis) {
        Conversation application = request.http() != null ? new HttpConversation(request)
                : request.send().length > 0 || !request.expected().isEmpty() ? new TextConversation(request) : null;
        if (request.tls() == null) {
            return application;
        }
        return new TlsConversation(tlsContext.createSSLEngine(request.tls().peerName(), -1), request.tls(),
                application, nowMillis);
    }
}
