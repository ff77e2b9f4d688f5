package io.github.checktcpraw.check;

/**
 * When to send a request again while its reply is awaited: like a real stack's exponential backoff,
 * but scaled to the check's timeout, so that a single lost packet costs a fraction of the timeout
 * instead of the whole check. With the default 1000 ms timeout a request goes out at 0, 200 and
 * 600 ms; with 1500 ms also at 1400 ms.
 */
final class RetransmitSchedule {

    static final long MIN_INTERVAL_NANOS = 10_000_000L;
    static final long MAX_FIRST_INTERVAL_NANOS = 200_000_000L;
    /** With no timeout the check waits forever, asking no more often than this. */
    static final long MAX_INTERVAL_NANOS = 3_000_000_000L;

    private final long firstInterval;

    RetransmitSchedule(long timeoutNanos) {
        this.firstInterval = timeoutNanos == 0
                ? MAX_FIRST_INTERVAL_NANOS
                : Math.clamp(timeoutNanos / 4, MIN_INTERVAL_NANOS, MAX_FIRST_INTERVAL_NANOS);
    }

    /** How long after the {@code sent}-th transmission (1 = the original) to send the next one. */
    long intervalAfter(int sent) {
        int doublings = Math.min(sent - 1, 20);
        return Math.min(firstInterval << doublings, MAX_INTERVAL_NANOS);
    }
}
