package io.github.checktcpraw.net;

import io.github.checktcpraw.check.SetupException;
import io.github.checktcpraw.packet.Ipv4Address;
import java.io.IOException;
import java.net.InetAddress;
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

    public static SourcePort reserve(Ipv4Address address) throws SetupException {
        try {
            return new SourcePort(new ServerSocket(0, 1, InetAddress.getByAddress(address.toBytes())));
        } catch (IOException e) {
            throw new SetupException("cannot reserve a local port on " + address + ": " + e.getMessage());
        }
    }

    public int number() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a listening socket we own cannot lose anything; the process exits next.
        }
    }
}
