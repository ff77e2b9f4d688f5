package io.github.checktcpraw.cli;

import java.nio.file.Path;

/**
 * The validated command line of one check.
 *
 * @param roleFile {@code null} when none was given (the raw check runs unconditionally)
 * @param timeoutMillis bound on each awaited reply; 0 disables it
 * @param totalTimeoutMillis bound on the whole check, from start to the last reply; 0 disables it
 * @param warningNanos handshake latency above which the result is WARNING, or {@link #NO_THRESHOLD}
 * @param criticalNanos handshake latency above which the result is CRITICAL, or {@link #NO_THRESHOLD}
 */
public record CheckOptions(
        String sourceInterface,
        String realServer,
        String virtualIp,
        int port,
        Path roleFile,
        long timeoutMillis,
        long totalTimeoutMillis,
        boolean cleanClose,
        int verbosity,
        boolean compat,
        long warningNanos,
        long criticalNanos) {

    public static final long NO_THRESHOLD = -1;
    public static final long DEFAULT_TIMEOUT_MILLIS = 1000;
    /** Under check_nrpe's 10 s and every monitoring system's default check timeout (60 s). */
    public static final long DEFAULT_TOTAL_TIMEOUT_MILLIS = 9000;

    public long timeoutNanos() {
        return timeoutMillis * 1_000_000L;
    }
}
