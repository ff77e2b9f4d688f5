package io.github.checktcpraw.serve;

import io.github.checktcpraw.linux.PacketSocket;
import io.github.checktcpraw.output.Report;
import io.github.checktcpraw.shell.Interruption;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** One check as a fresh process runs it (the same parsing, check and report), but for printing and exiting. */
@FunctionalInterface
public interface Checker {

    /**
     * @param workingDirectory the client's, against which a relative role file is read
     * @param err receives the trace, as a fresh process's standard error would
     * @param interruption how the client's signal, or its going away, interrupts the check
     * @param closing takes the check's packet socket, to be closed once the answer is sent
     */
    Report check(List<String> args, Path workingDirectory, PrintStream err, Interruption interruption,
            Consumer<PacketSocket> closing);
}
