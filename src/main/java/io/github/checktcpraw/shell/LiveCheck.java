package io.github.checktcpraw.shell;

import io.github.checktcpraw.check.Bound;
import io.github.checktcpraw.check.CheckStep;
import io.github.checktcpraw.check.Conversation;
import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.check.PacketTrace;
import io.github.checktcpraw.check.RawCheckPlan;
import io.github.checktcpraw.check.RawTcpCheck;
import io.github.checktcpraw.check.ReplyFilter;
import io.github.checktcpraw.check.Role;
import io.github.checktcpraw.check.Target;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.cli.ServiceOptions;
import io.github.checktcpraw.linux.ErrnoException;
import io.github.checktcpraw.linux.PacketSocket;
import io.github.checktcpraw.packet.IpAddress;
import io.github.checktcpraw.service.Conversations;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The imperative shell around the pure check: reads the role file, resolves the hosts, looks the
 * interface up, reserves a source port, opens the packet socket, runs the check, and closes it all.
 */
public final class LiveCheck {

    private static final Outcome ORPHANED =
            new Outcome.NotChecked("the process that started this check is gone: nobody would read its answer");
    /** For nobody: whoever interrupted the check has answered for it. */
    private static final Outcome INTERRUPTED = new Outcome.Interrupted(false, null);

    private LiveCheck() {
    }

    /**
     * @param startedAt when the check began (System.nanoTime), where its overall bound counts from
     * @param interruption told about the raw check while it runs, so that a signal can reset it
     * @param workingDirectory what a relative role file is relative to: the empty path for this
     *     process's own, a resident checker's client's otherwise
     * @param closing takes the packet socket once the check is done with it: a fresh process closes it
     *     at once ({@code PacketSocket::close}), a resident checker after it has sent the answer, since
     *     close(2) waits for an RCU grace period
     */
    public static Outcome run(CheckOptions options, long startedAt, PacketTrace trace, Interruption interruption,
            Path workingDirectory, Consumer<PacketSocket> closing) {
        long deadline = options.totalTimeoutMillis() == 0 ? CheckStep.NO_TIMER
                : startedAt + options.totalTimeoutMillis() * 1_000_000L;
        try {
            Role role = options.roleFile() == null ? Role.MASTER : RoleFile.read(options.roleFile(), workingDirectory);
            if (options.roleFile() != null) {
                trace.note("ROLE", role + " (first byte of " + options.roleFile() + ")");
            }
            if (role == Role.MASTER) {
                PacketSocket.expectOne();
            }
            HostResolver.Hosts hosts = HostResolver.resolve(options.realServer(), options.virtualIp(), deadline,
                    options.totalTimeoutMillis());
            // The role file and the lookups may take long: an interruption meanwhile ends the check here.
            if (interruption.interrupted()) {
                return INTERRUPTED;
            }
            IpAddress realServer = hosts.realServer();
            // Looked up in either role: a wrong interface must show before a failover needs it.
            SourceInterface source = SourceInterface.lookup(options.sourceInterface(), realServer);
            ServiceOptions service = options.service();
            Conversation conversation = service == null ? null : Conversations.open(service.request(),
                    service.request().tls() == null ? null : TlsContext.of(service.request().tls()),
                    System.currentTimeMillis());
            long maxBytes = service == null ? 0 : service.request().maxBytes();
            if (role == Role.BACKUP) {
                if (!interruption.tieToParent()) {
                    return ORPHANED;
                }
                long left = deadline == CheckStep.NO_TIMER ? Long.MAX_VALUE
                        : Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
                Bound bound = options.timeoutMillis() == 0 || left < options.timeoutMillis()
                        ? new Bound(options.totalTimeoutMillis(), true) : new Bound(options.timeoutMillis(), false);
                return BackupConnect.run(source, realServer, options.port(), bound.overall() ? left : options.timeoutMillis(),
                        bound, options.cleanClose(), conversation, new BackupConnect.Talk(options.timeoutMillis(),
                                deadline, options.totalTimeoutMillis(), maxBytes));
            }
            try (SourcePort port = SourcePort.reserve(source)) {
                RawCheckPlan plan = new RawCheckPlan(source.mac(), source.ip(),
                        new Target(realServer, hosts.virtualIp(), options.port()), port.number(), InitialSequence.next(),
                        options.timeoutNanos(), deadline, options.totalTimeoutMillis(),
                        options.vipArpWaitMillis() * 1_000_000L, options.cleanClose(), maxBytes,
                        source.onRealServersNetwork());
                // Tied only now: the native calls it needs are linked meanwhile, in the background.
                if (!interruption.tieToParent()) {
                    return ORPHANED;
                }
                PacketSocket socket = open(source, plan);
                CheckRunner runner = new CheckRunner(new RawTcpCheck(plan, conversation), socket, SystemClock.INSTANCE, trace);
                interruption.watch(runner);
                try {
                    return runner.run();
                } finally {
                    interruption.watch(null); // the socket closes next: nothing left to reset through it
                    closing.accept(socket);
                }
            }
        } catch (SetupException e) {
            return new Outcome.NotChecked(e.getMessage());
        } catch (IOException e) {
            return new Outcome.NotChecked("packet I/O on interface \"" + options.sourceInterface() + "\" failed: "
                    + e.getMessage());
        }
    }

    private static PacketSocket open(SourceInterface source, RawCheckPlan plan) throws SetupException {
        try {
            return PacketSocket.open(source.index(), source.name(), ReplyFilter.program(plan),
                    ReplyFilter.snapshotLength(plan));
        } catch (ErrnoException e) {
            throw new SetupException(e.notPermitted()
                    ? "opening a packet socket needs root or the CAP_NET_RAW capability (" + e.getMessage() + ")"
                    : "cannot open a packet socket on interface \"" + source.name() + "\": " + e.getMessage());
        } catch (UnsupportedOperationException e) {
            throw new SetupException(e.getMessage());
        }
    }
}
