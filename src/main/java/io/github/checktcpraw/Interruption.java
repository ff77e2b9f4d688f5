package io.github.checktcpraw;

import io.github.checktcpraw.check.RawCheckRunner;
import io.github.checktcpraw.output.Report;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * What SIGTERM or SIGINT do mid-check (a monitoring system's timeout, an operator's Ctrl-C): the
 * JVM runs this shutdown hook, which resets whatever the real server may hold of our connection,
 * prints one UNKNOWN line and halts. Exactly one of this hook and the normal end of the check
 * reports: whichever claims the exit first.
 */
final class Interruption implements Runnable {

    private final AtomicBoolean exitClaimed = new AtomicBoolean();
    private final boolean compat;
    private volatile RawCheckRunner running;

    private Interruption(boolean compat) {
        this.compat = compat;
    }

    /** An interruption that watches nothing and never reports: for calls that are not the process's main. */
    static Interruption none() {
        return new Interruption(false);
    }

    static Interruption install(boolean compat) {
        Interruption interruption = new Interruption(compat);
        Runtime.getRuntime().addShutdownHook(new Thread(interruption, "check_tcp_raw-interrupted"));
        return interruption;
    }

    /** The raw check now under way, to be reset if the process is stopped; {@code null} when none. */
    void watch(RawCheckRunner runner) {
        running = runner;
    }

    /** @return true if the caller may report and exit; false if an interruption already does */
    boolean claimExit() {
        return exitClaimed.compareAndSet(false, true);
    }

    /** The shutdown hook (a Runnable rather than a lambda: one class less to spin at start-up). */
    @Override
    public void run() {
        if (!claimExit()) {
            // The normal exit path is printing its report and will halt; returning would let the
            // JVM's own signal exit (143) race it and perhaps lose the line.
            while (true) {
                LockSupport.park();
            }
        }
        String reason = "interrupted by a signal before the check finished";
        RawCheckRunner runner = running;
        if (runner != null) {
            try {
                if (runner.interrupt()) {
                    reason += "; reset the connection to the real server";
                }
            } catch (IOException | RuntimeException e) {
                reason += "; could not reset the connection: " + e.getMessage();
            }
        }
        Report report = Report.unknown(compat, reason);
        CheckTcpRaw.print(report);
        Runtime.getRuntime().halt(report.exitCode());
    }
}
