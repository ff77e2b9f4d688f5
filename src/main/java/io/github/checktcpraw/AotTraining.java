package io.github.checktcpraw;

import io.github.checktcpraw.check.Bound;
import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.check.RawTcpCheck;
import io.github.checktcpraw.check.ReplyFilter;
import io.github.checktcpraw.check.SimulatedPeer;
import io.github.checktcpraw.cli.ArgumentParser;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.cli.Command;
import io.github.checktcpraw.cli.UsageException;
import io.github.checktcpraw.linux.PacketSocket;
import io.github.checktcpraw.output.Report;
import io.github.checktcpraw.output.TraceWriter;
import io.github.checktcpraw.packet.BpfProgram;
import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.packet.MacAddress;
import io.github.checktcpraw.shell.BackupConnect;
import io.github.checktcpraw.shell.CheckRunner;
import io.github.checktcpraw.shell.InitialSequence;
import io.github.checktcpraw.shell.Interruption;
import io.github.checktcpraw.shell.ParentWatch;
import io.github.checktcpraw.shell.RoleFile;
import io.github.checktcpraw.shell.SetupException;
import io.github.checktcpraw.shell.SourceInterface;
import io.github.checktcpraw.shell.SourcePort;
import io.github.checktcpraw.shell.SystemClock;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The workload the build trains the AOT cache on (JEP 483/514/515, {@code -XX:AOTCacheOutput}):
 * the plugin's start-up path — parsing command lines, the check's state machine and codecs over a
 * {@link SimulatedPeer}, the reports and the trace, the shell's lookups, a packet socket's open —
 * with no network and no privilege needed, so that {@code mvn package} can run it anywhere. The
 * cache then holds these classes already loaded and linked, and their profiles. It prints nothing.
 */
public final class AotTraining {

    private static final Ipv4Address LOOPBACK = Ipv4Address.parseLiteral("127.0.0.1");
    private static final String REAL_SERVER = "198.51.100.42";
    /** The loopback interface's index: always 1. */
    private static final int LOOPBACK_INDEX = 1;

    private AotTraining() {
    }

    public static void main(String[] args) throws IOException {
        PacketSocket.prepareInBackground();
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        CheckOptions options = parseCommandLines();
        checkSimulatedServers(options, discard);
        exerciseTheShell(discard);
    }

    private static CheckOptions parseCommandLines() {
        CheckOptions typical = null;
        for (List<String> line : List.of(
                List.of("-v", "-c", "-t", "500", "-T", "5000", "-W", "0.5", "-C", "2", "-r", "/run/lvs.role", "eth0",
                        REAL_SERVER, "198.51.100.100", "80"),
                List.of("--compat", "--timeout=1000", "--clean-close", "eth0", "rs.example", "vip.example", "443"),
                List.of("--help"), List.of("--usage"), List.of("-V"), List.of("--bogus"), List.of("eth0", "a", "b", "80x"),
                List.of("-t"), List.of("--ver"))) {
            try {
                if (ArgumentParser.parse(line) instanceof Command.RunCheck run && typical == null) {
                    typical = run.options();
                }
            } catch (UsageException expected) {
                Report.unknown(false, expected.getMessage());
                Report.unknown(true, expected.getMessage());
            }
        }
        return typical;
    }

    private static void checkSimulatedServers(CheckOptions options, PrintStream discard) throws IOException {
        TraceWriter trace = new TraceWriter(discard, 2);
        trace.parameters(options);
        for (SimulatedPeer.OnFin close : SimulatedPeer.OnFin.values()) {
            for (boolean cleanClose : new boolean[] {false, true}) {
                SimulatedPeer peer = new SimulatedPeer();
                peer.onFin = close;
                Outcome outcome = new CheckRunner(new RawTcpCheck(peer.plan(cleanClose, 1000, 9000)), peer, peer, trace)
                        .run();
                Report.of(outcome, options).print(discard, discard);
                Report.unknown(true, "").print(discard, discard);
            }
        }
    }

    /** The parts of a live check that need no network: everything but real replies. */
    private static void exerciseTheShell(PrintStream discard) {
        // What a check's process does around the check: its signal hook (added and taken back, so
        // that it never runs here), the parent watch (which reads the environment), the kernel filter
        // and the initial sequence number.
        Thread hook = new Thread(Interruption.none(), "aot-training");
        Runtime.getRuntime().addShutdownHook(hook);
        Runtime.getRuntime().removeShutdownHook(hook);
        new CheckTcpRaw.Ending(false).compat();
        ParentWatch.tieToParent();
        SimulatedPeer peer = new SimulatedPeer();
        ReplyFilter.program(peer.plan(false, 1000));
        ReplyFilter.program(peer.plan6(true, 1000));
        InitialSequence.next();
        // Whole runs that stop at an interface that does not exist: resolution, sysfs, the reports.
        CheckTcpRaw.run(List.of("-v", "aot-none0", REAL_SERVER, "198.51.100.100", "80"), discard);
        CheckTcpRaw.run(List.of("--compat", "aot-none0", REAL_SERVER, "198.51.100.100", "80"), discard);
        Path sysfs = Path.of("/sys/class/net");
        try (Stream<Path> interfaces = Files.isDirectory(sysfs) ? Files.list(sysfs) : Stream.empty()) {
            for (Path nic : interfaces.toList()) {
                try {
                    SourceInterface.lookup(nic.getFileName().toString(), Ipv4Address.parseLiteral(REAL_SERVER));
                } catch (SetupException notUsable) {
                    // lo and friends: the refusal is part of the training too
                }
            }
        } catch (IOException noSysfs) {
            // a build sandbox without /sys: nothing to train
        }
        try {
            // Reading a role file; which role this one says does not matter. Not a temporary file:
            // naming one loads the JDK's SecureRandom, which would then load with every check.
            RoleFile.read(Path.of("/proc/self/stat"));
        } catch (SetupException noProc) {
            // a build sandbox without /proc: nothing to train
        }
        SystemClock.INSTANCE.realtimeNanos(); // the simulated peer has a clock of its own
        // A BACKUP director's connect, to a port of our own on the loopback interface.
        SourceInterface loopback = new SourceInterface("lo", LOOPBACK_INDEX, MacAddress.ZERO, LOOPBACK, true);
        try (SourcePort port = SourcePort.reserve(loopback)) {
            BackupConnect.run(loopback, LOOPBACK, port.number(), 1000, new Bound(1000, false), false, null, null);
        } catch (SetupException noLoopback) {
            // a build sandbox without one: nothing to train
        }
        // A packet socket that takes in nothing, on loopback: opened with root, refused without.
        BpfProgram nothing = new BpfProgram.Builder().accept(0).build();
        try (PacketSocket socket = PacketSocket.open(LOOPBACK_INDEX, "lo", nothing, ReplyFilter.SNAPSHOT_LENGTH)) {
            socket.receive(0);
        } catch (IOException | UnsupportedOperationException expected) {
            Report.unknown(false, expected.getMessage());
        }
    }
}
