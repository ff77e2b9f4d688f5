package io.github.checktcpraw.output;

import io.github.checktcpraw.check.Bound;
import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.check.Target;
import io.github.checktcpraw.packet.MacAddress;

/**
 * The sentence an operator reads for each {@link Outcome}: what was asked, what happened, and for a
 * failure the likeliest cause. Every status line's text is made here.
 */
public final class OutcomeText {

    private OutcomeText() {
    }

    // instanceof rather than a switch on the sealed type: a type switch bootstraps at run time.
    public static String of(Outcome outcome) {
        if (outcome instanceof Outcome.VipClaimed claimed) {
            Target target = claimed.target();
            return "real server " + realServer(target, claimed.serverMac()) + (target.ipv6()
                    ? " answers neighbour solicitations for VIP " + target.virtualIp()
                            + " - keep the VIP on its loopback only (not on the interface, no proxy_ndp)"
                    : " answers ARP for VIP " + target.virtualIp() + " - set arp_ignore=1 and arp_announce=2 on it");
        }
        if (outcome instanceof Outcome.Answered answered) {
            return answered(answered);
        }
        if (outcome instanceof Outcome.NoSynAck noSynAck) {
            return "no SYN/ACK for VIP " + noSynAck.target().service() + " from real server "
                    + realServer(noSynAck.target(), noSynAck.serverMac()) + " " + within(noSynAck.bound())
                    + sentTimes("SYN", noSynAck.synsSent()) + " (is the VIP on its loopback?)";
        }
        if (outcome instanceof Outcome.Refused refused) {
            return "connection refused (RST) for VIP " + refused.target().service() + " by real server "
                    + realServer(refused.target(), refused.serverMac()) + " (is the service listening on the VIP?)";
        }
        if (outcome instanceof Outcome.Unresolved unresolved) {
            boolean ipv6 = unresolved.target().ipv6();
            return (ipv6 ? "no neighbour advertisement from " : "no ARP reply from ") + unresolved.target().realServer()
                    + " " + within(unresolved.bound())
                    + sentTimes(ipv6 ? "neighbour solicitation" : "ARP request", unresolved.requestsSent())
                    + (unresolved.askedFromItsNetwork() ? "" : " (asked from " + unresolved.askedFrom()
                            + ", which is not in its network: is SOURCE_IFACE right?)");
        }
        if (outcome instanceof Outcome.BackupConnected connected) {
            return "BACKUP role: connected to " + connected.realServer().withPortPrefix() + ":" + connected.port() + " in "
                    + Millis.format(connected.connectNanos());
        }
        if (outcome instanceof Outcome.BackupFailed failed) {
            String target = failed.realServer().withPortPrefix() + ":" + failed.port();
            return switch (failed.failure()) {
                case REFUSED -> "BACKUP role: connection to " + target + " refused";
                case NO_ANSWER -> "BACKUP role: no answer from " + target + " " + within(failed.bound());
                case ERROR -> "BACKUP role: connection to " + target + " failed: " + failed.error();
            };
        }
        if (outcome instanceof Outcome.Interrupted interrupted) {
            return "interrupted by a signal before the check finished" + (interrupted.resetError() != null
                    ? "; could not reset the connection: " + interrupted.resetError()
                    : interrupted.reset() ? "; reset the connection to the real server" : "");
        }
        return ((Outcome.NotChecked) outcome).reason();
    }

    private static String answered(Outcome.Answered answered) {
        String text = answered.target().service() + " via " + realServer(answered.target(), answered.serverMac())
                + " answered in " + Millis.format(answered.handshakeNanos()) + sentTimes("SYN", answered.synsSent());
        return switch (answered.close()) {
            case QUICK -> text;
            case CLEAN -> text + ", closed cleanly";
            case RESET_BY_SERVER -> text + ", reset by the server while closing";
            case UNFINISHED -> text + ", but did not finish the clean close " + within(answered.closeBound())
                    + " (connection reset)";
        };
    }

    /** "within 1000 ms", or the overall bound when that ended the wait. */
    static String within(Bound bound) {
        return bound.overall() ? "within the check's overall bound of " + bound.millis() + " ms"
                : "within " + bound.millis() + " ms";
    }

    private static String realServer(Target target, MacAddress mac) {
        return target.realServer() + " (" + mac + ")";
    }

    /** " (SYN sent 3 times)", or nothing for once. */
    static String sentTimes(String what, int times) {
        return times > 1 ? " (" + what + " sent " + times + " times)" : "";
    }
}
