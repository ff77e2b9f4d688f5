package io.github.checktcpraw.service;

import io.github.checktcpraw.check.Conversation;

/**
 * Bytes sent, texts looked for ({@code --send}, {@code --expect}): complete once every text was
 * found; without texts, at the server's first byte or its close. Without bytes to send it only
 * listens, for a server that speaks first (a banner).
 */
final class TextConversation implements Conversation {

    static final byte[] NOTHING = new byte[0];

    private final TextSearch search;
    private final boolean looksForTexts;
    private byte[] send;
    private boolean heard;
    private boolean closed;

    TextConversation(ServiceRequest request) {
        this.search = new TextSearch(request.expected());
        this.looksForTexts = !request.expected().isEmpty();
        this.send = request.send();
    }

    @Override
    public byte[] outgoing() {
        byte[] now = send;
        send = NOTHING;
        return now;
    }

    @Override
    public void received(byte[] bytes) {
        heard |= bytes.length > 0;
        search.feed(bytes, 0, bytes.length);
    }

    @Override
    public void serverClosed() {
        closed = true;
    }

    @Override
    public boolean complete() {
        return looksForTexts ? search.allFound() : heard || closed;
    }

    @Override
    public boolean handshaking() {
        return false;
    }

    @Override
    public Findings facts() {
        return new Findings(search.missing(), null, null);
    }
}
