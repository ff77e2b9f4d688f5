package io.github.checktcpraw.shell;

import io.github.checktcpraw.packet.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A local port held for the duration of one check, as the C tool does: a socket bound and
 * listening on the interface address keeps the kernel from giving the same port to another
 * connection (or another check) while our raw frames use it.
 */
public final class SourcePort implements AutoCloseable {

    private final ServerSocket socket;

    private SourcePort(ServerSocket socket) {
        this.socket = socket;
    }

    public static SourcePort reserve(SourceInterface source) throws SetupException {
        IpAddress address = source.ip();
        ServerSocket socket = null;
        try {
            socket = new ServerSocket();
            // The JDK sets SO_REUSEADDR, with which Linux may hand the same ephemeral port to two
            // sockets bound at the same moment: two checks would then share one connection's replies.
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(source.inetAddress(address), 0), 1);
            return new SourcePort(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new SetupException("cannot reserve a local port on " + address + ": " + e.getMessage());
        }
    }

    public int number() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException e) {
            // Closing a listening socket we own cannot lose anything.
        }
    }
}
