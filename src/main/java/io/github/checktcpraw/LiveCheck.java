package io.github.checktcpraw;

import io.github.checktcpraw.check.BackupCheck;
import io.github.checktcpraw.check.CheckClock;
import io.github.checktcpraw.check.FrameChannel;
import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.check.RawCheckPlan;
import io.github.checktcpraw.check.RawCheckRunner;
import io.github.checktcpraw.check.RawTcpCheck;
import io.github.checktcpraw.check.ReplyFilter;
import io.github.checktcpraw.check.Role;
import io.github.checktcpraw.check.SetupException;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.net.HostResolver;
import io.github.checktcpraw.net.SourceInterface;
import io.github.checktcpraw.net.SourcePort;
import io.github.checktcpraw.output.TraceWriter;
import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.pcap.PcapException;
import io.github.checktcpraw.pcap.PendingCapture;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;

/** The imperative shell around the pure check: resolves, reserves, opens libpcap, runs, cleans up. */
final class LiveCheck {

    private LiveCheck() {
    }

    static Outcome run(CheckOptions options, TraceWriter trace, Interruption interruption) {
        PendingCapture capture = null;
        try {
            Role role = options.roleFile() == null ? Role.MASTER : Role.read(options.roleFile());
            if (options.roleFile() != null) {
                trace.note("ROLE", role + " (first byte of " + options.roleFile() + ")");
            }
            if (role == Role.MASTER) {
                // Opening libpcap is the slowest step of set-up and needs only the interface name:
                // it runs on a second core while this thread works out the rest.
                capture = PendingCapture.start(options.sourceInterface());
            }
            Ipv4Address realServer = HostResolver.resolve("real server", options.realServer());
            Ipv4Address virtualIp = HostResolver.resolve("virtual IP", options.virtualIp());
            // Looked up in either role: a wrong interface must show before a failover needs it.
            SourceInterface source = SourceInterface.lookup(options.sourceInterface(), realServer);
            if (role == Role.BACKUP) {
                return BackupCheck.run(realServer, options.port(), options.timeoutNanos(), options.cleanClose(),
                        CheckClock.SYSTEM);
            }
            try (SourcePort port = SourcePort.reserve(source.ip())) {
                RawCheckPlan plan = new RawCheckPlan(source.mac(), source.ip(), realServer, virtualIp, options.port(),
                        port.number(), initialSequence(), options.timeoutNanos(), options.cleanClose(),
                        source.onRealServersNetwork());
                try (FrameChannel channel = open(capture, ReplyFilter.expression(plan))) {
                    RawCheckRunner runner = new RawCheckRunner(new RawTcpCheck(plan), channel, CheckClock.SYSTEM,
                            trace);
                    interruption.watch(runner);
                    try {
                        return runner.run();
                    } finally {
                        interruption.watch(null); // the channel closes next: nothing left to reset through it
                    }
                }
            }
        } catch (SetupException e) {
            return Outcome.unknown(e.getMessage());
        } catch (IOException e) {
            return Outcome.unknown("packet I/O on interface \"" + options.sourceInterface() + "\" failed: "
                    + e.getMessage());
        } finally {
            if (capture != null) {
                capture.abandon(); // when set-up failed before the capture was taken
            }
        }
    }

    /**
     * An unpredictable initial sequence number, so that nobody off-path can forge replies to the
     * check. Read from /dev/urandom, the kernel CSPRNG that SecureRandom's NativePRNG reads too: the
     * JCA provider machinery it would load costs 9-16 ms of start-up (measured) for the same bytes.
     */
    static int initialSequence() {
        try (InputStream urandom = new FileInputStream("/dev/urandom")) {
            byte[] bytes = urandom.readNBytes(4);
            if (bytes.length == 4) {
                return (bytes[0] << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
            }
        } catch (IOException e) {
            // No /dev/urandom (a bare chroot): the portable way below.
        }
        return new SecureRandom().nextInt();
    }

    private static FrameChannel open(PendingCapture capture, String filter) throws SetupException {
        try {
            return capture.finish(filter);
        } catch (PcapException e) {
            throw new SetupException(e.getMessage());
        }
    }
}
