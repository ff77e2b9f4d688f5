package io.github.checktcpraw.shell;

import io.github.checktcpraw.check.Bound;
import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.packet.IpAddress;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * The check on a BACKUP director: without the VIP, raw replies would reach a kernel that answers
 * them with RSTs, so it connects to the real server's own address with an ordinary socket, bounded
 * like the raw check (the C tool waited for the kernel's connect timeout).
 */
public final class BackupConnect {

    private BackupConnect() {
    }

    /**
     * @param waitMillis how long the connect may take; 0: as long as the kernel tries
     * @param bound      the limit {@code waitMillis} comes from, for the outcome
     */
    public static Outcome run(SourceInterface source, IpAddress realServer, int port, long waitMillis, Bound bound,
            boolean cleanClose) {
        try (Socket socket = new Socket()) {
            long start = System.nanoTime();
            socket.connect(new InetSocketAddress(source.inetAddress(realServer), port),
                    (int) Math.min(Integer.MAX_VALUE, waitMillis));
            long connectNanos = System.nanoTime() - start;
            if (!cleanClose) {
                socket.setSoLinger(true, 0); // close() then sends a RST, like the raw check's quick close
            }
            return new Outcome.BackupConnected(realServer, port, connectNanos);
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
}
