package io.github.checktcpraw.shell;

import io.github.checktcpraw.check.Bound;
import io.github.checktcpraw.check.Conversation;
import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.packet.IpAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * The check on a BACKUP director: without the VIP, raw replies would reach a kernel that answers
 * them with RSTs, so it connects to the real server's own address with an ordinary socket, bounded
 * like the raw check (the C tool waited for the kernel's connect timeout); a conversation, when one
 * is asked for, then runs over that socket.
 */
public final class BackupConnect {

    private static final long NOT_YET = Long.MIN_VALUE;

    private BackupConnect() {
    }

    /**
     * @param waitMillis   how long the connect may take; 0: as long as the kernel tries
     * @param bound        the limit {@code waitMillis} comes from, for the outcome
     * @param conversation what to say once connected; {@code null}: nothing
     * @param talk         how long each read of the answer may wait, and the whole check's end
     */
    public static Outcome run(SourceInterface source, IpAddress realServer, int port, long waitMillis, Bound bound,
            boolean cleanClose, Conversation conversation, Talk talk) {
        try (Socket socket = new Socket()) {
            long start = System.nanoTime();
            socket.connect(new InetSocketAddress(source.inetAddress(realServer), port),
                    (int) Math.min(Integer.MAX_VALUE, waitMillis));
            long connectNanos = System.nanoTime() - start;
            Outcome.Exchange exchange = conversation == null ? null : talk(socket, conversation, talk);
            boolean clean = cleanClose && (exchange == null || exchange.ending() != Outcome.Ending.TIMED_OUT);
            if (clean && conversation != null) {
                closeCleanly(socket, conversation, talk);
            } else if (!clean) {
                socket.setSoLinger(true, 0); // close() then sends a RST, like the raw check's quick close
            }
            return new Outcome.BackupConnected(realServer, port, connectNanos, exchange);
        } catch (ConnectException e) {
            String cause = e.getMessage() == null ? "" : e.getMessage();
            return cause.contains("refused")
                    ? new Outcome.BackupFailed(realServer, port, Outcome.BackupFailure.REFUSED, null, null)
                    : new Outcome.BackupFailed(realServer, port, Outcome.BackupFailure.ERROR, null, cause);
        } catch (SocketTimeoutException e) {
            return new Outcome.BackupFailed(realServer, port, Outcome.BackupFailure.NO_ANSWER, bound, null);
        } catch (IOException e) {
            return new Outcome.BackupFailed(realServer, port, Outcome.BackupFailure.ERROR, null, e.getMessage());
        }
    }

    /**
     * The bounds of a conversation over the socket.
     *
     * @param readMillis  how long one read may wait ({@code -t}); 0: no bound of its own
     * @param deadline    when the whole check must be over (System.nanoTime); {@code CheckStep.NO_TIMER}: never
     * @param totalMillis the overall bound, for messages
     * @param maxBytes    the most of the server's bytes to read
     */
    public record Talk(long readMillis, long deadline, long totalMillis, long maxBytes) {

        /** How long the next read may wait, and the bound that is. */
        Bound next() {
            long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
            return readMillis == 0 || left < readMillis ? new Bound(left == Long.MAX_VALUE ? 0 : left, true)
                    : new Bound(readMillis, false);
        }
    }

    /** The conversation's bytes out and the server's in, as the raw check moves them, timed the same way. */
    private static Outcome.Exchange talk(Socket socket, Conversation conversation, Talk talk) throws IOException {
        InputStream in = socket.getInputStream();
        long connectedAt = System.nanoTime();
        long requestAt = NOT_YET;
        long tlsFrom = NOT_YET;
        long tlsNanos = Outcome.NOT_MEASURED;
        long lastReadAt = connectedAt;
        long received = 0;
        byte[] buffer = new byte[16384];
        while (true) {
            byte[] out = conversation.outgoing();
            if (out.length > 0) {
                boolean handshaking = conversation.handshaking();
                long now = System.nanoTime();
                tlsFrom = handshaking && tlsFrom == NOT_YET ? now : tlsFrom;
                requestAt = !handshaking && requestAt == NOT_YET ? now : requestAt;
                socket.getOutputStream().write(out);
            }
            if (tlsFrom != NOT_YET && tlsNanos == Outcome.NOT_MEASURED && !conversation.handshaking()) {
                tlsNanos = lastReadAt - tlsFrom;
            }
            long from = requestAt != NOT_YET ? requestAt : connectedAt;
            if (conversation.complete()) {
                return exchange(conversation, Outcome.Ending.COMPLETE, null, lastReadAt - from, tlsNanos, received);
            }
            if (received >= talk.maxBytes()) {
                return exchange(conversation, Outcome.Ending.LIMIT, null, lastReadAt - from, tlsNanos, received);
            }
            Bound bound = talk.next();
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, bound.millis()));
            int read;
            try {
                read = in.read(buffer, 0, (int) Math.min(buffer.length, talk.maxBytes() - received));
            } catch (SocketTimeoutException e) {
                return exchange(conversation, Outcome.Ending.TIMED_OUT, bound, Outcome.NOT_MEASURED, tlsNanos, received);
            } catch (SocketException e) {
                return exchange(conversation, Outcome.Ending.RESET, null, Outcome.NOT_MEASURED, tlsNanos, received);
            }
            lastReadAt = System.nanoTime();
            if (read < 0) {
                conversation.serverClosed();
                return exchange(conversation, conversation.complete() ? Outcome.Ending.COMPLETE
                        : Outcome.Ending.SERVER_CLOSED, null, lastReadAt - from, tlsNanos, received);
            }
            received += read;
            conversation.received(Arrays.copyOf(buffer, read));
        }
    }

    private static Outcome.Exchange exchange(Conversation conversation, Outcome.Ending ending, Bound bound,
            long responseNanos, long tlsNanos, long received) {
        return new Outcome.Exchange(conversation.facts(), ending, bound, responseNanos, tlsNanos, received, 1);
    }

    /** Its last words (TLS's close_notify) and our FIN, then what the server still sends until it closes too. */
    private static void closeCleanly(Socket socket, Conversation conversation, Talk talk) throws IOException {
        if (socket.isClosed() || socket.isOutputShutdown()) {
            return;
        }
        socket.getOutputStream().write(conversation.outgoing());
        socket.shutdownOutput();
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, talk.next().millis()));
        byte[] discard = new byte[16384];
        try {
            while (socket.getInputStream().read(discard) >= 0) {
                // read to the server's close, so that it is the side that closes last
            }
        } catch (SocketTimeoutException | SocketException e) {
            socket.setSoLinger(true, 0); // it did not close: reset, as the raw check does
        }
    }
}
