package io.github.checktcpraw.linux;

/**
 * Ends this process when the process that started it dies. A monitoring system that times a check
 * out kills only its own child; when that child is {@code sudo}, killed with SIGKILL, the plugin
 * under it would run on, orphaned, holding the monitoring system's output pipe.
 */
public final class ParentDeath {

    /** prctl(2) options and signal numbers, from linux/prctl.h and asm-generic/signal.h. */
    private static final int PR_SET_PDEATHSIG = 1;
    private static final int SIGTERM = 15;

    private ParentDeath() {
    }

    /**
     * Has the kernel send SIGTERM (the signal a monitoring timeout sends, with the same clean end) to
     * this process when the calling thread's parent exits. The setting belongs to the calling thread,
     * so call it from one that lives as long as the check (the main thread).
     *
     * @param expectedParent the process id the parent had when it started us, or 0 when unknown
     * @return false when the parent has already gone (we were re-parented before the call): the
     *     signal will then never come, and the caller should stop as it would have on it
     */
    public static boolean signalOnParentDeath(long expectedParent) throws ErrnoException {
        Libc.prctl("prctl(PR_SET_PDEATHSIG)", PR_SET_PDEATHSIG, SIGTERM);
        return expectedParent == 0 || Libc.getppid() == expectedParent;
    }
}
