package io.github.checktcpraw;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.ArgumentParser;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.cli.Command;
import io.github.checktcpraw.cli.UsageException;
import io.github.checktcpraw.linux.PacketSocket;
import io.github.checktcpraw.output.OutcomeText;
import io.github.checktcpraw.output.Report;
import io.github.checktcpraw.output.TraceWriter;
import io.github.checktcpraw.serve.ResidentChecker;
import io.github.checktcpraw.shell.Interruption;
import io.github.checktcpraw.shell.LiveCheck;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The plugin's entry point and its single exit path: arguments in, one {@link Outcome}, one
 * {@link Report} printed, one exit code. Nothing below it prints results or exits.
 */
public final class CheckTcpRaw {

    private CheckTcpRaw() {
    }

    public static void main(String[] args) {
        long startedAt = System.nanoTime();
        PacketSocket.prepareInBackground();
        List<String> arguments = List.of(args);
        if (ArgumentParser.asksToServe(arguments)) {
            ResidentChecker.serve(CheckTcpRaw::run);
            return;
        }
        boolean compat = ArgumentParser.asksForCompat(arguments);
        Interruption interruption = Interruption.install(new Ending(compat));
        Report report = run(arguments, System.err, interruption, startedAt, Path.of(""), PacketSocket::close);
        if (interruption.claimExit()) {
            end(report);
        }
        // Otherwise a signal arrived first: its shutdown hook reports and halts the JVM.
    }

    /** The whole plugin but for printing and exiting, and signals: what unit tests call. */
    static Report run(List<String> args, PrintStream err) {
        return run(args, err, Interruption.none(), System.nanoTime(), Path.of(""), PacketSocket::close);
    }

    /** A check handed to a resident checker: see {@link io.github.checktcpraw.serve.Checker}. */
    private static Report run(List<String> args, Path workingDirectory, PrintStream err, Interruption interruption,
            Consumer<PacketSocket> closing) {
        return run(args, err, interruption, System.nanoTime(), workingDirectory, closing);
    }

    private static Report run(List<String> args, PrintStream err, Interruption interruption, long startedAt,
            Path workingDirectory, Consumer<PacketSocket> closing) {
        try {
            Command command = ArgumentParser.parse(args);
            if (!(command instanceof Command.RunCheck check)) {
                return new Report(0, ((Command.PrintText) command).text(), null);
            }
            CheckOptions options = check.options();
            TraceWriter trace = new TraceWriter(err, options.verbosity());
            trace.parameters(options);
            return Report.of(LiveCheck.run(options, startedAt, trace, interruption, workingDirectory,
                    closing), options);
        } catch (UsageException e) {
            return unknown(args, e.getMessage() + " (see check_tcp_raw --help)");
        } catch (RuntimeException | LinkageError e) {
            // A bug or a broken installation: still one line in the caller's form, never a stack trace.
            return unknown(args, "internal error: " + e);
        } catch (OutOfMemoryError e) {
            // Memory or a task limit exhausted (the JDK reports a thread it cannot start this way):
            // the environment's fault, and still one line.
            return unknown(args, "out of memory: " + e.getMessage());
        }
    }

    /** One UNKNOWN line in the form the command line asks for (--compat or not). */
    private static Report unknown(List<String> args, String reason) {
        return Report.unknown(ArgumentParser.asksForCompat(args), reason);
    }

    private static void end(Report report) {
        report.print(System.out, System.err);
        // halt, not exit: the output is flushed, and the signal hook, which lost the race for the
        // exit, waits for this one (System.exit would wait for that hook: for ever).
        Runtime.getRuntime().halt(report.exitCode());
    }

    /** How a signal's interruption ends the process: one UNKNOWN line in the form the caller asked for. */
    record Ending(boolean compat) implements Interruption.Ending {
        @Override
        public void end(Outcome outcome) {
            CheckTcpRaw.end(Report.unknown(compat, OutcomeText.of(outcome)));
        }
    }
}
