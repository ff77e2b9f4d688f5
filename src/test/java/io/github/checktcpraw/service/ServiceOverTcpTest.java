package io.github.checktcpraw.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.check.PacketTrace;
import io.github.checktcpraw.check.RawTcpCheck;
import io.github.checktcpraw.check.SimulatedPeer;
import io.github.checktcpraw.shell.CheckRunner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The HTTP conversation through the whole state machine, against the simulated server on simulated time. */
class ServiceOverTcpTest {

    private final SimulatedPeer peer = new SimulatedPeer();
    private final SimulatedPeer.Service server = new SimulatedPeer.Service();

    private Outcome.Answered run(ServiceRequest request, boolean cleanClose) throws IOException {
        peer.maxBytes = request.maxBytes();
        peer.service = server;
        Outcome outcome = new CheckRunner(new RawTcpCheck(peer.plan(cleanClose, 1000),
                Conversations.open(request, null, 0)), peer, peer, PacketTrace.NONE).run();
        assertTrue(outcome instanceof Outcome.Answered, outcome.toString());
        return (Outcome.Answered) outcome;
    }

    private static ServiceRequest http(long maxBytes, String... expected) {
        return new ServiceRequest(new byte[0], Arrays.stream(expected)
                .map(t -> new ServiceRequest.Expected(t, t.getBytes(StandardCharsets.US_ASCII))).toList(),
                HttpConversationTest.GET, null, maxBytes);
    }

    @Test
    void aMegabyteBodyWithLostAndLateSegmentsIsReadWholeAndItsLastLineFound() throws IOException {
        byte[] body = new byte[1 << 20];
        Arrays.fill(body, (byte) 'x');
        byte[] end = "\nEND-OF-BODY\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(end, 0, body, body.length - end.length, end.length);
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] response = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, response, head.length, body.length);
        server.respond = request -> new String(request, StandardCharsets.US_ASCII).endsWith("\r\n\r\n") ? response : null;
        server.segmentSize = 1448;
        server.closeAfterAnswer = true;
        server.finWithData = true;
        server.lost = Set.of(3, 100, 500, 724);
        server.late = Set.of(50, 600);

        Outcome.Answered outcome = run(http(2_000_000, "END-OF-BODY"), true);

        Findings findings = (Findings) outcome.exchange().facts();
        assertEquals(List.of(), findings.missing());
        assertEquals(body.length, findings.http().bodyBytes());
        assertEquals(Outcome.Ending.COMPLETE, outcome.exchange().ending());
        assertEquals(response.length, outcome.exchange().bytesReceived());
        assertEquals(Outcome.Close.CLEAN, outcome.close());
    }

    @Test
    void theByteLimitStopsAChunkedBodyAndTheStatusStillCounts() throws IOException {
        String chunk = "400\r\n" + "y".repeat(1024) + "\r\n";
        String response = "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk.repeat(10)
                + "0\r\n\r\n";
        server.respond = request -> response.getBytes(StandardCharsets.US_ASCII);

        Outcome.Answered outcome = run(http(4000), false);

        assertEquals(Outcome.Ending.LIMIT, outcome.exchange().ending());
        assertEquals(4000, outcome.exchange().bytesReceived());
        assertEquals(503, ((Findings) outcome.exchange().facts()).http().status());
    }
}
