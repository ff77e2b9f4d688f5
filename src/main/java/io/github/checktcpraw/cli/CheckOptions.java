package io.github.checktcpraw.cli;

import java.nio.file.Path;

/**
 * The validated command line of one check.
 *
 * @param roleFile {@code null} when none was given (the raw check runs unconditionally)
 * @param timeoutMillis bound on each awaited reply; 0 disables it
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
        boolean cleanClose,
        int verbosity,
        boolean compat,
        long warningNanos,
        long criticalNanos) {

    public static final long NO_THRESHOLD = -1;
    public static final long DEFAULT_TIMEOUT_MILLIS = 1000;

    public long timeoutNanos() {
        return timeoutMillis * 1_000_000L;
    }
}
