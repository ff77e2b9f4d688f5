package io.github.checktcpraw.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.check.Conversation;
import io.github.checktcpraw.shell.TlsContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** TLS over bytes: the conversation against a real TLS server (the JDK's, in server mode) in memory. */
class TlsConversationTest {

    private static final long NOW = System.currentTimeMillis();
    private static final String RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

    private static ServiceRequest request(ServiceRequest.Http http, ServiceRequest.Tls tls, String... expected) {
        return new ServiceRequest(new byte[0], List.of(expected).stream()
                .map(t -> new ServiceRequest.Expected(t, t.getBytes(StandardCharsets.UTF_8))).toList(), http, tls, 65536);
    }

    private static final ServiceRequest.Tls ANY = new ServiceRequest.Tls("vip.lab.test", "vip.lab.test", false);

    /** Moves bytes both ways until the conversation is complete or nothing moves. */
    private static void talk(Conversation conversation, TlsServer server) throws Exception {
        for (int round = 0; round < 20 && !conversation.complete(); round++) {
            byte[] reply = server.exchange(conversation.outgoing());
            if (reply.length > 0) {
                conversation.received(reply);
            }
        }
    }

    @Test
    void httpsInMemoryAndTheCertificatesFacts() throws Exception {
        TlsServer server = new TlsServer(heard -> heard.endsWith("\r\n\r\n") ? RESPONSE : null);
        Conversation conversation = Conversations.open(request(HttpConversationTest.GET, ANY, "hello"),
                TlsContext.of(ANY), NOW);

        assertTrue(conversation.handshaking());
        talk(conversation, server);

        assertTrue(conversation.complete());
        assertFalse(conversation.handshaking());
        Findings findings = (Findings) conversation.facts();
        assertEquals(200, findings.http().status());
        assertEquals(List.of(), findings.missing());
        assertTrue(server.heard().startsWith("GET /status HTTP/1.1\r\n"), server.heard());
        assertEquals("vip.lab.test", server.serverNameSeen(), "SNI");
        Findings.TlsSession tls = findings.tls();
        assertTrue(tls.established());
        assertEquals("TLSv1.3", tls.protocol());
        assertEquals("CN=vip.lab.test", tls.subject());
        assertEquals(NOW, tls.checkedAtMillis());
        long days = (tls.notAfterMillis() - NOW) / 86_400_000L;
        assertTrue(days == TlsServer.DAYS - 1 || days == TlsServer.DAYS, "expires in " + days + " days");
    }

    @Test
    void onceCompleteItSaysCloseNotifyForACleanClose() throws Exception {
        TlsServer server = new TlsServer(heard -> heard.equals("PING\n") ? "PONG\n" : null);
        Conversation conversation = Conversations.open(ping(), TlsContext.of(ANY), NOW);
        talk(conversation, server);

        byte[] last = conversation.outgoing();

        assertTrue(last.length > 0);
        server.exchange(last);
        assertTrue(server.closeNotifyReceived);
        assertEquals(0, conversation.outgoing().length, "said once");
    }

    /** Data for a socket its application has closed draws a RST: no close_notify to a server that closes. */
    @Test
    void noCloseNotifyForAServerThatClosesAfterItsResponseOrHasClosed() throws Exception {
        Conversation https = Conversations.open(request(HttpConversationTest.GET, ANY), TlsContext.of(ANY), NOW);
        talk(https, new TlsServer(heard -> heard.endsWith("\r\n\r\n") ? RESPONSE : null));
        Conversation closed = Conversations.open(ping(), TlsContext.of(ANY), NOW);
        talk(closed, new TlsServer(heard -> heard.equals("PING\n") ? "PONG\n" : null));
        closed.serverClosed();

        assertEquals(0, https.outgoing().length, "HTTP asked it to close: Connection: close");
        assertEquals(0, closed.outgoing().length);
    }

    private static ServiceRequest ping() {
        return new ServiceRequest("PING\n".getBytes(StandardCharsets.US_ASCII),
                List.of(new ServiceRequest.Expected("PONG", "PONG".getBytes(StandardCharsets.US_ASCII))), null, ANY, 65536);
    }

    @Test
    void theHandshakeAloneIsAConversationWhenNothingElseIsAsked() throws Exception {
        TlsServer server = new TlsServer(heard -> null);
        Conversation conversation = Conversations.open(request(null, ANY), TlsContext.of(ANY), NOW);

        talk(conversation, server);

        assertTrue(conversation.complete());
        Findings findings = (Findings) conversation.facts();
        assertNull(findings.http());
        assertTrue(findings.tls().established());
    }

    @Test
    void sendAndExpectInsideTls() throws Exception {
        TlsServer server = new TlsServer(heard -> heard.equals("PING\n") ? "PONG\n" : null);
        Conversation conversation = Conversations.open(ping(), TlsContext.of(ANY), NOW);

        talk(conversation, server);

        assertTrue(conversation.complete());
        assertEquals(List.of(), ((Findings) conversation.facts()).missing());
    }

    @Test
    void verifiedAgainstTheSystemsCasASelfSignedCertificateFailsWithTheReason() throws Exception {
        ServiceRequest.Tls verify = new ServiceRequest.Tls("vip.lab.test", "vip.lab.test", true);
        TlsServer server = new TlsServer(heard -> RESPONSE);
        Conversation conversation = Conversations.open(request(HttpConversationTest.GET, verify), TlsContext.of(verify), NOW);

        talk(conversation, server);

        assertTrue(conversation.complete());
        Findings.TlsSession tls = ((Findings) conversation.facts()).tls();
        assertFalse(tls.established());
        assertEquals("unable to find valid certification path to requested target", tls.failure());
    }

    @Test
    void verifiedAgainstAStoreThatHoldsItTheNameMustMatchToo() throws Exception {
        SSLContext trusting = TlsServer.trusting();
        Conversation good = Conversations.open(request(HttpConversationTest.GET,
                new ServiceRequest.Tls("vip.lab.test", "vip.lab.test", true)), trusting, NOW);
        Conversation byAddress = Conversations.open(request(HttpConversationTest.GET,
                new ServiceRequest.Tls(null, "198.51.100.100", true)), trusting, NOW);
        Conversation wrongName = Conversations.open(request(HttpConversationTest.GET,
                new ServiceRequest.Tls("other.lab.test", "other.lab.test", true)), trusting, NOW);

        talk(good, new TlsServer(heard -> heard.endsWith("\r\n\r\n") ? RESPONSE : null));
        talk(byAddress, new TlsServer(heard -> heard.endsWith("\r\n\r\n") ? RESPONSE : null));
        talk(wrongName, new TlsServer(heard -> RESPONSE));

        assertTrue(((Findings) good.facts()).tls().established(), ((Findings) good.facts()).tls().toString());
        assertTrue(((Findings) byAddress.facts()).tls().established(), ((Findings) byAddress.facts()).tls().toString());
        assertEquals("No subject alternative DNS name matching other.lab.test found.",
                ((Findings) wrongName.facts()).tls().failure());
    }

    @Test
    void aServerThatSpeaksNoTlsEndsTheHandshakeWithAReason() throws Exception {
        Conversation conversation = Conversations.open(request(HttpConversationTest.GET, ANY), TlsContext.of(ANY), NOW);
        conversation.outgoing();

        conversation.received(RESPONSE.getBytes(StandardCharsets.US_ASCII));

        assertTrue(conversation.complete());
        Findings.TlsSession tls = ((Findings) conversation.facts()).tls();
        assertFalse(tls.established());
        assertEquals("Unrecognized SSL message, plaintext connection?", tls.failure());
    }

    @Test
    void aCloseDuringTheHandshakeIsNamed() throws Exception {
        Conversation conversation = Conversations.open(request(null, ANY), TlsContext.of(ANY), NOW);
        conversation.outgoing();

        conversation.serverClosed();

        assertTrue(conversation.complete());
        assertEquals("the server closed the connection during the handshake",
                ((Findings) conversation.facts()).tls().failure());
    }
}
