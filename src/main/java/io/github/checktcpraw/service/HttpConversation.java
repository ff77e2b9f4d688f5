package io.github.checktcpraw.service;

import io.github.checktcpraw.check.Conversation;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 GET and its response ({@code --http}): complete when the body has been read to its
 * end, when every expected text was found in it, or when the response is none a client can use.
 */
final class HttpConversation implements Conversation {

    private final TextSearch body;
    private final HttpResponseReader response;
    private final boolean looksForTexts;
    private byte[] request;

    HttpConversation(ServiceRequest service) {
        ServiceRequest.Http http = service.http();
        this.body = new TextSearch(service.expected());
        this.response = new HttpResponseReader(body);
        this.looksForTexts = !service.expected().isEmpty();
        this.request = request(http);
    }

    /** The request line and headers: Host, a User-Agent that names us, and Connection: close (RFC 9112 9.6). */
    static byte[] request(ServiceRequest.Http http) {
        return ("GET " + http.path() + " HTTP/1.1\r\n"
                + "Host: " + http.host() + "\r\n"
                + "User-Agent: " + http.userAgent() + "\r\n"
                + "Accept: */*\r\n"
                + "Connection: close\r\n"
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public byte[] outgoing() {
        byte[] now = request;
        request = TextConversation.NOTHING;
        return now;
    }

    @Override
    public void received(byte[] bytes) {
        response.feed(bytes);
    }

    @Override
    public void serverClosed() {
        response.serverClosed();
    }

    @Override
    public boolean complete() {
        return response.done() || (looksForTexts && response.hasStatus() && body.allFound());
    }

    @Override
    public boolean handshaking() {
        return false;
    }

    @Override
    public Findings facts() {
        return new Findings(body.missing(), response.answer(), null);
    }
}
