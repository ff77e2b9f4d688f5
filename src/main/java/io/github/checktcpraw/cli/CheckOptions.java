package io.github.checktcpraw.cli;

import java.nio.file.Path;

/**
 * The validated command line of one check.
 *
 * @param roleFile {@code null} when none was given (the raw check runs unconditionally)
 * @param timeoutMillis bound on each awaited reply; 0 disables it
 * @param totalTimeoutMillis bound on the whole check, from start to the last reply; 0 disables it
 * @param vipArpWaitMillis how long to listen for the real server claiming the VIP ({@code --vip-arp});
 *     0 when it is not asked
 * @param warning handshake latencies that make the result WARNING, or {@code null}
 * @param critical handshake latencies that make the result CRITICAL, or {@code null}
 * @param service what to say to the service once connected, and how to judge its answer; {@code null}: nothing
 */
public record CheckOptions(
        String sourceInterface,
        String realServer,
        String virtualIp,
        int port,
        Path roleFile,
        long timeoutMillis,
        long totalTimeoutMillis,
        long vipArpWaitMillis,
        boolean cleanClose,
        int verbosity,
        boolean compat,
        Threshold warning,
        Threshold critical,
        ServiceOptions service) {
    public static final long DEFAULT_TIMEOUT_MILLIS = 1000;
    /** Under check_nrpe's 10 s and every monitoring system's default check timeout (60 s). */
    public static final long DEFAULT_TOTAL_TIMEOUT_MILLIS = 9000;
    /** Long enough for a real server to answer on a LAN many times over, short enough for every check. */
    public static final long DEFAULT_VIP_ARP_WAIT_MILLIS = 200;

    public long timeoutNanos() {
        return timeoutMillis * 1_000_000L;
    }
}
