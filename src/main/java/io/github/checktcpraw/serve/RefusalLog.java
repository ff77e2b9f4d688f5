package io.github.checktcpraw.serve;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The log lines of refusals, at most two of a kind per interval: the first at once, then one that
 * counts the rest once the interval is over. Any local user can make the server refuse thousands of
 * connections a second; the journal gets a line every few seconds for them.
 */
final class RefusalLog {

    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Consumer<String> log;
    /** Guarded by this: per kind, when its interval began and how many lines it held back since. */
    private final Map<String, long[]> intervals = new LinkedHashMap<>();

    RefusalLog(Consumer<String> log) {
        this.log = log;
    }

    /**
     * @param kind what is refused and why, the same for every refusal that one line can count
     * @param line the line for the first of its kind in an interval
     */
    synchronized void refused(String kind, String line, long now) {
        sumUp(now);
        long[] interval = intervals.get(kind);
        if (interval == null) {
            intervals.put(kind, new long[] {now, 0});
            log.accept(line);
        } else {
            interval[1]++;
        }
    }

    /** Counts, in one line each, the refusals held back in the intervals that are over. */
    synchronized void sumUp(long now) {
        sumUp(now, false);
    }

    /** Counts every refusal held back, whether its interval is over or not: the server stops. */
    synchronized void sumUpAll(long now) {
        sumUp(now, true);
    }

    private void sumUp(long now, boolean all) {
        for (Iterator<Map.Entry<String, long[]>> it = intervals.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, long[]> entry = it.next();
            long[] interval = entry.getValue();
            long elapsed = now - interval[0];
            if (all || elapsed >= INTERVAL_NANOS) {
                if (interval[1] > 0) {
                    log.accept("refused " + interval[1] + " more in " + Math.max(1, TimeUnit.NANOSECONDS.toSeconds(elapsed))
                            + " s (" + entry.getKey() + ")");
                }
                it.remove();
            }
        }
    }
}
