package io.github.checktcpraw.pcap;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.github.checktcpraw.check.FrameChannel;
import io.github.checktcpraw.check.ReceivedFrame;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * The production {@link FrameChannel}: a libpcap capture on one interface, filtered in the kernel,
 * with nanosecond kernel stamps, that also sends frames.
 *
 * <p>{@link #receive} waits with poll(2) on libpcap's selectable file descriptor, so a timeout is a
 * real kernel wait, not sleep-polling.
 *
 * <p>Threads: one thread receives; {@link #send} and {@link #close} may come from any thread, in
 * particular from a shutdown hook that resets a half-open connection while the main thread waits in
 * {@code receive}. Native calls are counted in and out; close marks the channel closed and the
 * last call to leave frees the libpcap handle and its memory, so nothing is freed under a running
 * call. A close during a receive therefore takes effect when that receive returns (at most its
 * timeout later); close itself never blocks.
 */
public final class PcapFrameChannel implements FrameChannel {

    /** Enough for Ethernet, IPv4 and TCP headers with options; payload is of no interest. */
    static final int SNAPLEN = 256;

    // struct pollfd {int fd; short events; short revents;} and its poll.h flags
    private static final long POLLFD_SIZE = 8;
    private static final long POLLFD_FD = 0;
    private static final long POLLFD_EVENTS = 4;
    private static final long POLLFD_REVENTS = 6;
    private static final short POLLIN = 0x001;
    private static final short POLLERR = 0x008;
    private static final short POLLHUP = 0x010;
    private static final short POLLNVAL = 0x020;
    /**
     * poll fails only for a signal (EINTR) or on a broken program (EFAULT, EINVAL, ENOMEM); errno is
     * not captured (that would cost a call shape of its own), so a failure is a wake-up, and this
     * many in a row end the receive.
     */
    private static final int POLL_FAILURES_TOLERATED = 100;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    /** Bounds the read-away in {@link #filtered}, should matching frames keep arriving meanwhile. */
    private static final int STALE_MATCHES_READ_AT_MOST = 1_000;

    private final Pcap pcap;
    private final MemorySegment pollFd;

    // Guarded by this: how many threads are inside libpcap, whether close was asked for, and whether
    // the handle is gone.
    private int callsInProgress;
    private boolean closeRequested;
    private boolean released;
    /** Consecutive poll failures; only the receiving thread touches it. */
    private int pollFailures;

    private PcapFrameChannel(Pcap pcap, int selectableFd) {
        this.pcap = pcap;
        // Allocated once, from the handle's shared arena: freed with the handle, never per packet.
        this.pollFd = pcap.arena().allocate(POLLFD_SIZE, 4);
        pollFd.set(JAVA_INT, POLLFD_FD, selectableFd);
        pollFd.set(JAVA_SHORT, POLLFD_EVENTS, POLLIN);
    }

    /**
     * Opens a capture on {@code device} that sees only frames matching {@code bpfFilter}: snapshot
     * length 256 bytes, not promiscuous, immediate mode, nanosecond stamps, the filter
     * compiled and installed in the kernel, non-blocking.
     *
     * @param device    the interface, for example {@code "eth0"}
     * @param bpfFilter a tcpdump filter expression
     * @throws PcapException when libpcap is missing, the device does not exist, privileges are
     *                       lacking (root or CAP_NET_RAW) or the filter does not compile
     */
    public static PcapFrameChannel open(String device, String bpfFilter) throws PcapException {
        Pcap pcap = activate(device);
        try (BpFilter filter = compile(device, bpfFilter)) {
            return filtered(pcap, filter);
        } catch (PcapException | RuntimeException e) {
            pcap.close();
            throw e;
        }
    }

    /**
     * Compiles a filter for an Ethernet capture on {@code device} without opening one, so that it can
     * run while the capture is activated ({@link PendingCapture}). Needs no privilege.
     */
    static BpFilter compile(String device, String bpfFilter) throws PcapException {
        try (Pcap dead = Pcap.openDead(device, Pcap.DLT_EN10MB, SNAPLEN)) {
            return dead.compile(bpfFilter, true, Pcap.PCAP_NETMASK_UNKNOWN);
        }
    }

    /**
     * The slow first half of {@link #open}, which needs nothing but the interface name (so
     * {@link PendingCapture} can run it early): libpcap loaded, the capture created, configured,
     * activated and made non-blocking, and every native function a check calls looked up.
     */
    static Pcap activate(String device) throws PcapException {
        Libpcap.prepare();
        Pcap pcap = Pcap.create(device);
        try {
            pcap.setSnaplen(SNAPLEN)
                    .setPromisc(false)
                    .setImmediateMode(true)
                    .setTstampPrecision(Pcap.PCAP_TSTAMP_PRECISION_NANO)
                    .activate(); // a positive warning (say, no promiscuous support) is harmless here
            pcap.setNonBlock(true);
            // Every function resolved now (Libpcap.prepare's loader has done most): the check stamps
            // a request just before sending it, and nothing may be looked up in between.
            for (Libpcap.Symbol symbol : Libpcap.Symbol.values()) {
                symbol.link();
            }
            return pcap;
        } catch (PcapException | RuntimeException e) {
            pcap.close();
            throw e;
        }
    }

    /**
     * The second half of {@link #open}: installs the filter in the kernel, then reads away what the
     * capture holds from before; closes {@code pcap} on failure.
     *
     * <p>Until the filter is there, the kernel copies every frame on the interface into the capture's
     * ring, and a {@link PendingCapture} is activated well before its filter exists. On a busy
     * director the ring (about 6,000 frames) can fill in that time, and a full ring drops the reply
     * the check is about to ask for. libpcap filters such stale frames in user space as it reads
     * them, skipping all that do not match in one call; nothing that matches can be a reply either,
     * since no request has gone out yet.
     */
    static PcapFrameChannel filtered(Pcap pcap, BpFilter filter) throws PcapException {
        try {
            pcap.setFilter(filter);
            for (int read = 0; read < STALE_MATCHES_READ_AT_MOST && pcap.nextEx() != null; read++) {
                // a matching frame from before the check's first request: not for it
            }
            return new PcapFrameChannel(pcap, pcap.getSelectableFd());
        } catch (PcapException | RuntimeException e) {
            pcap.close();
            throw e;
        }
    }

    /** @return the interface this channel captures on and sends through */
    public String device() {
        return pcap.device();
    }

    /**
     * Sends one frame with pcap_sendpacket. Safe to call from another thread while {@link #receive}
     * waits.
     *
     * @throws IOException with libpcap's error text, or when the channel is closed
     */
    @Override
    public void send(byte[] frame) throws IOException {
        enter();
        try {
            pcap.sendPacket(frame);
        } catch (PcapException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            leave();
        }
    }

    /**
     * Returns the next frame the filter let through: one already queued at once, otherwise the first
     * to arrive within {@code timeoutNanos}.
     *
     * @param timeoutNanos how long to wait; 0 (or less) only looks
     * @return the frame with its kernel stamp, or {@code null} when none arrived in time
     * @throws IOException with libpcap's error text, when poll fails, or when the channel is closed
     */
    @Override
    public ReceivedFrame receive(long timeoutNanos) throws IOException {
        long start = System.nanoTime();
        enter();
        try {
            boolean socketError = false;
            while (true) {
                // Also reports, in libpcap's words, a socket error that poll flagged (its own
                // non-blocking read polls once for exactly that).
                PcapPacket packet = pcap.nextEx();
                if (packet != null) {
                    return new ReceivedFrame(packet.data(), packet.timestampNanos());
                }
                if (socketError) {
                    throw new IOException("poll on the capture of \"" + pcap.device()
                            + "\": the capture socket reports an error; is the interface down?");
                }
                long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    return null;
                }
                // Rounded up, so poll never gives up before the deadline; a wake-up with nothing to
                // read (a signal, a packet libpcap skips) goes round again with what remains.
                socketError = waitUntilReadable(
                        (int) Math.min(Integer.MAX_VALUE, Math.ceilDiv(remaining, NANOS_PER_MILLI)));
            }
        } catch (PcapException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            leave();
        }
    }

    /**
     * Closes the channel; idempotent, never blocks. If a receive or send is in progress, the last
     * one to finish releases the libpcap handle.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closeRequested) {
                return;
            }
            closeRequested = true;
            if (callsInProgress > 0) {
                return;
            }
            released = true;
        }
        pcap.close();
    }

    /**
     * {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} on the selectable fd.
     *
     * @return whether the socket reported an error (POLLERR, POLLHUP or POLLNVAL)
     */
    private boolean waitUntilReadable(int timeoutMillis) throws PcapException, IOException {
        pollFd.set(JAVA_SHORT, POLLFD_REVENTS, (short) 0);
        if ((int) Libpcap.call(Libpcap.Symbol.POLL, Libpcap.address(pollFd), 1, timeoutMillis) >= 0) {
            pollFailures = 0;
            return (pollFd.get(JAVA_SHORT, POLLFD_REVENTS) & (POLLERR | POLLHUP | POLLNVAL)) != 0;
        }
        if (++pollFailures >= POLL_FAILURES_TOLERATED) {
            throw new IOException("poll on the capture of \"" + pcap.device() + "\" keeps failing");
        }
        return false;
    }

    private synchronized void enter() throws IOException {
        if (closeRequested) {
            throw new IOException("the capture on \"" + pcap.device() + "\" is closed");
        }
        callsInProgress++;
    }

    private void leave() {
        synchronized (this) {
            callsInProgress--;
            if (!closeRequested || callsInProgress > 0 || released) {
                return;
            }
            released = true;
        }
        pcap.close();
    }
}
