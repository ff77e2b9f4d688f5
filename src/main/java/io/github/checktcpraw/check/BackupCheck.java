package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.Ipv4Address;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * The check on a BACKUP director: without the VIP, raw replies would reach a kernel that answers
 * them with RSTs, so it connects to the real server's own address with an ordinary socket,
 * bounded by the same timeout (the C tool waited for the kernel's connect timeout).
 */
public final class BackupCheck {

    private BackupCheck() {
    }

    public static Outcome run(Ipv4Address realServer, int port, long timeoutNanos, boolean cleanClose,
            CheckClock clock) {
        String target = realServer + ":" + port;
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
        try (Socket socket = new Socket()) {
            long start = clock.monotonicNanos();
            socket.connect(new InetSocketAddress(InetAddress.getByAddress(realServer.toBytes()), port), timeoutMillis);
            long connectNanos = clock.monotonicNanos() - start;
            if (!cleanClose) {
                socket.setSoLinger(true, 0); // close() then sends a RST, like the raw check's quick close
            }
            return new Outcome(Outcome.Verdict.ANSWERED, "BACKUP role: connected to " + target + " in "
                    + Millis.format(connectNanos), connectNanos, Outcome.NOT_MEASURED);
        } catch (ConnectException e) {
            String cause = e.getMessage() == null ? "" : e.getMessage();
            return Outcome.failed("BACKUP role: connection to " + target
                    + (cause.contains("refused") ? " refused" : " failed: " + cause), Outcome.NOT_MEASURED);
        } catch (SocketTimeoutException e) {
            return Outcome.failed("BACKUP role: no answer from " + target + " within " + timeoutMillis + " ms",
                    Outcome.NOT_MEASURED);
        } catch (IOException e) {
            return Outcome.failed("BACKUP role: cannot connect to " + target + ": " + e.getMessage(),
                    Outcome.NOT_MEASURED);
        }
    }
}
