package io.github.checktcpraw.check;

/**
 * When to send a request again while its reply is awaited: like a real stack's exponential backoff,
 * but scaled to the check's timeout, so that a single lost packet costs a fraction of the timeout
 * instead of the whole check.
 *
 * <p>ARP requests: with the default 1000 ms timeout at 0, 200 and 600 ms; with 1500 ms also at
 * 1400 ms. TCP (SYN, FIN): a server that already holds the connection answers a repeated segment
 * at most once per 500 ms (Linux's {@code tcp_invalid_ratelimit}), so repeats after the first keep
 * at least {@link #MIN_TCP_REPEAT_NANOS} apart: 0, 200 and 750 ms.
 */
final class RetransmitSchedule {

    static final long MIN_INTERVAL_NANOS = 10_000_000L;
    static final long MAX_FIRST_INTERVAL_NANOS = 200_000_000L;
    static final long MIN_TCP_REPEAT_NANOS = 550_000_000L;
    /** With no timeout the check waits forever, asking no more often than this. */
    static final long MAX_INTERVAL_NANOS = 3_000_000_000L;

    private final long firstInterval;
    private final long minRepeat;

    private RetransmitSchedule(long timeoutNanos, long minRepeat) {
        this.firstInterval = timeoutNanos == 0
                ? MAX_FIRST_INTERVAL_NANOS
                : Math.clamp(timeoutNanos / 4, MIN_INTERVAL_NANOS, MAX_FIRST_INTERVAL_NANOS);
        this.minRepeat = minRepeat;
    }

    static RetransmitSchedule forArp(long timeoutNanos) {
        return new RetransmitSchedule(timeoutNanos, 0);
    }

    static RetransmitSchedule forTcp(long timeoutNanos) {
        return new RetransmitSchedule(timeoutNanos, MIN_TCP_REPEAT_NANOS);
    }

    /** How long after the {@code sent}-th transmission (1 = the original) to send the next one. */
    long intervalAfter(int sent) {
        if (sent == 1) {
            return firstInterval;
        }
        int doublings = Math.min(sent - 1, 20);
        return Math.min(Math.max(firstInterval << doublings, minRepeat), MAX_INTERVAL_NANOS);
    }
}
