package io.github.checktcpraw.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.check.PacketTrace;
import io.github.checktcpraw.check.RawTcpCheck;
import io.github.checktcpraw.check.SimulatedPeer;
import io.github.checktcpraw.cli.ArgumentParser;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.cli.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resident checker's interruption ({@link Interruption#none()}), whenever in the check it comes. */
class InterruptionTest {

    @TempDir
    Path dir;

    private final SimulatedPeer peer = new SimulatedPeer();

    @Test
    void anInterruptionBeforeTheRawCheckBeginsAbandonsItBeforeItSendsAnything() throws Exception {
        Interruption interruption = Interruption.none();
        assertEquals(new Outcome.Interrupted(false, null), interruption.interrupt(), "nothing to reset yet");
        CheckRunner runner = new CheckRunner(new RawTcpCheck(peer.plan(false, 1000)), peer, peer, PacketTrace.NONE);

        interruption.watch(runner);

        assertEquals(new Outcome.Interrupted(false, null), runner.run());
        assertEquals(List.of(), peer.sent(), "no ARP request, no SYN");
    }

    /** A name lookup that answers after its check was interrupted: the check goes no further. */
    @Test
    void aCheckInterruptedDuringItsSlowStepsEndsBeforeItLooksTheInterfaceUp() throws Exception {
        Path role = Files.writeString(dir.resolve("lvs.role"), "0\n");
        CheckOptions options = ((Command.RunCheck) ArgumentParser.parse(List.of("-r", role.toString(), "nosuch0",
                "198.51.100.42", "198.51.100.100", "80"))).options();
        Interruption interruption = Interruption.none();
        interruption.interrupt();

        Outcome outcome = LiveCheck.run(options, System.nanoTime(), PacketTrace.NONE, interruption, Path.of(""),
                socket -> {
                });

        assertEquals(new Outcome.Interrupted(false, null), outcome, "not: interface \"nosuch0\" does not exist");
    }
}
