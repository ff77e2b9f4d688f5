package io.github.checktcpraw.shell;

import io.github.checktcpraw.check.CheckClock;
import java.time.Instant;

/** The system's clocks: {@link System#nanoTime()} and the realtime clock the kernel stamps frames with. */
public final class SystemClock implements CheckClock {

    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {
    }

    @Override
    public long monotonicNanos() {
        return System.nanoTime();
    }

    @Override
    public long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
