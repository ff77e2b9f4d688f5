package io.github.checktcpraw.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.github.checktcpraw.check.FrameChannel;
import io.github.checktcpraw.check.ReceivedFrame;
import io.github.checktcpraw.packet.BpfProgram;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;

/**
 * The production {@link FrameChannel}: a Linux packet socket (packet(7)) on one interface that sends
 * whole Ethernet frames and receives only what its kernel filter admits, each with the kernel's
 * receive stamp.
 *
 * <p>It is opened unbound ({@code protocol} 0 receives nothing), given its filter, and only then
 * bound to the interface for every protocol, so not one unfiltered frame is ever queued. Replies are
 * read with recvmsg(2) and {@code SO_TIMESTAMPNS}, waits are poll(2): a timeout is a kernel wait, not
 * sleep-polling. There is no ring (libpcap's TPACKET_V3 costs two more RCU grace periods to set up
 * and tear down); the one in close(2) remains.
 *
 * <p>Threads: one thread receives; {@link #send} and {@link #close} may come from any other, in
 * particular a shutdown hook that resets a half-open connection while the check waits. Calls are
 * counted in and out, and the last one to leave after {@link #close} closes the descriptor and frees
 * the memory, so nothing is freed under a running call; close never waits for another thread's call
 * (close(2) itself waits for an RCU grace period, in the thread that makes it).
 */
public final class PacketSocket implements FrameChannel {

    // From linux/socket.h, linux/if_ether.h, asm-generic/socket.h, sys/socket.h and poll.h.
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int ETH_P_ALL = 0x0003;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int SO_TIMESTAMPNS = 35;
    private static final int MSG_DONTWAIT = 0x40;
    private static final short POLLIN = 0x001;

    // struct sockaddr_ll {u16 family; be16 protocol; s32 ifindex; u16 hatype; u8 pkttype, halen; u8 addr[8];}
    private static final long SOCKADDR_LL_SIZE = 20;
    // struct sock_fprog {u16 len; struct sock_filter *filter;}, struct sock_filter {u16 code; u8 jt, jf; u32 k;}
    private static final long SOCK_FPROG_SIZE = 16;
    private static final long SOCK_FILTER_SIZE = 8;
    // struct msghdr on LP64: name, namelen, iov, iovlen, control, controllen, flags
    private static final long MSGHDR_SIZE = 56;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSG_CONTROL = 32;
    private static final long MSG_CONTROLLEN = 40;
    private static final long IOVEC_SIZE = 16;
    // struct cmsghdr {size_t len; int level; int type;} then the data, 8-aligned: here a struct timespec
    private static final long CMSG_HEADER = 16;
    private static final long CONTROL_SIZE = 64;
    // struct pollfd {int fd; short events; short revents;}
    private static final long POLLFD_SIZE = 8;
    /** The largest frame we send: an untagged Ethernet frame without FCS. */
    private static final int SEND_BUFFER_SIZE = 1514;
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final int fd;
    private final String interfaceName;
    /** Shared: a shutdown hook sends from its own thread, and the socket may be closed from either. */
    private final Arena arena;
    private final MemorySegment sendBuffer;
    private final MemorySegment receiveBuffer;
    private final MemorySegment message;
    private final MemorySegment control;
    private final MemorySegment pollFd;

    // Guarded by this: how many calls are inside the socket, whether close was asked for, whether it is done.
    private int callsInProgress;
    private boolean closeRequested;
    private boolean released;

    private PacketSocket(int fd, String interfaceName, Arena arena, int snapshotLength) {
        this.fd = fd;
        this.interfaceName = interfaceName;
        this.arena = arena;
        this.sendBuffer = arena.allocate(SEND_BUFFER_SIZE);
        this.receiveBuffer = arena.allocate(snapshotLength);
        this.control = arena.allocate(CONTROL_SIZE, 8);
        MemorySegment iovec = arena.allocate(IOVEC_SIZE, 8);
        iovec.set(JAVA_LONG, 0, receiveBuffer.address());
        iovec.set(JAVA_LONG, 8, receiveBuffer.byteSize());
        this.message = arena.allocate(MSGHDR_SIZE, 8);
        message.set(JAVA_LONG, MSG_IOV, iovec.address());
        message.set(JAVA_LONG, MSG_IOVLEN, 1);
        message.set(JAVA_LONG, MSG_CONTROL, control.address());
        this.pollFd = arena.allocate(POLLFD_SIZE, 4);
        pollFd.set(JAVA_INT, 0, fd);
        pollFd.set(JAVA_SHORT, 4, POLLIN);
        // The first copy into native memory runs cold code: here, not between a send stamp and its send.
        MemorySegment.copy(new byte[1], 0, sendBuffer, JAVA_BYTE, 0, 1);
    }

