package io.github.checktcpraw.check;

import java.time.Instant;

/** The realtime clock, in nanoseconds since the epoch: the time base of libpcap's packet stamps. */
@FunctionalInterface
public interface CheckClock {

    CheckClock SYSTEM = () -> {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };

    long nowNanos();
}
