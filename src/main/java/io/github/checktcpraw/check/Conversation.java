package io.github.checktcpraw.check;

/**
 * What is said over the check's connection once its handshake is done (a request and its answer, a
 * server's banner, a TLS handshake): the check moves the bytes, in order, acknowledged and
 * retransmitted; the conversation only reads and writes them. Like the check it does no I/O and
 * reads no clock, so the same conversation runs over raw frames, a simulated server and a socket.
 */
public interface Conversation {

    /** Bytes to send now, after any it gave before; empty while it waits for the server. Each call hands them over once. */
    byte[] outgoing();

    /** The next bytes of the server's stream, in order; the array is the conversation's to keep. */
    void received(byte[] bytes);

    /** The server closed its side (its FIN): nothing more will come. */
    void serverClosed();

    /** Whether it needs no more of the server's bytes: it has its answer, or knows the answer is wrong. */
    boolean complete();

    /** Whether a handshake of its own (TLS) is under way: what it sends meanwhile is not yet the request. */
    boolean handshaking();

    /** What it found, for the report: asked once, when the check is over. */
    Facts facts();

    /** A conversation's findings: facts only; the sentences operators read are the report's. */
    interface Facts {
    }
}
