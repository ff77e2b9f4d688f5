package io.github.checktcpraw.check;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A conversation for the state machine's tests: it sends its request, reads until a text appears (or
 * any byte, without one) and keeps everything it heard. With a handshake it first sends
 * {@link #HELLO} and holds the request back until the server's first bytes, as TLS does.
 */
final class ScriptedConversation implements Conversation {

    /** What it heard after any handshake, and whether the server closed. */
    record Heard(String text, boolean serverClosed) implements Conversation.Facts {
    }

    static final String HELLO = "HELLO\n";

    private final byte[] request;
    private final String until;
    private final boolean handshake;
    private boolean started;
    private boolean welcomed;
    private boolean requestGiven;
    private byte[] heard = new byte[0];
    private boolean closed;
    /** What to say once complete, as TLS says close_notify. */
    private byte[] farewell = new byte[0];

    private ScriptedConversation(String request, String until, boolean handshake) {
        this.request = request.getBytes(StandardCharsets.ISO_8859_1);
        this.until = until;
        this.handshake = handshake;
    }

    /** Sends {@code request} at once; complete when {@code until} was heard ({@code null}: any byte). */
    static ScriptedConversation asking(String request, String until) {
        return new ScriptedConversation(request, until, false);
    }

    /** First {@link #HELLO}, then the request once the server answered it. */
    static ScriptedConversation withHandshake(String request, String until) {
        return new ScriptedConversation(request, until, true);
    }

    ScriptedConversation sayingOnClose(String text) {
        farewell = text.getBytes(StandardCharsets.ISO_8859_1);
        return this;
    }

    String heard() {
        return new String(heard, StandardCharsets.ISO_8859_1);
    }

    @Override
    public byte[] outgoing() {
        if (complete()) {
            byte[] last = farewell;
            farewell = new byte[0];
            return last;
        }
        if (!started) {
            started = true;
            if (handshake) {
                return HELLO.getBytes(StandardCharsets.ISO_8859_1);
            }
        }
        if ((handshake && !welcomed) || requestGiven) {
            return new byte[0];
        }
        requestGiven = true;
        return request;
    }

    @Override
    public void received(byte[] bytes) {
        if (handshake && !welcomed) {
            welcomed = true; // the handshake's answer is not the response
            return;
        }
        heard = Arrays.copyOf(heard, heard.length + bytes.length);
        System.arraycopy(bytes, 0, heard, heard.length - bytes.length, bytes.length);
    }

    @Override
    public void serverClosed() {
        closed = true;
    }

    @Override
    public boolean complete() {
        if (handshake && !welcomed) {
            return closed;
        }
        return until == null ? heard.length > 0 || closed : heard().contains(until);
    }

    @Override
    public boolean handshaking() {
        return handshake && !welcomed;
    }

    @Override
    public Facts facts() {
        return new Heard(heard(), closed);
    }
}
