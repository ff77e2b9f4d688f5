package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.IpAddress;
import io.github.checktcpraw.packet.MacAddress;

/**
 * The one result of a check, as facts: what happened and what was measured. The sentences operators
 * read, the plugin state and the exit code are made from it once, at the end ({@code output}).
 * Durations are nanoseconds; {@link #NOT_MEASURED} where there is none.
 */
public sealed interface Outcome {

    long NOT_MEASURED = -1;

    /** How a connection that the real server accepted ended. */
    enum Close {
        /** Our RST/ACK right after the handshake. */
        QUICK,
        /** FIN/ACK - FIN/ACK - ACK, as asked with {@code -c}. */
        CLEAN,
        /** The server reset the connection while we closed it cleanly. */
        RESET_BY_SERVER,
        /** The server did not finish the clean close in time: we reset the connection. */
        UNFINISHED
    }

    /**
     * The real server answered for the VIP through its MAC.
     *
     * @param closeBound what the clean close ran into, with {@link Close#UNFINISHED}; else {@code null}
     * @param exchange what was said after the handshake, when a conversation was asked for; else {@code null}
     */
    record Answered(Target target, MacAddress serverMac, long resolutionNanos, long handshakeNanos, int synsSent, Close close,
            Bound closeBound, Exchange exchange) implements Outcome {
    }

    /** How the exchange after the handshake ended. */
    enum Ending {
        /** The conversation had what it needed. */
        COMPLETE,
        /** The server closed the connection (FIN) before the conversation had it. */
        SERVER_CLOSED,
        /** The most bytes the check reads ({@code --max-bytes}) came first. */
        LIMIT,
        /** The server fell silent: the bound was reached. */
        TIMED_OUT,
        /** The server reset the connection. */
        RESET
    }

    /**
     * What passed over the connection after the handshake, with a conversation.
     *
     * @param facts         what the conversation found
     * @param bound         what a {@link Ending#TIMED_OUT} wait ran into; else {@code null}
     * @param responseNanos from the request leaving (the connection being up, when nothing was sent) to the
     *                      answer's end; {@link #NOT_MEASURED} when it did not end
     * @param tlsNanos      the conversation's own handshake (TLS); {@link #NOT_MEASURED} without one, or unfinished
     * @param bytesReceived the server's bytes received in order and read
     * @param requestSends  how many times the request's bytes were sent
     */
    record Exchange(Conversation.Facts facts, Ending ending, Bound bound, long responseNanos, long tlsNanos,
            long bytesReceived, int requestSends) {
    }

    /** Nobody answered our ARP requests (IPv4) or neighbour solicitations (IPv6) for the real server's address. */
    record Unresolved(Target target, int requestsSent, Bound bound, IpAddress askedFrom,
            boolean askedFromItsNetwork) implements Outcome {
    }

    /** The real server's MAC is known, but nothing answered the SYN sent through it to the VIP. */
    record NoSynAck(Target target, MacAddress serverMac, long resolutionNanos, int synsSent, Bound bound) implements Outcome {
    }

    /** The real server answered the SYN with a RST: nothing listens on the VIP and port. */
    record Refused(Target target, MacAddress serverMac, long resolutionNanos) implements Outcome {
    }

    /**
     * Asked directly for the VIP ({@code --vip-arp}), the real server answered for it: routers and
     * clients can learn its MAC for the VIP and bypass the director, whatever the check found.
     *
     * @param check what the check itself found (its measurements are still reported)
     */
    record VipClaimed(Target target, MacAddress serverMac, Outcome check) implements Outcome {
    }

    /**
     * On a BACKUP director: the ordinary connect to the real server's own address succeeded.
     *
     * @param exchange what was said over it, when a conversation was asked for; else {@code null}
     */
    record BackupConnected(IpAddress realServer, int port, long connectNanos, Exchange exchange) implements Outcome {
    }

    /** How the BACKUP director's connect failed. */
    enum BackupFailure { REFUSED, NO_ANSWER, ERROR }

    /**
     * On a BACKUP director: the ordinary connect failed.
     *
     * @param bound what it ran into, with {@link BackupFailure#NO_ANSWER}; else {@code null}
     * @param error the system's words, with {@link BackupFailure#ERROR}; else {@code null}
     */
    record BackupFailed(IpAddress realServer, int port, BackupFailure failure, Bound bound, String error)
            implements Outcome {
    }

    /** No check could be made: bad input found late or an unusable environment; {@code reason} names it. */
    record NotChecked(String reason) implements Outcome {
    }

    /**
     * A signal (or the death of the process that started us) ended the check early.
     *
     * @param reset whether the connection the real server may have held was reset
     * @param resetError why resetting failed, or {@code null}
     */
    record Interrupted(boolean reset, String resetError) implements Outcome {
    }
}
