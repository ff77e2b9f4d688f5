package io.github.checktcpraw.pcap;

import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_ACTIVATE;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_CLOSE;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_COMPILE;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_CREATE;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_GETERR;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_GET_SELECTABLE_FD;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_NEXT_EX;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_OPEN_DEAD;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_SENDPACKET;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_SETFILTER;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_SETNONBLOCK;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_SET_IMMEDIATE_MODE;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_SET_PROMISC;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_SET_SNAPLEN;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_SET_TSTAMP_PRECISION;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_STATUSTOSTR;
import static io.github.checktcpraw.pcap.Libpcap.Symbol.PCAP_STRERROR;
import static io.github.checktcpraw.pcap.PcapException.PCAP_ERROR;
import static io.github.checktcpraw.pcap.PcapException.PCAP_ERROR_PERM_DENIED;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A libpcap capture handle ({@code pcap_t *}) bound with java.lang.foreign: one method per libpcap
 * function, named as in jnetpcap v2's {@code org.jnetpcap.Pcap}, so that jnetpcap could replace
 * this package without its callers noticing. Every failure is a {@link PcapException} whose message
 * names the function and device and carries libpcap's own text.
 *
 * <p>Not thread-safe, with one exception: {@link #sendPacket} may run while another thread is in
 * {@link #nextEx}, because on Linux pcap_sendpacket is a single send(2) on the capture socket and
 * touches no capture state. {@link #close} must not run while any other call is in progress;
 * {@link PcapFrameChannel} arranges that.
 */
public final class Pcap implements AutoCloseable {

    /** PCAP_TSTAMP_PRECISION_MICRO: {@code tv_usec} holds microseconds (libpcap's default). */
    public static final int PCAP_TSTAMP_PRECISION_MICRO = 0;
    /** PCAP_TSTAMP_PRECISION_NANO: {@code tv_usec} holds nanoseconds. */
    public static final int PCAP_TSTAMP_PRECISION_NANO = 1;
    /** DLT_EN10MB: the link type of Ethernet (and of Linux loopback) captures. */
    public static final int DLT_EN10MB = 1;
    /** PCAP_NETMASK_UNKNOWN: for {@link #compile} when the netmask does not matter. */
    public static final int PCAP_NETMASK_UNKNOWN = 0xffffffff;

    /** The longest frame {@link #sendPacket} takes: an untagged Ethernet frame without FCS. */
    static final int SEND_BUFFER_SIZE = 1514;

    /** pcap_next_ex's "a packet was read"; 0 means none was ready. */
    private static final int PACKET_READ = 1;
    /** PCAP_ERROR_BREAK: pcap_breakloop was called (this package never does). */
    private static final int PCAP_ERROR_BREAK = -2;

    private final String device;
    /**
     * Shared for a capture: it may be closed on another thread (a shutdown hook) than the one
     * capturing, or opened on one and used on another ({@link PendingCapture}). Confined for a dead
     * handle.
     */
    private final Arena arena;
    private final MemorySegment pcap;
    private final MemorySegment errbuf;
    /** pcap_next_ex's out-parameters, allocated once rather than per packet. */
    private final MemorySegment headerSlot;
    private final MemorySegment dataSlot;
    /** Frames to send are copied here; a shutdown hook may send while the main thread does. */
    private final MemorySegment sendBuffer;
    private boolean nanoStamps;
    private boolean closed;

    private Pcap(String device, Arena arena, MemorySegment pcap, MemorySegment errbuf) {
        this.device = device;
        this.arena = arena;
        this.pcap = pcap;
        this.errbuf = errbuf;
        this.headerSlot = arena.allocate(ADDRESS);
        this.dataSlot = arena.allocate(ADDRESS);
        this.sendBuffer = arena.allocate(SEND_BUFFER_SIZE);
    }

    /**
     * Creates a capture handle for a network interface; set its options, then {@link #activate}.
     * <p>{@code pcap_t *pcap_create(const char *source, char *errbuf)}, libpcap 1.0.
     *
     * @param device the interface name, for example {@code "eth0"}
     */
    public static Pcap create(String device) throws PcapException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment errbuf = arena.allocate(Libpcap.ERRBUF_SIZE);
            MemorySegment pcap = Libpcap.pointer(Libpcap.call(PCAP_CREATE, Libpcap.address(arena.allocateFrom(device)),
                    Libpcap.address(errbuf)));
            if (pcap.equals(MemorySegment.NULL)) {
                throw new PcapException(PCAP_ERROR,
                        describe("pcap_create", device, PCAP_ERROR, Libpcap.cString(errbuf)));
            }
            return new Pcap(device, arena, pcap, errbuf);
        } catch (PcapException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Creates a handle that captures nothing, for compiling filters without a device or privilege.
     * <p>{@code pcap_t *pcap_open_dead(int linktype, int snaplen)}, libpcap 0.6.
     *
     * @param device   the interface the filters are meant for: named in error messages only
     * @param linktype a DLT_* link type, for example {@link #DLT_EN10MB}
     */
    static Pcap openDead(String device, int linktype, int snaplen) throws PcapException {
        Arena arena = Arena.ofConfined(); // used and closed by the thread that opens it
        try {
            MemorySegment pcap = Libpcap.pointer(Libpcap.call(PCAP_OPEN_DEAD, linktype, snaplen));
            if (pcap.equals(MemorySegment.NULL)) {
                throw new PcapException(PCAP_ERROR, describe("pcap_open_dead", device, PCAP_ERROR, "out of memory"));
            }
            return new Pcap(device, arena, pcap, arena.allocate(Libpcap.ERRBUF_SIZE));
        } catch (PcapException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** @return the interface this handle captures on */
    public String device() {
        return device;
    }

    /**
     * Sets how many bytes of each packet are captured.
     * <p>{@code int pcap_set_snaplen(pcap_t *p, int snaplen)}, libpcap 1.0.
     */
    public Pcap setSnaplen(int snaplen) throws PcapException {
        checkOption("pcap_set_snaplen", (int) Libpcap.call(PCAP_SET_SNAPLEN, handle(), snaplen));
        return this;
    }

    /**
     * Turns promiscuous mode on or off (off by default).
     * <p>{@code int pcap_set_promisc(pcap_t *p, int promisc)}, libpcap 1.0.
     */
    public Pcap setPromisc(boolean promisc) throws PcapException {
        checkOption("pcap_set_promisc", (int) Libpcap.call(PCAP_SET_PROMISC, handle(), promisc ? 1 : 0));
        return this;
    }

    /**
     * Turns immediate mode on: each packet is delivered as it arrives, not buffered.
     * <p>{@code int pcap_set_immediate_mode(pcap_t *p, int immediate_mode)}, libpcap 1.5.
     */
    public Pcap setImmediateMode(boolean immediate) throws PcapException {
        checkOption("pcap_set_immediate_mode",
                (int) Libpcap.call(PCAP_SET_IMMEDIATE_MODE, handle(), immediate ? 1 : 0));
        return this;
    }

    /**
     * Chooses microsecond or nanosecond packet stamps; {@link #nextEx} decodes them accordingly.
     * <p>{@code int pcap_set_tstamp_precision(pcap_t *p, int tstamp_precision)}, libpcap 1.5.
     *
     * @param precision {@link #PCAP_TSTAMP_PRECISION_MICRO} or {@link #PCAP_TSTAMP_PRECISION_NANO}
     */
    public Pcap setTstampPrecision(int precision) throws PcapException {
        checkOption("pcap_set_tstamp_precision", (int) Libpcap.call(PCAP_SET_TSTAMP_PRECISION, handle(), precision));
        nanoStamps = precision == PCAP_TSTAMP_PRECISION_NANO;
        return this;
    }

    /**
     * Opens the capture with the options set so far.
     * <p>{@code int pcap_activate(pcap_t *p)}, libpcap 1.0.
     *
     * @return 0, or a positive PCAP_WARNING_* code (the capture works; {@link #geterr} explains)
     * @throws PcapException for a negative status; for PCAP_ERROR_PERM_DENIED the message says that
     *                       root or CAP_NET_RAW is needed
     */
    public int activate() throws PcapException {
        int status = (int) Libpcap.call(PCAP_ACTIVATE, handle());
        if (status < 0) {
            String message = describe("pcap_activate", device, status, geterr());
            if (status == PCAP_ERROR_PERM_DENIED) {
                message += ": capturing needs root or the CAP_NET_RAW capability";
            }
            throw new PcapException(status, message);
        }
        return status;
    }

    /**
     * Compiles a filter expression (tcpdump syntax) into a BPF program for {@link #setFilter}.
     * <p>{@code int pcap_compile(pcap_t *p, struct bpf_program *fp, const char *str, int optimize,
     * bpf_u_int32 netmask)}, libpcap 0.4.
     *
     * @param netmask the IPv4 netmask, or {@link #PCAP_NETMASK_UNKNOWN}
     * @throws PcapException with libpcap's compile error (for example a syntax error)
     */
    public BpFilter compile(String expression, boolean optimize, int netmask) throws PcapException {
        Arena filterArena = Arena.ofConfined();
        BpFilter filter = new BpFilter(filterArena, expression);
        try {
            int status = (int) Libpcap.call(PCAP_COMPILE, handle(), Libpcap.address(filter.program()),
                    Libpcap.address(filterArena.allocateFrom(expression)), optimize ? 1 : 0, netmask);
            if (status != 0) {
                throw new PcapException(status,
                        describe("pcap_compile", device, status, geterr()) + " (filter \"" + expression + "\")");
            }
            filter.markCompiled();
            return filter;
        } catch (PcapException | RuntimeException e) {
            filter.close();
            throw e;
        }
    }

    /**
     * Installs a compiled filter; on Linux the kernel then drops non-matching packets itself.
     * <p>{@code int pcap_setfilter(pcap_t *p, struct bpf_program *fp)}, libpcap 0.4.
     */
    public Pcap setFilter(BpFilter filter) throws PcapException {
        int status = (int) Libpcap.call(PCAP_SETFILTER, handle(), Libpcap.address(filter.program()));
        if (status != 0) {
            throw new PcapException(status, describe("pcap_setfilter", device, status, geterr()));
        }
        return this;
    }

    /**
     * Switches non-blocking mode: {@link #nextEx} then returns at once when no packet is ready.
     * <p>{@code int pcap_setnonblock(pcap_t *p, int nonblock, char *errbuf)}, libpcap 0.7.
     */
    public Pcap setNonBlock(boolean nonBlocking) throws PcapException {
        int status = (int) Libpcap.call(PCAP_SETNONBLOCK, handle(), nonBlocking ? 1 : 0, Libpcap.address(errbuf));
        if (status < 0) {
            throw new PcapException(status, describe("pcap_setnonblock", device, status, Libpcap.cString(errbuf)));
        }
        return this;
    }

    /**
     * Returns a file descriptor that poll(2) reports readable when packets are waiting.
     * <p>{@code int pcap_get_selectable_fd(pcap_t *p)}, libpcap 0.8.
     */
    public int getSelectableFd() throws PcapException {
        int fd = (int) Libpcap.call(PCAP_GET_SELECTABLE_FD, handle());
        if (fd < 0) {
            throw new PcapException(PCAP_ERROR,
                    describe("pcap_get_selectable_fd", device, PCAP_ERROR, "no selectable file descriptor"));
        }
        return fd;
    }

    /**
     * Sends one complete link-layer frame (for Ethernet: from the destination MAC, no FCS).
     * <p>{@code int pcap_sendpacket(pcap_t *p, const u_char *buf, int size)}, libpcap 0.8.
     * May run while another thread is in {@link #nextEx} (see the class comment).
     */
    public void sendPacket(byte[] frame) throws PcapException {
        if (frame.length > SEND_BUFFER_SIZE) {
            throw new PcapException(PCAP_ERROR, describe("pcap_sendpacket", device, PCAP_ERROR,
                    "a frame of " + frame.length + " bytes is longer than " + SEND_BUFFER_SIZE));
        }
        // One buffer for the handle's life, not an arena per frame: the check stamps a request just
        // before it is sent, so whatever runs here shows in the measured latency.
        synchronized (sendBuffer) {
            MemorySegment.copy(frame, 0, sendBuffer, JAVA_BYTE, 0, frame.length);
            int status = (int) Libpcap.call(PCAP_SENDPACKET, handle(), Libpcap.address(sendBuffer), frame.length);
            if (status != 0) {
                throw new PcapException(status, describe("pcap_sendpacket", device, status, geterr()));
            }
        }
    }

    /**
     * Reads the next packet, copied out of libpcap's buffer. Unlike jnetpcap, which throws a
     * TimeoutException, this returns {@code null} when no packet is ready (in non-blocking mode, or
     * when the packet buffer timeout expired).
     * <p>{@code int pcap_next_ex(pcap_t *p, struct pcap_pkthdr **pkt_header, const u_char **pkt_data)},
     * libpcap 0.8.
     *
     * @return the packet, or {@code null} if none was ready
     */
    @SuppressWarnings("restricted")
    public PcapPacket nextEx() throws PcapException {
        int status = (int) Libpcap.call(PCAP_NEXT_EX, handle(), Libpcap.address(headerSlot), Libpcap.address(dataSlot));
        if (status == PACKET_READ) {
            MemorySegment header = headerSlot.get(ADDRESS, 0).reinterpret(PcapPacket.HEADER_SIZE);
            return PcapPacket.copyOf(header, dataSlot.get(ADDRESS, 0), nanoStamps);
        }
        if (status == 0 || status == PCAP_ERROR_BREAK) {
            return null;
        }
        throw new PcapException(status, describe("pcap_next_ex", device, status, geterr()));
    }

    /**
     * Returns the text of the last error (or activation warning) on this handle.
     * <p>{@code char *pcap_geterr(pcap_t *p)}, libpcap 0.4.
     */
    public String geterr() throws PcapException {
        return Libpcap.cString(Libpcap.pointer(Libpcap.call(PCAP_GETERR, handle())));
    }

    /**
     * Returns libpcap's description of a PCAP_ERROR_* or PCAP_WARNING_* status code.
     * <p>{@code const char *pcap_statustostr(int error)}, libpcap 1.0.
     */
    public static String statusToStr(int status) throws PcapException {
        return Libpcap.cString(Libpcap.pointer(Libpcap.call(PCAP_STATUSTOSTR, status)));
    }

    /**
     * Returns the description of an errno value.
     * <p>{@code const char *pcap_strerror(int error)}, libpcap 0.4.
     */
    public static String strerror(int errno) throws PcapException {
        return Libpcap.cString(Libpcap.pointer(Libpcap.call(PCAP_STRERROR, errno)));
    }

    /**
     * Closes the capture and frees its memory; idempotent. No other call may be in progress.
     * <p>{@code void pcap_close(pcap_t *p)}, libpcap 0.4.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Libpcap.free(PCAP_CLOSE, pcap);
        } finally {
            arena.close();
        }
    }

    /** The memory that lives exactly as long as this handle, for a channel's per-capture buffers. */
    Arena arena() {
        return arena;
    }

    /** The {@code pcap_t *} as a call argument. */
    private long handle() {
        if (closed) {
            throw new IllegalStateException("the capture on \"" + device + "\" is closed");
        }
        return pcap.address();
    }

    /** The pcap_set_* options put no text in the error buffer: the status code says it all. */
    private void checkOption(String function, int status) throws PcapException {
        if (status != 0) {
            throw new PcapException(status, describe(function, device, status, ""));
        }
    }

    /**
     * One line: {@code pcap_activate on "eth9": No such device exists (SIOCGIFINDEX: No such device)}.
     * The generic PCAP_ERROR's description ("Generic error") is left out: libpcap's text says more.
     */
    static String describe(String function, String device, int status, String libpcapText) throws PcapException {
        String statusText = status == PCAP_ERROR ? "" : statusToStr(status);
        String detail;
        if (libpcapText.isEmpty() || libpcapText.equals(statusText)) {
            detail = statusText.isEmpty() ? "error " + status : statusText;
        } else {
            detail = statusText.isEmpty() ? libpcapText : statusText + " (" + libpcapText + ")";
        }
        return function + " on \"" + device + "\": " + detail.replace('\n', ' ');
    }
}
