package io.github.checktcpraw.shell;

import io.github.checktcpraw.check.CheckClock;
import io.github.checktcpraw.check.CheckStep;
import io.github.checktcpraw.check.FrameChannel;
import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.check.PacketTrace;
import io.github.checktcpraw.check.RawTcpCheck;
import io.github.checktcpraw.check.ReceivedFrame;
import io.github.checktcpraw.packet.Packet;
import io.github.checktcpraw.packet.PacketDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives a {@link RawTcpCheck} over a {@link FrameChannel}: sends what it asks for, waits for frames
 * until its next timer, and feeds it what arrives. The only loop of the raw check; it ends because
 * every awaited reply has a deadline and the check finishes at the last one.
 */
public final class CheckRunner {

    /**
     * The longest single wait for a frame. HotSpot's exit waits up to 300 ms for a thread that is
     * inside a native call (here: poll), so a signal's shutdown hook could not end the process
     * sooner; coming back to Java this often lets it end within a few tens of milliseconds.
     */
    private static final long LONGEST_WAIT_NANOS = 20_000_000L;

    private final RawTcpCheck check;
    private final FrameChannel channel;
    private final CheckClock clock;
    private final PacketTrace trace;
    /**
     * Sending is serialised with {@link #interrupt()}: once a signal's resets have gone out, nothing
     * more may follow them (a retransmitted SYN would open the connection again).
     */
    private final Object sending = new Object();
    /** Guarded by {@link #sending}: what would reset the real server's side now. */
    private List<Packet> resets = List.of();
    /** Guarded by {@link #sending}: the check was interrupted; send nothing more. */
    private boolean abandoned;

    public CheckRunner(RawTcpCheck check, FrameChannel channel, CheckClock clock, PacketTrace trace) {
        this.check = check;
        this.channel = channel;
        this.clock = clock;
        this.trace = trace;
    }

    public Outcome run() throws IOException {
        CheckStep step = check.start(clock.monotonicNanos());
        while (true) {
            List<byte[]> frames = new ArrayList<>(step.toSend().size());
            for (Packet packet : step.toSend()) {
                frames.add(packet.encode());
            }
            synchronized (sending) {
                if (abandoned) {
                    return new Outcome.Interrupted(!resets.isEmpty(), null);
                }
                // Published before the send: an interruption right after it must find the resets for it.
                resets = check.resetsIfAbandoned();
                // Stamped right before the send: over a veth the reply can arrive before send() returns.
                long sendingAt = clock.monotonicNanos();
                for (byte[] frame : frames) {
                    channel.send(frame);
                }
                check.onSent(sendingAt);
            }
            for (Packet packet : step.toSend()) {
                trace.sent(packet);
            }
            if (check.done()) {
                return check.outcome();
            }
            long wait = step.wakeAtNanos() == CheckStep.NO_TIMER
                    ? LONGEST_WAIT_NANOS
                    : Math.min(step.wakeAtNanos() - clock.monotonicNanos(), LONGEST_WAIT_NANOS);
            // Even past the wake-up time, look first: a reply may be queued that arrived in time.
            ReceivedFrame frame = channel.receive(Math.max(0, wait));
            long now = clock.monotonicNanos();
            if (frame == null) {
                step = check.onTimer(now);
            } else {
                Packet packet = PacketDecoder.decode(frame.frame());
                step = check.onPacket(packet, capturedAt(frame, now), now);
                trace.received(packet, step.ignoredBecause());
            }
        }
    }

    /**
     * Interrupts the check from another thread (SIGTERM from a monitoring system's timeout, SIGINT,
     * the parent's death): resets whatever the real server may hold of our connection, so that
     * nothing is left half-open on it, and makes {@link #run} send nothing more.
     *
     * @return whether there was anything to reset
     */
    public boolean interrupt() throws IOException {
        synchronized (sending) {
            abandoned = true;
            for (Packet packet : resets) {
                channel.send(packet.encode());
                trace.sent(packet);
            }
            return !resets.isEmpty();
        }
    }

    /** Makes {@link #run} send nothing at all: the check was interrupted before it began. */
    void abandon() {
        synchronized (sending) {
            abandoned = true;
        }
    }

    /**
     * The kernel's realtime stamp of a frame, on the monotonic clock. The two clocks are related
     * anew for every frame, so a wall clock stepped during the check moves no latency or deadline;
     * and a stamp is never later than now.
     */
    private long capturedAt(ReceivedFrame frame, long now) {
        return Math.min(frame.timestampNanos() + realtimeToMonotonic(clock), now);
    }

    /**
     * What to add to a realtime stamp to place it on the monotonic clock: the tightest of a few
     * readings of the realtime clock between two monotonic ones, so that a read delayed by a cold
     * code path does not land in the latency.
     */
    static long realtimeToMonotonic(CheckClock clock) {
        long offset = 0;
        long tightest = Long.MAX_VALUE;
        for (int reading = 0; reading < 3; reading++) {
            long before = clock.monotonicNanos();
            long realtime = clock.realtimeNanos();
            long after = clock.monotonicNanos();
            if (after - before < tightest) {
                tightest = after - before;
                offset = before + tightest / 2 - realtime;
            }
        }
        return offset;
    }
}
