package io.github.checktcpraw.output;

import io.github.checktcpraw.check.PacketTrace;
import io.github.checktcpraw.cli.CheckOptions;
import io.github.checktcpraw.packet.Packet;
import io.github.checktcpraw.packet.TcpSegment;
import java.io.PrintStream;

/**
 * The verbose trace on standard error, in the C tool's line formats: {@code -v} prints the
 * {@code [PARAMS]} line and every TCP packet, {@code -vv} adds ARP packets and frames the filter
 * let through but the check could not decode. A packet the check did not accept is followed by
 * an {@code [IGNORED]} line saying why.
 */
public final class TraceWriter implements PacketTrace {

    private final PrintStream err;
    private final int verbosity;

    public TraceWriter(PrintStream err, int verbosity) {
        this.err = err;
        this.verbosity = verbosity;
    }

    public void parameters(CheckOptions options) {
        if (verbosity >= 1) {
            err.println("[PARAMS] iface: " + options.sourceInterface() + ", real_server: " + options.realServer()
                    + ", virtual_ip: " + options.virtualIp() + ", port: " + options.port()
                    + ", role_file: " + (options.roleFile() == null ? "none" : options.roleFile())
                    + ", timeout: " + options.timeoutMillis() + "ms, verbosity: " + options.verbosity());
        }
    }

    @Override
    public void note(String tag, String text) {
        if (verbosity >= 1) {
            err.println("[" + tag + "] " + text);
        }
    }

    @Override
    public void sent(Packet packet) {
        if (shows(packet)) {
            err.println(packet);
        }
    }

    @Override
    public void received(Packet packet, String ignoredBecause) {
        if (!shows(packet)) {
            return;
        }
        err.println(packet instanceof Packet.Undecoded undecoded ? "[UNDECODED] " + undecoded.reason() : packet);
        if (ignoredBecause != null) {
            err.println("[IGNORED] " + ignoredBecause);
        }
    }

    private boolean shows(Packet packet) {
        // instanceof, not a switch on the sealed type: a type switch bootstraps at run time, on every start.
        return packet instanceof TcpSegment ? verbosity >= 1 : verbosity >= 2;
    }
}