    /**
     * Opens a packet socket on an interface that receives only the frames {@code filter} admits,
     * each with its kernel receive stamp.
     *
     * @param interfaceIndex the interface's index (/sys/class/net/NAME/ifindex)
     * @param interfaceName  its name, for messages
     * @param snapshotLength the most bytes of a frame the filter keeps
     * @throws ErrnoException when the system refuses: {@link ErrnoException#notPermitted()} without
     *     root or CAP_NET_RAW, ENODEV when the interface is gone
     */
    public static PacketSocket open(int interfaceIndex, String interfaceName, BpfProgram filter, int snapshotLength)
            throws ErrnoException {
        int early = EarlySocket.take();
        int fd = early >= 0 ? early : unboundWithTimestamps();
        Arena arena = Arena.ofShared();
        try {
            Libc.setsockopt("attaching the packet filter", fd, SOL_SOCKET, SO_ATTACH_FILTER, program(arena, filter));
            MemorySegment address = arena.allocate(SOCKADDR_LL_SIZE, 4);
            address.set(JAVA_SHORT, 0, (short) AF_PACKET);
            address.set(JAVA_BYTE, 2, (byte) (ETH_P_ALL >>> 8)); // network byte order
            address.set(JAVA_BYTE, 3, (byte) ETH_P_ALL);
            address.set(JAVA_INT, 4, interfaceIndex);
            Libc.bind("binding to interface \"" + interfaceName + "\"", fd, address);
            return new PacketSocket(fd, interfaceName, arena, snapshotLength);
        } catch (ErrnoException | RuntimeException | Error e) {
            Libc.close(fd);
            arena.close();
            throw e;
        }
    }

    /**
     * Makes the one downcall stub every native call shares, and looks the functions up, on a thread
     * of its own: a fresh JVM pays dearly for it, and a second core can spend that while the first
     * parses the command line and looks the interface up. Returns at once; the first call
     * that needs the stub waits for it (or makes it, if no thread could be started).
     */
    public static void prepareInBackground() {
        EarlySocket.linkInBackground();
    }

    /**
     * Tells the background preparation that a raw check will follow, so that it opens the check's
     * socket as soon as it can, with kernel timestamps on: see {@link EarlySocket} for why early.
     */
    public static void expectOne() {
        EarlySocket.expect();
    }

    /**
     * Keeps the kernel's receive stamping on for as long as this process lives, with a socket that
     * receives nothing: then no check's socket waits for the kernel to turn it on (see
     * {@link EarlySocket}), and no check turns it off again behind it. For a long-lived process, whose
     * checks open their sockets when they need them: no early socket from now on.
     */
    public static void keepReceiveStampingOn() throws ErrnoException {
        EarlySocket.retire();
        unboundWithTimestamps(); // never closed: the process's exit closes it
    }

