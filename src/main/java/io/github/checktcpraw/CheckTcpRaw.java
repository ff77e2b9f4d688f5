package io.github.checktcpraw;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.ArgumentParser;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.cli.Command;
import io.github.checktcpraw.cli.UsageException;
import io.github.checktcpraw.output.CompatReport;
import io.github.checktcpraw.output.NagiosReport;
import io.github.checktcpraw.output.Report;
import io.github.checktcpraw.output.TraceWriter;
import java.io.PrintStream;
import java.util.List;

/**
 * The plugin's entry point and its single exit path: arguments in, one {@link Outcome}, one
 * {@link Report} printed, one exit code. Nothing below it prints results or exits.
 */
public final class CheckTcpRaw {

    private CheckTcpRaw() {
    }

    public static void main(String[] args) {
        List<String> arguments = List.of(args);
        Interruption interruption = Interruption.install(ArgumentParser.asksForCompat(arguments));
        Report report = run(arguments, System.err, interruption);
        if (interruption.claimExit()) {
            print(report);
            // halt, not exit: the output is flushed and no shutdown hook has work left, while
            // System.exit would start the JDK's logging framework to log the exit (~6 ms, measured).
            Runtime.getRuntime().halt(report.exitCode());
        }
        // Otherwise a signal arrived first: its shutdown hook reports and halts the JVM.
    }

    static void print(Report report) {
        if (report.stdout() != null) {
            System.out.println(report.stdout());
        }
        if (report.stderr() != null) {
            System.err.println(report.stderr());
        }
        System.out.flush();
        System.err.flush();
    }

    /** The whole plugin but for printing and exiting: what unit tests call. */
    static Report run(List<String> args, PrintStream err) {
        return run(args, err, Interruption.none());
    }

    private static Report run(List<String> args, PrintStream err, Interruption interruption) {
        boolean compat = ArgumentParser.asksForCompat(args);
        try {
            // instanceof, not a switch on the sealed type: such a switch spins a class at run time,
            // which in a process that runs once costs every time (see bench/startup).
            Command command = ArgumentParser.parse(args);
            if (command instanceof Command.RunCheck check) {
                return report(check.options(), LiveCheck.run(check.options(), traceFor(check.options(), err),
                        interruption));
            }
            return new Report(0, ((Command.PrintText) command).text(), null);
        } catch (UsageException e) {
            String reason = e.getMessage() + " (see check_tcp_raw --help)";
            return Report.unknown(compat, reason);
        } catch (RuntimeException | LinkageError e) {
            // A bug or a broken installation: still one line in the caller's form, never a stack trace.
            String reason = "internal error: " + e;
            return Report.unknown(compat, reason);
        } catch (OutOfMemoryError e) {
            // Memory or a task limit exhausted (the JDK reports a thread it cannot start this way):
            // the environment's fault, and still one line.
            return Report.unknown(compat, "out of memory: " + e.getMessage());
        }
    }

    private static TraceWriter traceFor(CheckOptions options, PrintStream err) {
        TraceWriter trace = new TraceWriter(err, options.verbosity());
        trace.parameters(options);
        return trace;
    }

    private static Report report(CheckOptions options, Outcome outcome) {
        return options.compat() ? CompatReport.of(outcome) : NagiosReport.of(outcome, options);
    }
}
