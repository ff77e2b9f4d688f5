package io.github.checktcpraw.shell;

import io.github.checktcpraw.check.Outcome;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What SIGTERM or SIGINT do mid-check (a monitoring system's timeout, an operator's Ctrl-C, the death
 * of the process that started us): the JVM runs this shutdown hook, which resets whatever the real
 * server may hold of our connection and hands the {@link Outcome.Interrupted} to the process's
 * {@link Ending}, which reports it and halts. Exactly one of this hook and the normal end of the
 * check reports: whichever claims the exit first.
 *
 * <p>A check that is the process's own ({@link #install}) also ends when its parent dies
 * ({@link ParentWatch}); one that is not ({@link #none}: a resident checker's) leaves the process
 * alone and is interrupted through {@link #interrupt()}.
 */
public final class Interruption implements Runnable {

    /** Reports an outcome and ends the process; it does not return. */
    public interface Ending {
        void end(Outcome outcome);
    }

    private final AtomicBoolean exitClaimed = new AtomicBoolean();
    private final Ending ending;
    /** Guarded by this: the raw check under way, and whether the check was interrupted. */
    private CheckRunner running;
    private boolean interrupted;

    private Interruption(Ending ending) {
        this.ending = ending;
    }

    /**
     * Arms the parent-death signal (from the thread that runs the check) for a check that is the
     * process's own.
     *
     * @return false when the parent has already gone: the check should end at once
     */
    boolean tieToParent() {
        return ending == null || ParentWatch.tieToParent();
    }

    /**
     * For checks that are not the process's own (a resident checker's): no signal hook and no tie to a
     * parent; interrupted only through {@link #interrupt()}.
     */
    public static Interruption none() {
        return new Interruption(null);
    }

    public static Interruption install(Ending ending) {
        Interruption interruption = new Interruption(ending);
        Runtime.getRuntime().addShutdownHook(new Thread(interruption, "check_tcp_raw-interrupted"));
        return interruption;
    }

    /**
     * The raw check about to run, to be reset if the check is interrupted; {@code null} when it is
     * over. A check interrupted before it got here (in a name lookup, say) has its runner abandoned
     * at once: it sends nothing.
     */
    void watch(CheckRunner runner) {
        synchronized (this) {
            running = runner;
            if (!interrupted || runner == null) {
                return;
            }
        }
        runner.abandon();
    }

    /** Whether the check was interrupted: it should end at its next step, sending nothing more. */
    public synchronized boolean interrupted() {
        return interrupted;
    }

    /** @return true if the caller may report and exit; false if an interruption already does */
    public boolean claimExit() {
        return exitClaimed.compareAndSet(false, true);
    }

    /** The shutdown hook. */
    @Override
    public void run() {
        if (!claimExit()) {
            // The normal exit path is printing its report and will halt; returning would let the
            // JVM's own signal exit (143) race it and perhaps lose the line.
            while (true) {
                LockSupport.park();
            }
        }
        ending.end(resetRunning());
    }

    /**
     * Interrupts the check from another thread as a signal would (a resident checker's client asked
     * to stop, or went away): resets what the real server holds.
     *
     * @return the outcome to report, or {@code null} when the check's normal end claimed the exit first
     */
    public Outcome interrupt() {
        return claimExit() ? resetRunning() : null;
    }

    private Outcome resetRunning() {
        CheckRunner runner;
        synchronized (this) {
            interrupted = true;
            runner = running;
        }
        if (runner == null) {
            return new Outcome.Interrupted(false, null);
        }
        try {
            return new Outcome.Interrupted(runner.interrupt(), null);
        } catch (IOException | RuntimeException e) {
            return new Outcome.Interrupted(false, e.getMessage());
        }
    }
}
