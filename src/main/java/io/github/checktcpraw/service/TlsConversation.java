package io.github.checktcpraw.service;

import io.github.checktcpraw.check.Conversation;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A TLS client handshake over the check's connection ({@code --tls}), then the conversation inside
 * it: the JDK's {@link SSLEngine} turns the server's bytes into records and ours into records, and
 * does no I/O of its own, so it fits the check's byte moving as it is. Complete once the handshake
 * is done and the inner conversation (if any) is; then, unless the server closes the connection
 * itself, it says close_notify, which a clean close sends with its FIN. A failed handshake ends it
 * with the TLS stack's reason.
 */
final class TlsConversation implements Conversation {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    /** {@code null}: the handshake and the certificate are all that is asked. */
    private final Conversation inner;
    private final long checkedAtMillis;
    /** The server's bytes not yet made into records, in write mode. */
    private ByteBuffer fromServer;
    private ByteBuffer plain;
    private ByteBuffer records;
    private byte[] toServer = TextConversation.NOTHING;
    private boolean handshakeDone;
    private boolean closeNotified;
    private boolean serverClosed;
    private Findings.TlsSession session;
    private String failure;

    /**
     * @param engine          a client engine from the shell's context, for {@code tls.peerName()}
     * @param checkedAtMillis the time the certificate's expiry is measured against
     */
    TlsConversation(SSLEngine engine, ServiceRequest.Tls tls, Conversation inner, long checkedAtMillis) {
        this.engine = engine;
        this.inner = inner;
        this.checkedAtMillis = checkedAtMillis;
        SSLSession handshake = engine.getSession();
        this.fromServer = ByteBuffer.allocate(handshake.getPacketBufferSize());
        this.plain = ByteBuffer.allocate(handshake.getApplicationBufferSize());
        this.records = ByteBuffer.allocate(handshake.getPacketBufferSize());
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        try {
            parameters.setServerNames(tls.serverName() == null ? List.of() : List.of(new SNIHostName(tls.serverName())));
        } catch (IllegalArgumentException e) {
            failure = "\"" + tls.serverName() + "\" cannot be a TLS server name: " + e.getMessage();
        }
        if (tls.verify()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the server
        }
        engine.setSSLParameters(parameters);
        if (failure == null) {
            try {
                engine.beginHandshake(); // the ClientHello is made at the first outgoing()
            } catch (SSLException e) {
                failure = reason(e);
            }
        }
    }

    @Override
    public byte[] outgoing() {
        pump();
        if (complete() && !closeNotified && failure == null && !serverClosing()) {
            closeNotified = true;
            engine.closeOutbound();
            wrapQuietly();
        }
        byte[] out = toServer;
        toServer = TextConversation.NOTHING;
        return out;
    }

    @Override
    public void received(byte[] bytes) {
        if (fromServer.remaining() < bytes.length) {
            fromServer = ByteBuffer.allocate(fromServer.position() + bytes.length).put(fromServer.flip());
        }
        fromServer.put(bytes);
        pump();
    }

    /**
     * Whether the server closes, or has: then our close_notify would reach a socket its application has
     * closed, and draw a RST. HTTP's Connection: close makes the server close after its response.
     */
    private boolean serverClosing() {
        return serverClosed || engine.isInboundDone() || inner instanceof HttpConversation;
    }

    @Override
    public void serverClosed() {
        serverClosed = true;
        if (failure == null && !handshakeDone) {
            failure = "the server closed the connection during the handshake";
        }
        if (inner != null && handshakeDone) {
            inner.serverClosed();
        }
    }

    @Override
    public boolean complete() {
        return failure != null || (handshakeDone && (inner == null || inner.complete()));
    }

    @Override
    public boolean handshaking() {
        return !handshakeDone && failure == null;
    }

    @Override
    public Findings facts() {
        Findings findings = inner == null ? new Findings(List.of(), null, null) : (Findings) inner.facts();
        return findings.withTls(session == null ? new Findings.TlsSession(null, null, 0, checkedAtMillis, failure)
                : failure == null ? session : failed(session));
    }

    private Findings.TlsSession failed(Findings.TlsSession established) {
        return new Findings.TlsSession(established.protocol(), established.subject(),
                established.notAfterMillis(), established.checkedAtMillis(), failure);
    }

    /**
     * Moves the engine as far as it goes: its handshake messages out, the server's records in,
     * the inner conversation's bytes out once the handshake is done.
     */
    private void pump() {
        if (failure != null) {
            return;
        }
        try {
            boolean moved = true;
            while (moved) {
                moved = false;
                SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
                if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                        task.run();
                    }
                    moved = true;
                } else if (status == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    moved = wrap(EMPTY) || engine.getHandshakeStatus() != status;
                } else if (fromServer.position() > 0 && !engine.isInboundDone()) {
                    moved = unwrap();
                }
                if (handshakeDone && inner != null && !engine.isOutboundDone()) {
                    byte[] request = inner.outgoing();
                    if (request.length > 0) {
                        ByteBuffer application = ByteBuffer.wrap(request);
                        while (application.hasRemaining()) {
                            wrap(application);
                        }
                        moved = true;
                    }
                }
            }
        } catch (SSLException e) {
            failure = reason(e);
            engine.closeOutbound();
            wrapQuietly(); // the alert that tells the server why
        }
    }

    /** @return whether it made anything */
    private boolean unwrap() throws SSLException {
        fromServer.flip();
        try {
            SSLEngineResult result = engine.unwrap(fromServer, plain);
            if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                plain = ByteBuffer.allocate(plain.capacity() * 2).put(plain.flip());
                return true;
            }
            finished(result);
            if (plain.position() > 0 && inner != null) {
                byte[] bytes = Arrays.copyOf(plain.array(), plain.position());
                plain.clear();
                inner.received(bytes);
            }
            if (result.getStatus() == SSLEngineResult.Status.CLOSED && inner != null && handshakeDone) {
                inner.serverClosed(); // close_notify: nothing more comes inside TLS
            }
            return result.bytesConsumed() > 0 || result.bytesProduced() > 0;
        } finally {
            fromServer.compact();
        }
    }

    /** @return whether it made a record */
    private boolean wrap(ByteBuffer application) throws SSLException {
        SSLEngineResult result = engine.wrap(application, records);
        if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            records = ByteBuffer.allocate(records.capacity() * 2);
            return true;
        }
        finished(result);
        if (records.position() == 0) {
            return false;
        }
        int before = toServer.length;
        toServer = Arrays.copyOf(toServer, before + records.position());
        System.arraycopy(records.array(), 0, toServer, before, records.position());
        records.clear();
        return true;
    }

    private void wrapQuietly() {
        try {
            while (!engine.isOutboundDone() && wrap(EMPTY)) {
                // until the close_notify or alert is out
            }
        } catch (SSLException e) {
            // nothing more to say
        }
    }

    private void finished(SSLEngineResult result) {
        if (result.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.FINISHED || handshakeDone) {
            return;
        }
        handshakeDone = true;
        SSLSession established = engine.getSession();
        String subject = null;
        long notAfter = 0;
        try {
            Certificate[] chain = established.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
                subject = leaf.getSubjectX500Principal().getName();
                notAfter = leaf.getNotAfter().getTime();
            }
        } catch (SSLPeerUnverifiedException e) {
            // an anonymous suite: no certificate to report
        }
        session = new Findings.TlsSession(established.getProtocol(), subject, notAfter,
                checkedAtMillis, null);
    }

    /** The innermost message: "unable to find valid certification path ...", "Received fatal alert: ...". */
    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause().getMessage() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? e.toString() : root.getMessage();
    }
}
