package io.github.checktcpraw.shell;

import io.github.checktcpraw.check.CheckStep;
import io.github.checktcpraw.packet.IpAddress;
import io.github.checktcpraw.packet.Ipv4Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Semaphore;

/**
 * REAL_SERVER and VIRTUAL_IP to addresses of one family: literals directly, names through the system
 * resolver (A or AAAA records) within the check's overall bound, since a resolver that does not
 * answer would otherwise hold the check for its own retries, 10 s and more. A literal decides the
 * family; when both are names, IPv4 if both have it, else IPv6.
 */
public final class HostResolver implements Runnable {

    /** The two addresses a check needs, of one family. */
    public record Hosts(IpAddress realServer, IpAddress virtualIp) {
    }

    /** The system resolver, or a test's stand-in for it. */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] allByName(String host) throws UnknownHostException;
    }

    /**
     * Lookups on threads of their own at once. A lookup still running when its check gives up keeps its
     * thread until the resolver gives up too (10-30 s): with the DNS gone, a resident checker would pile
     * them up. As many as the checks it runs at once; a fresh process makes two.
     */
    static final int MAX_LOOKUPS = 64;
    private static final Semaphore LOOKUPS = new Semaphore(MAX_LOOKUPS);

    private final String host;
    private final Lookup system;
    // Guarded by this: the lookup's result, once it has one.
    private boolean done;
    private InetAddress[] addresses;
    private UnknownHostException failure;

    private HostResolver(String host, Lookup system) {
        this.host = host;
        this.system = system;
    }

    /** @param deadline when the check must be over, on the monotonic clock; {@link CheckStep#NO_TIMER}: never */
    public static Hosts resolve(String realServer, String virtualIp, long deadline, long totalMillis)
            throws SetupException {
        return resolve(realServer, virtualIp, deadline, totalMillis, InetAddress::getAllByName);
    }

    static Hosts resolve(String realServer, String virtualIp, long deadline, long totalMillis, Lookup system)
            throws SetupException {
        IpAddress serverLiteral = literal(realServer);
        IpAddress vipLiteral = literal(virtualIp);
        if (serverLiteral != null && vipLiteral != null) {
            if (serverLiteral.isIpv6() != vipLiteral.isIpv6()) {
                throw new SetupException("REAL_SERVER " + realServer + " is " + family(serverLiteral.isIpv6())
                        + " but VIRTUAL_IP " + virtualIp + " is " + family(vipLiteral.isIpv6())
                        + ": both must be of one family");
            }
            return new Hosts(serverLiteral, vipLiteral);
        }
        InetAddress[] servers = serverLiteral == null ? lookup("real server", realServer, deadline, totalMillis, system) : null;
        InetAddress[] vips = vipLiteral == null ? lookup("virtual IP", virtualIp, deadline, totalMillis, system) : null;
        boolean ipv6 = serverLiteral != null ? serverLiteral.isIpv6()
                : vipLiteral != null ? vipLiteral.isIpv6()
                : !(has(servers, false) && has(vips, false)) && has(servers, true) && has(vips, true);
        IpAddress server = serverLiteral != null ? serverLiteral : first("real server", realServer, servers, ipv6);
        IpAddress vip = vipLiteral != null ? vipLiteral : first("virtual IP", virtualIp, vips, ipv6);
        return new Hosts(server, vip);
    }

    /** An IPv4 or IPv6 literal, or {@code null} for a host name. */
    static IpAddress literal(String host) {
        Ipv4Address ipv4 = Ipv4Address.parseLiteral(host);
        if (ipv4 != null || host.indexOf(':') < 0) {
            return ipv4;
        }
        try {
            return IpAddress.of(InetAddress.ofLiteral(host).getAddress());
        } catch (IllegalArgumentException notALiteral) {
            return null; // the command line rejected it already; the resolver will say it cannot resolve it
        }
    }

    @Override
    public void run() {
        InetAddress[] found = null;
        UnknownHostException failed = null;
        try {
            found = system.allByName(host);
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

    private static InetAddress[] lookup(String role, String host, long deadline, long totalMillis, Lookup system)
            throws SetupException {
        HostResolver lookup = new HostResolver(host, system);
        if (deadline == CheckStep.NO_TIMER) {
            lookup.run();
        } else {
            if (!LOOKUPS.tryAcquire()) {
                throw new SetupException("cannot resolve " + role + " \"" + host + "\": " + MAX_LOOKUPS
                        + " earlier lookups still wait for the resolver");
            }
            Thread resolver = new Thread(() -> {
                try {
                    lookup.run();
                } finally {
                    LOOKUPS.release();
                }
            }, "resolve");
            resolver.setDaemon(true); // an unanswered lookup must not keep the JVM alive
            try {
                resolver.start();
            } catch (OutOfMemoryError noThreadLeft) {
                LOOKUPS.release();
                lookup.run(); // a task limit with no room for it: unbounded, as the JDK resolves
            }
        }
        return lookup.await(role, deadline, totalMillis);
    }

    /** Lookups on threads of their own that have not returned yet, their checks over or not. */
    static int lookupsInFlight() {
        return MAX_LOOKUPS - LOOKUPS.availablePermits();
    }

    private synchronized InetAddress[] await(String role, long deadline, long totalMillis) throws SetupException {
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
        return addresses;
    }

    private static boolean has(InetAddress[] addresses, boolean ipv6) {
        if (addresses != null) {
            for (InetAddress address : addresses) {
                if (ipv6 ? address instanceof Inet6Address : address instanceof Inet4Address) {
                    return true;
                }
            }
        }
        return false;
    }

    private static IpAddress first(String role, String host, InetAddress[] addresses, boolean ipv6)
            throws SetupException {
        for (InetAddress address : addresses) {
            if (ipv6 ? address instanceof Inet6Address : address instanceof Inet4Address) {
                return IpAddress.of(address.getAddress());
            }
        }
        throw new SetupException(role + " \"" + host + "\" has no " + family(ipv6) + " address");
    }

    private static String family(boolean ipv6) {
        return ipv6 ? "IPv6" : "IPv4";
    }
}
