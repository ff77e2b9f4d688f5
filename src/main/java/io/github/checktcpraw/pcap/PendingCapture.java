package io.github.checktcpraw.pcap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A capture being opened on a background thread, so that the slow half of opening overlaps the
 * caller's own set-up on a second core.
 *
 * <p>Opening costs a fresh JVM about 40 ms (measured): loading libpcap and its libraries, generating
 * the downcall stub, the first calls through it, and the kernel's ring set-up in pcap_activate. None
 * of it needs more than the interface name, while the filter needs what the caller works out
 * meanwhile (addresses, interface, source port). {@link #start} begins the first half at once;
 * {@link #finish} compiles the filter, waits for the first half and installs the filter.
 *
 * <p>{@link #finish} or {@link #abandon} must follow {@link #start}, from the thread that called it;
 * {@link #abandon} after {@link #finish} does nothing, so a caller can always end with it.
 */
public final class PendingCapture {

    private final String device;
    private final Thread opener;
    // Guarded by this: what the opener made of it, and whether the caller has given up on it.
    private boolean openerDone;
    private boolean abandoned;
    private Pcap activated;
    /** What the open threw instead: a PcapException, a RuntimeException or an Error. */
    private Throwable failure;
    /** Touched by the caller's thread only. */
    private boolean handedOver;

    private PendingCapture(String device) {
        this.device = device;
        this.opener = new Thread(this::activate, "pcap-open");
        // A daemon: a JVM that ends without halting (a test, the AOT training) must not wait for it.
        opener.setDaemon(true);
    }

    /**
     * Starts opening a capture on {@code device} in the background.
     *
     * @param device the interface, for example {@code "eth0"}; checked by libpcap, failures come
     *               from {@link #finish}
     */
    public static PendingCapture start(String device) {
        PendingCapture pending = new PendingCapture(device);
        try {
            pending.opener.start();
        } catch (OutOfMemoryError noThreadLeft) {
            // A limit on tasks (RLIMIT_NPROC, a cgroup's pids.max, systemd's TasksMax for a busy
            // monitoring daemon) with no room for one more thread: open here, only slower. Joining
            // the opener that never started then returns at once.
            pending.activate();
        }
        return pending;
    }

    /**
     * Compiles {@code bpfFilter}, waits for the capture, then installs the filter; see
     * {@link PcapFrameChannel#open}.
     *
     * @throws PcapException as {@link PcapFrameChannel#open} does, whichever half failed (a failed
     *                       open first)
     */
    public PcapFrameChannel finish(String bpfFilter) throws PcapException {
        // While the opener, most likely, still works.
        rehearseReceive();
        BpFilter filter;
        try {
            filter = PcapFrameChannel.compile(device, bpfFilter);
        } catch (PcapException | RuntimeException compileFailed) {
            takeActivated().close(); // an open that failed too is reported first, as open() does
            throw compileFailed;
        }
        try (filter) {
            return PcapFrameChannel.filtered(takeActivated(), filter);
        }
    }

    /**
     * Gives the capture up when the check ends before {@link #finish}: closes it, or has the opener
     * close it as soon as it is open. Never waits for the opener. Does nothing after
     * {@link #finish}.
     */
    public void abandon() {
        if (handedOver) {
            return;
        }
        handedOver = true;
        Pcap toClose;
        synchronized (this) {
            abandoned = true;
            if (!openerDone) {
                return;
            }
            toClose = activated;
        }
        if (toClose != null) {
            closeQuietly(toClose);
        }
    }

    /** @return the interface this capture is being opened on */
    public String device() {
        return device;
    }

    private Pcap takeActivated() throws PcapException {
        if (handedOver) {
            throw new IllegalStateException("the capture on \"" + device + "\" was already taken");
        }
        handedOver = true;
        awaitOpener();
        synchronized (this) {
            // instanceof, not a type switch: that would spin a class at run time on every check.
            if (failure instanceof PcapException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return activated; // failure is null: activate() catches nothing else
        }
    }

    /**
     * Joins the opener, as an open in the caller's own thread would have waited for libpcap: it
     * ends on its own (pcap_activate waits for the kernel, not for the network).
     */
    private void awaitOpener() {
        boolean interrupted = false;
        while (true) {
            try {
                opener.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void activate() {
        Pcap opened = null;
        Throwable failed = null;
        try {
            opened = PcapFrameChannel.activate(device);
        } catch (PcapException | RuntimeException | Error e) {
            failed = e;
        }
        boolean giveUp;
        synchronized (this) {
            openerDone = true;
            activated = opened;
            failure = failed;
            giveUp = abandoned;
        }
        if (giveUp && opened != null) {
            closeQuietly(opened);
        }
    }

    /**
     * Closes a capture nobody will use. It runs where the check is already ending for a reason of
     * its own (a bad host name, say), which a failing close must not replace.
     */
    private static void closeQuietly(Pcap unused) {
        try {
            unused.close();
        } catch (RuntimeException | Error ignored) {
            // nothing the check could report better than what ended it
        }
    }

    /**
     * Runs the Java side of receiving once, on memory of its own: the first read of each memory
     * layout links a VarHandle and spins classes (5-12 ms in a fresh JVM, measured), which would
     * otherwise land between the ARP request and the handling of its reply.
     */
    @SuppressWarnings("restricted")
    private static void rehearseReceive() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(PcapPacket.HEADER_SIZE, 8);
            MemorySegment slot = arena.allocate(ADDRESS);
            slot.set(ADDRESS, 0, header);
            header.set(JAVA_SHORT, 0, header.get(JAVA_SHORT, 2));
            PcapPacket.copyOf(slot.get(ADDRESS, 0).reinterpret(PcapPacket.HEADER_SIZE), header, true);
        }
    }
}