    /** {@code socket(AF_PACKET, SOCK_RAW, 0)}, which receives nothing until bound, with SO_TIMESTAMPNS on. */
    static int unboundWithTimestamps() throws ErrnoException {
        int fd = Libc.socket(AF_PACKET, SOCK_RAW, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment on = arena.allocate(JAVA_INT);
            on.set(JAVA_INT, 0, 1);
            Libc.setsockopt("asking for packet timestamps", fd, SOL_SOCKET, SO_TIMESTAMPNS, on);
            return fd;
        } catch (ErrnoException | RuntimeException | Error e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** Sends one frame; safe while another thread waits in {@link #receive}. */
    @Override
    public void send(byte[] frame) throws IOException {
        if (frame.length > SEND_BUFFER_SIZE) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes is longer than Ethernet allows");
        }
        enter();
        try {
            synchronized (sendBuffer) {
                MemorySegment.copy(frame, 0, sendBuffer, JAVA_BYTE, 0, frame.length);
                Libc.send(fd, sendBuffer, frame.length, 0);
            }
        } catch (ErrnoException e) {
            throw new IOException("sending on interface \"" + interfaceName + "\": " + e.getMessage(), e);
        } finally {
            leave();
        }
    }

    /**
     * Returns the next frame the filter admitted: one already queued at once, otherwise the first to
     * arrive within {@code timeoutNanos}.
     *
     * @param timeoutNanos how long to wait; 0 (or less) only looks
     * @return the frame with its kernel stamp, or {@code null} when none arrived in time
     */
    @Override
    public ReceivedFrame receive(long timeoutNanos) throws IOException {
        long start = System.nanoTime();
        enter();
        try {
            while (true) {
                message.set(JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
                long received = Libc.recvmsg(fd, message, MSG_DONTWAIT);
                if (received >= 0) {
                    return new ReceivedFrame(receiveBuffer.asSlice(0, Math.min(received, receiveBuffer.byteSize()))
                            .toArray(JAVA_BYTE), kernelStamp());
                }
                if (received != -Libc.EAGAIN && received != -Libc.EINTR) {
                    throw failure("receiving", (int) -received);
                }
                long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0) {
                    return null;
                }
                // Rounded up, so that poll never gives up before the deadline; whatever woke it (a frame,
                // a socket error, a signal), recvmsg says next.
                int ready = Libc.poll(pollFd, 1, (int) Math.min(Integer.MAX_VALUE, Math.ceilDiv(remaining, NANOS_PER_MILLI)));
                if (ready < 0 && ready != -Libc.EINTR) {
                    throw failure("waiting", -ready);
                }
            }
        } finally {
            leave();
        }
    }

    /**
     * Closes the socket; idempotent. It never waits for a call in progress on another thread, which
     * closes it when it returns; whichever closes it waits in close(2) for an RCU grace period.
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
        release();
    }

    /** The SCM_TIMESTAMPNS control message's {@code struct timespec}, or now if the kernel sent none. */
    private long kernelStamp() {
        long length = message.get(JAVA_LONG, MSG_CONTROLLEN);
        for (long at = 0; at + CMSG_HEADER + 16 <= length; ) {
            long cmsgLength = control.get(JAVA_LONG, at);
            if (control.get(JAVA_INT, at + 8) == SOL_SOCKET && control.get(JAVA_INT, at + 12) == SO_TIMESTAMPNS) {
                return control.get(JAVA_LONG, at + CMSG_HEADER) * 1_000_000_000L
                        + control.get(JAVA_LONG, at + CMSG_HEADER + 8);
            }
            if (cmsgLength < CMSG_HEADER) {
                break;
            }
            at += (cmsgLength + 7) & ~7L;
        }
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private IOException failure(String what, int errno) {
        return new IOException(what + " on interface \"" + interfaceName + "\": " + Libc.strerror(errno));
    }

    private static MemorySegment program(Arena arena, BpfProgram filter) {
        MemorySegment instructions = arena.allocate(SOCK_FILTER_SIZE * filter.length(), 8);
        for (int i = 0; i < filter.length(); i++) {
            long at = i * SOCK_FILTER_SIZE;
            instructions.set(JAVA_SHORT, at, (short) filter.code(i));
            instructions.set(JAVA_BYTE, at + 2, (byte) filter.jumpIfTrue(i));
            instructions.set(JAVA_BYTE, at + 3, (byte) filter.jumpIfFalse(i));
            instructions.set(JAVA_INT, at + 4, filter.constant(i));
        }
        MemorySegment program = arena.allocate(SOCK_FPROG_SIZE, 8);
        program.set(JAVA_SHORT, 0, (short) filter.length());
        program.set(JAVA_LONG, 8, instructions.address());
        return program;
    }

    private synchronized void enter() throws IOException {
        if (closeRequested) {
            throw new IOException("the packet socket on interface \"" + interfaceName + "\" is closed");
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
        release();
    }

    private void release() {
        Libc.close(fd);
        arena.close();
    }
}
