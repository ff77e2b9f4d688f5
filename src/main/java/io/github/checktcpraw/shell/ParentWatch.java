package io.github.checktcpraw.shell;

import io.github.checktcpraw.check.Digits;
import io.github.checktcpraw.linux.ErrnoException;
import io.github.checktcpraw.linux.ParentDeath;

/**
 * Ties a check to the process that started it (sudo, a monitoring daemon's worker): when that dies,
 * the check ends as on SIGTERM, resetting its connection, instead of running on as an orphan.
 */
public final class ParentWatch {

    /** Set by plugin-wrapper to its own parent's pid ($PPID), the JVM's parent once it execs java. */
    private static final String PARENT_VARIABLE = "CHECK_TCP_RAW_PARENT";

    private ParentWatch() {
    }

    /**
     * Arms the parent-death signal for the calling thread, which must live as long as the check.
     *
     * @return false when the parent is already gone, so that no signal will ever come
     */
    public static boolean tieToParent() {
        try {
            return ParentDeath.signalOnParentDeath(expectedParent());
        } catch (ErrnoException | UnsupportedOperationException e) {
            return true; // no such safety net here: the check still has its own bounds
        }
    }

    /** The wrapper's word for who our parent is; without it (java run directly) the race is not checked. */
    private static long expectedParent() {
        String parent = System.getenv(PARENT_VARIABLE);
        return parent == null ? 0 : Math.max(0, Digits.value(parent, 10, 10));
    }
}
