package io.github.checktcpraw.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RefusalLogTest {

    private static final long SECOND = 1_000_000_000L;

    private final List<String> lines = new ArrayList<>();
    private final RefusalLog refusals = new RefusalLog(lines::add);

    @Test
    void aFloodOfOneKindIsTheFirstLineAndOneCountPerInterval() {
        for (int i = 0; i <= 1000; i++) { // every 10 ms for 10 s
            refusals.refused("wrong client secret", "refused a request from /127.0.0.1:" + (40000 + i) + ": wrong client secret",
                    i * SECOND / 100);
        }
        assertEquals(List.of("refused a request from /127.0.0.1:40000: wrong client secret",
                "refused 999 more in 10 s (wrong client secret)",
                "refused a request from /127.0.0.1:41000: wrong client secret"), lines);
    }

    @Test
    void kindsAreCountedApartAndSummedUpWhenTheirIntervalIsOverOrTheServerStops() {
        refusals.refused("wrong client secret", "secret 1", 0);
        refusals.refused("malformed request", "malformed 1", SECOND);
        refusals.refused("wrong client secret", "secret 2", 2 * SECOND);
        refusals.refused("malformed request", "malformed 2", 3 * SECOND);
        refusals.refused("malformed request", "malformed 3", 4 * SECOND);
        refusals.sumUp(10 * SECOND);
        assertEquals(List.of("secret 1", "malformed 1", "refused 1 more in 10 s (wrong client secret)"), lines);

        refusals.sumUpAll(12 * SECOND);
        assertEquals("refused 2 more in 11 s (malformed request)", lines.getLast());
        refusals.sumUpAll(13 * SECOND);
        assertEquals(4, lines.size(), "nothing held back is counted twice");
    }
}
