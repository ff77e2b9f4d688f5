package io.github.checktcpraw.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HTTP conversation on its own: the request it makes, and responses however their bytes arrive. */
class HttpConversationTest {

    static final ServiceRequest.Http GET = new ServiceRequest.Http("/status", "vip.example:8080", "check_tcp_raw/1.0.0");

    private static HttpConversation conversation(String... expected) {
        return new HttpConversation(new ServiceRequest(new byte[0], List.of(expected).stream()
                .map(t -> new ServiceRequest.Expected(t, t.getBytes(StandardCharsets.UTF_8))).toList(), GET, null, 65536));
    }

    /** Feeds {@code response} in pieces of {@code piece} bytes, as segments would bring it, until complete. */
    private static Findings.HttpAnswer read(HttpConversation conversation, String response, int piece) {
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        for (int at = 0; at < bytes.length && !conversation.complete(); at += piece) {
            conversation.received(java.util.Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + piece)));
        }
        return conversation.facts().http();
    }

    @Test
    void theRequestIsAnHttp11GetThatNamesTheHostAndUsAndClosesTheConnection() {
        assertEquals("GET /status HTTP/1.1\r\nHost: vip.example:8080\r\nUser-Agent: check_tcp_raw/1.0.0\r\n"
                + "Accept: */*\r\nConnection: close\r\n\r\n",
                new String(conversation().outgoing(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void itAsksOnceOnly() {
        HttpConversation conversation = conversation();
        conversation.outgoing();

        assertEquals(0, conversation.outgoing().length);
    }

    @Test
    void aContentLengthBodyEndsAtItsLengthWhateverThePieces() {
        for (int piece : new int[] {1, 7, 1000}) {
            HttpConversation conversation = conversation();

            Findings.HttpAnswer answer = read(conversation,
                    "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nhello world\nTRAILING", piece);

            assertTrue(conversation.complete(), "piece " + piece);
            assertEquals(200, answer.status());
            assertEquals("HTTP/1.1 200 OK", answer.statusLine());
            assertEquals(12, answer.bodyBytes(), "piece " + piece);
            assertTrue(answer.complete());
            assertNull(answer.problem());
        }
    }

    @Test
    void aChunkedBodyIsDecodedAndATextAcrossChunksFound() {
        for (int piece : new int[] {1, 3, 1000}) {
            HttpConversation conversation = conversation("needle");

            Findings.HttpAnswer answer = read(conversation, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4;ext=1\r\nhay \r\n3\r\nnee\r\nA\r\ndle in it\n\r\n0\r\nX-Trailer: y\r\n\r\n", piece);

            assertTrue(conversation.complete());
            assertEquals(List.of(), conversation.facts().missing(), "piece " + piece);
            assertFalse(answer.problem() != null, answer.problem());
        }
        HttpConversation whole = conversation();
        Findings.HttpAnswer answer = read(whole, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                + "4\r\nhay \r\n3\r\nnee\r\n0\r\n\r\n", 1000);
        assertEquals(7, answer.bodyBytes(), "the chunks' data, not their framing");
        assertTrue(answer.complete());
    }

    @Test
    void aTextFoundEndsTheReadingBeforeTheBodyEnds() {
        HttpConversation conversation = conversation("ready");

        Findings.HttpAnswer answer = read(conversation,
                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nstatus: ready" + "x".repeat(987), 20);

        assertTrue(conversation.complete());
        assertFalse(answer.complete(), "the rest is not needed");
        assertTrue(answer.bodyBytes() < 1000, "read " + answer.bodyBytes());
    }

    @Test
    void aTextInTheHeadersIsNotInTheBody() {
        HttpConversation conversation = conversation("nginx");

        read(conversation, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 2\r\n\r\nok", 1000);

        assertTrue(conversation.complete());
        assertEquals(List.of("nginx"), conversation.facts().missing());
    }

    @Test
    void withoutALengthTheBodyRunsToTheServersClose() {
        HttpConversation conversation = conversation();

        read(conversation, "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6\r\n\r\nsome body", 1000);
        assertFalse(conversation.complete());
        conversation.serverClosed();

        assertTrue(conversation.complete());
        assertTrue(conversation.facts().http().complete());
        assertEquals(9, conversation.facts().http().bodyBytes());
    }

    @Test
    void interimResponsesAreSkippedAndResponsesWithoutABodyEndAtTheirHeaders() {
        HttpConversation conversation = conversation();

        Findings.HttpAnswer answer = read(conversation,
                "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", 5);

        assertTrue(conversation.complete());
        assertEquals(204, answer.status());
        assertTrue(answer.complete());
    }

    @Test
    void bareLineFeedsAreAccepted() {
        Findings.HttpAnswer answer = read(conversation(), "HTTP/1.1 503 Service Unavailable\nContent-Length: 0\n\n", 1000);

        assertEquals(503, answer.status());
        assertEquals("HTTP/1.1 503 Service Unavailable", answer.statusLine());
    }

    @Test
    void whatIsNoHttpResponseIsNamedAndEndsIt() {
        HttpConversation ssh = conversation();
        Findings.HttpAnswer banner = read(ssh, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", 1000);
        assertTrue(ssh.complete());
        assertEquals("not an HTTP response: it begins \"SSH-2\"", banner.problem());
        assertEquals(-1, banner.status());

        Findings.HttpAnswer badStatus = read(conversation(), "HTTP/1.1 2xx Fine\r\n\r\n", 1000);
        assertEquals("not an HTTP response: its status line is \"HTTP/1.1 2xx Fine\"", badStatus.problem());

        Findings.HttpAnswer twoLengths = read(conversation(), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                + "Content-Length: 6\r\n\r\n", 1000);
        assertEquals("its Content-Length \"6\" is not one length", twoLengths.problem());

        Findings.HttpAnswer badChunk = read(conversation(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                1000);
        assertEquals("its chunk size \"zz\" is not a number", badChunk.problem());
    }

    @Test
    void headersAreBounded() {
        HttpConversation conversation = conversation();

        Findings.HttpAnswer answer = read(conversation, "HTTP/1.1 200 OK\r\nX-Big: " + "y".repeat(20_000) + "\r\n\r\n",
                1460);

        assertTrue(conversation.complete());
        assertEquals("the response's headers are longer than 16384 bytes", answer.problem());
    }

    @Test
    void aCloseWithinTheHeadersOrBeforeAnyAnswerIsNamed() {
        HttpConversation silent = conversation();
        silent.serverClosed();
        assertEquals("the server closed the connection without an answer", silent.facts().http().problem());

        HttpConversation cut = conversation();
        read(cut, "HTTP/1.1 200 OK\r\nContent-Le", 1000);
        cut.serverClosed();
        assertEquals("the server closed the connection within the response's headers", cut.facts().http().problem());

        HttpConversation short_ = conversation();
        read(short_, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 1000);
        short_.serverClosed();
        assertFalse(short_.complete(), "a body cut short");
        assertFalse(short_.facts().http().complete());
        assertEquals(3, short_.facts().http().bodyBytes());
    }
}
