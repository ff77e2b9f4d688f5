package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.DIRECTOR_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class whose tests share one {@link Lab}: it is built before the first test (the class is
 * skipped unless running as root) and torn down after the last.
 *
 * <p>A subclass's own {@code @BeforeAll} methods run once the lab is up and its {@code @AfterAll}
 * methods before it goes down; they must be named other than {@link #buildLab()} and
 * {@link #closeLab()}, which they would hide. Test classes run one after the other, so one static
 * field serves them all.
 */
abstract class OneLabPerClass {

    static Lab lab;

    @BeforeAll
    static void buildLab() {
        lab = Lab.up();
    }

    @AfterAll
    static void closeLab() {
        if (lab != null) {
            lab.close();
            lab = null;
        }
    }

    /**
     * Asserts that a role's namespace holds no connection from the director (listeners aside), once
     * the kernel has had up to {@code settle} to process the last frames.
     */
    static void assertNoConnectionFromDirector(String role, Duration settle) {
        assertNoConnectionFromDirector(role, DIRECTOR_IP, settle);
    }

    /**
     * As {@link #assertNoConnectionFromDirector(String, Duration)}, for the director's {@code address}
     * as {@code ss} shows it (an IPv6 one in brackets).
     */
    static void assertNoConnectionFromDirector(String role, String address, Duration settle) {
        assertEquals(List.of(), lab.connectionsFrom(role, address, settle),
                "connections from the director left on " + role);
    }
}
