package io.github.checktcpraw.shell;

import io.github.checktcpraw.check.CheckStep;
import io.github.checktcpraw.packet.Ipv4Address;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * REAL_SERVER and VIRTUAL_IP to IPv4 addresses: literals directly, names through the system resolver
 * within the check's overall bound (a resolver that does not answer would otherwise hold the check
 * for its own retries, 10 s and more).
 */
public final class HostResolver implements Runnable {

    private final String host;
    // Guarded by this: the lookup's result, once it has one.
    private boolean done;
    private InetAddress[] addresses;
    private UnknownHostException failure;

    private HostResolver(String host) {
        this.host = host;
    }

    /**
     * @param role     what the host is, for the message ("real server", "virtual IP")
     * @param deadline when the check must be over, on the monotonic clock; {@link CheckStep#NO_TIMER}: never
     */
    public static Ipv4Address resolve(String role, String host, long deadline, long totalMillis)
            throws SetupException {
        Ipv4Address literal = Ipv4Address.parseLiteral(host);
        if (literal != null) {
            return literal;
        }
        HostResolver lookup = new HostResolver(host);
        if (deadline == CheckStep.NO_TIMER) {
            lookup.run();
        } else {
            Thread resolver = new Thread(lookup, "resolve");
            resolver.setDaemon(true); // an unanswered lookup must not keep the JVM alive
            try {
                resolver.start();
            } catch (OutOfMemoryError noThreadLeft) {
                lookup.run(); // a task limit with no room for it: unbounded, as the JDK resolves
            }
        }
        return lookup.first(role, deadline, totalMillis);
    }

    @Override
    public void run() {
        InetAddress[] found = null;
        UnknownHostException failed = null;
        try {
            found = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            failed = e;
        }
        synchronized (this) {
            addresses = found;
            failure = failed;
            done = true;
            notifyAll();
        }
    }

    private synchronized Ipv4Address first(String role, long deadline, long totalMillis) throws SetupException {
        while (!done) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SetupException("cannot resolve " + role + " \"" + host + "\" within the check's overall bound of "
                        + totalMillis + " ms (-T)");
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SetupException("interrupted while resolving " + role + " \"" + host + "\"");
            }
        }
        if (failure != null) {
            throw new SetupException("cannot resolve " + role + " \"" + host + "\"");
        }
        for (InetAddress address : addresses) {
            if (address instanceof Inet4Address ipv4) {
                return Ipv4Address.of(ipv4.getAddress());
            }
        }
        throw new SetupException(role + " \"" + host + "\" has no IPv4 address");
    }
}
