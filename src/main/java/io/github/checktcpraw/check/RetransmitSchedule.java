package io.github.checktcpraw.check;

/**
 * When to send a request again while its reply is awaited: like a real stack's exponential backoff,
 * but scaled to the check's timeout, so that a single lost packet costs a fraction of the timeout
 * instead of the whole check.
 *
 * <p>ARP requests cost the real server nothing and are answered every time, so they are repeated at
 * a steady pace: with the default 1000 ms timeout every 200 ms (five requests). TCP (SYN, FIN): a
 * server that already holds the connection answers a repeated segment at most once per 500 ms
 * (Linux's {@code tcp_invalid_ratelimit}), so repeats after the first keep at least
 * {@link #MIN_TCP_REPEAT_NANOS} apart, backing off: 0, 200 and 750 ms. With no timeout both back off
 * to one request every {@link #MAX_INTERVAL_NANOS}.
 */
final class RetransmitSchedule {

    static final long MIN_INTERVAL_NANOS = 10_000_000L;
    static final long MAX_FIRST_INTERVAL_NANOS = 200_000_000L;
    static final long MIN_TCP_REPEAT_NANOS = 550_000_000L;
    /** With no timeout the check waits forever, asking no more often than this. */
    static final long MAX_INTERVAL_NANOS = 3_000_000_000L;

    private final long firstInterval;
    private final long minRepeat;
    private final boolean backOff;

    private RetransmitSchedule(long timeoutNanos, long minRepeat, boolean backOff) {
        this.firstInterval = timeoutNanos == 0
                ? MAX_FIRST_INTERVAL_NANOS
                : Math.clamp(timeoutNanos / 4, MIN_INTERVAL_NANOS, MAX_FIRST_INTERVAL_NANOS);
        this.minRepeat = minRepeat;
        this.backOff = backOff;
    }

    static RetransmitSchedule forArp(long timeoutNanos) {
        return new RetransmitSchedule(timeoutNanos, 0, timeoutNanos == 0);
    }

    static RetransmitSchedule forTcp(long timeoutNanos) {
        return new RetransmitSchedule(timeoutNanos, MIN_TCP_REPEAT_NANOS, true);
    }

    /** How long after the {@code sent}-th transmission (1 = the original) to send the next one. */
    long intervalAfter(int sent) {
        if (sent == 1 || !backOff) {
            return firstInterval;
        }
        int doublings = Math.min(sent - 1, 20);
        return Math.min(Math.max(firstInterval << doublings, minRepeat), MAX_INTERVAL_NANOS);
    }
}
