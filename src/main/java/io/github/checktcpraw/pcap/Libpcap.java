package io.github.checktcpraw.pcap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Every native function this package calls, each declared once, all called through one shape.
 *
 * <p>Start-up cost drives the design. The plugin is a fresh JVM every few seconds, and the JDK
 * generates a downcall stub per distinct {@link FunctionDescriptor}: measured here, about 4-13 ms
 * each, against about 0.4 ms for one more handle of a shape already made. With one descriptor per C
 * signature this package needed ten shapes; with one shape for all it needs one stub, and with a
 * handle that takes the function's address as its first argument it needs one handle: a symbol is
 * then just an address, and making the stub does not wait for libpcap to load ({@link #prepare}).
 *
 * <p>The one shape, {@link #WORDS}, takes five {@code long}s and returns a {@code long}. It fits every
 * function here because each takes at most five arguments, all pointers or integers, and returns a
 * pointer, an integer or nothing: on the LP64 calling conventions of Linux on x86-64 (System V) and
 * AArch64 (AAPCS64) all of those travel in general-purpose registers, one per argument. So a pointer
 * is passed as its address, an {@code int} sign-extended into a {@code long} (the callee reads the low
 * 32 bits), arguments a function does not declare are ignored by it (the caller owns the
 * registers), and an {@code int} result is the low half of the returned {@code long}. Nothing here
 * is variadic or passes a struct by value, the two cases where this would not hold. Other platforms
 * are refused with a clear message ({@link #requireRegisterAbi}).
 *
 * <p>Nothing is loaded or linked in a static initialiser: on first call, or ahead of it by
 * {@link #prepare} and {@link Symbol#link}.
 */
final class Libpcap {

    /** The Debian/Ubuntu runtime package libpcap0.8 ships this soname (libpcap 1.x despite the name). */
    static final String LIBRARY = "libpcap.so.0.8";

    /** PCAP_ERRBUF_SIZE from pcap.h: the size of every libpcap error buffer. */
    static final int ERRBUF_SIZE = 256;

    /** {@code long f(long, long, long, long, long)}: the register image of every call (class comment). */
    private static final FunctionDescriptor WORDS =
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);

    /**
     * A native function, named after its C symbol in upper case, with the libpcap version that
     * introduced it ({@code null}: a libc function). The C prototypes are on the {@link Pcap} methods.
     */
    enum Symbol {
        PCAP_CREATE("1.0"),
        PCAP_SET_SNAPLEN("1.0"),
        PCAP_SET_PROMISC("1.0"),
        PCAP_SET_IMMEDIATE_MODE("1.5"),
        PCAP_SET_TSTAMP_PRECISION("1.5"),
        PCAP_ACTIVATE("1.0"),
        PCAP_OPEN_DEAD("0.6"),
        PCAP_COMPILE("0.4"),
        PCAP_SETFILTER("0.4"),
        PCAP_FREECODE("0.6"),
        PCAP_SETNONBLOCK("0.7"),
        PCAP_GET_SELECTABLE_FD("0.8"),
        PCAP_SENDPACKET("0.8"),
        PCAP_NEXT_EX("0.8"),
        PCAP_GETERR("0.4"),
        PCAP_STATUSTOSTR("1.0"),
        PCAP_STRERROR("0.4"),
        PCAP_CLOSE("0.4"),
        /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} from libc. */
        POLL(null);

        private final String sinceLibpcap;
        /** Found on first call; a segment is immutable, so a racy double lookup is harmless. */
        private volatile MemorySegment address;

        Symbol(String sinceLibpcap) {
            this.sinceLibpcap = sinceLibpcap;
        }

        /**
         * Looks the function up now (and makes the stub, if nobody has), so that the cost lands in
         * set-up instead of between a request's timestamp and the request leaving.
         */
        void link() throws PcapException {
            address();
            invoker();
        }

        private MemorySegment address() throws PcapException {
            MemorySegment found = address;
            if (found == null) {
                requireRegisterAbi();
                String symbol = name().toLowerCase(Locale.ROOT);
                SymbolLookup lookup = sinceLibpcap == null ? libc() : libpcap();
                Optional<MemorySegment> located = lookup.find(symbol);
                if (located.isEmpty()) {
                    throw new PcapException(PcapException.PCAP_ERROR, sinceLibpcap == null
                            ? "the C library has no " + symbol
                            : LIBRARY + " has no " + symbol + ": libpcap " + sinceLibpcap + " or newer is needed");
                }
                found = located.get();
                address = found;
            }
            return found;
        }
    }

    private static final Object LOADING = new Object();
    private static final Object LINKING = new Object();
    /** Guarded by LOADING. */
    private static SymbolLookup libpcap;
    /** Guarded by LOADING: {@link #prepare} starts one loader per JVM. */
    private static boolean loaderStarted;
    /** Guarded by LINKING; {@code long (MemorySegment function, long, long, long, long, long)}. */
    private static volatile MethodHandle invoker;

    private Libpcap() {
    }

    /**
     * Loads libpcap (with the libraries it needs) and looks up every function on a thread of its own
     * while this one makes the downcall stub: the two are independent, and each costs a fresh JVM
     * over 10 ms (measured). A failure is left to the first call that needs the function, which
     * reports it. Once per JVM: a later call returns at once (the first one's work is done or under
     * way, and every call waits for what it needs).
     */
    static void prepare() throws PcapException {
        requireRegisterAbi();
        synchronized (LOADING) {
            if (loaderStarted) {
                return; // a second capture in the same JVM: all done, or being done
            }
            loaderStarted = true;
        }
        Thread loader = new Thread(Libpcap::loadQuietly, "libpcap-load");
        loader.setDaemon(true);
        try {
            loader.start();
        } catch (OutOfMemoryError noThreadLeft) {
            // A limit on tasks leaves no room for it (see PendingCapture.start): each function is
            // then looked up on its first call, as without prepare.
        }
        invoker();
    }

    private static void loadQuietly() {
        try {
            for (Symbol function : Symbol.values()) {
                function.address();
            }
        } catch (PcapException | RuntimeException | Error reportedByTheCallThatNeedsIt) {
            // What failed stays unresolved; the next attempt throws the same error to a caller.
        }
    }

    private static SymbolLookup libpcap() throws PcapException {
        synchronized (LOADING) {
            if (libpcap == null) {
                libpcap = openLibrary(LIBRARY);
            }
            return libpcap;
        }
    }

    private static SymbolLookup libc() {
        return Linker.nativeLinker().defaultLookup();
    }

    /** The one downcall handle, taking the function's address first; made once (the stub costs). */
    @SuppressWarnings("restricted")
    private static MethodHandle invoker() {
        MethodHandle made = invoker;
        if (made == null) {
            synchronized (LINKING) {
                made = invoker;
                if (made == null) {
                    made = Linker.nativeLinker().downcallHandle(WORDS);
                    invoker = made;
                }
            }
        }
        return made;
    }

    /** Opens a shared library by file name (the name is a parameter so tests can ask for a missing one). */
    @SuppressWarnings("restricted")
    static SymbolLookup openLibrary(String fileName) throws PcapException {
        try {
            return SymbolLookup.libraryLookup(fileName, Arena.global());
        } catch (IllegalArgumentException notFound) {
            throw new PcapException(PcapException.PCAP_ERROR,
                    "libpcap not found (" + fileName + "): install the libpcap0.8 package");
        }
    }

    /** A NUL-terminated C string of at most {@link #ERRBUF_SIZE} bytes (libpcap's messages all fit). */
    @SuppressWarnings("restricted")
    static String cString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return "";
        }
        MemorySegment text = pointer.reinterpret(ERRBUF_SIZE);
        int length = 0;
        while (length < ERRBUF_SIZE && text.get(JAVA_BYTE, length) != 0) {
            length++;
        }
        return new String(text.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.UTF_8).strip();
    }

    /** The platforms whose calling convention {@link #WORDS} relies on (see the class comment). */
    static void requireRegisterAbi() throws PcapException {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!"Linux".equals(os) || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            throw new PcapException(PcapException.PCAP_ERROR, "libpcap is bound for Linux on x86-64 and AArch64,"
                    + " not " + os + " on " + arch);
        }
    }

    /** The address of a native segment, as a call argument. */
    static long address(MemorySegment segment) {
        return segment.address();
    }

    /** A returned pointer. */
    static MemorySegment pointer(long address) {
        return MemorySegment.ofAddress(address);
    }

    /**
     * Calls a freeing function (pcap_close, pcap_freecode) on what an earlier call of the same
     * library made: libpcap is loaded then and has had both since 0.6, so the PcapException that
     * linking could throw cannot happen.
     */
    static void free(Symbol function, MemorySegment pointer) {
        try {
            call(function, pointer.address());
        } catch (PcapException unreachable) {
            throw new IllegalStateException(unreachable.getMessage(), unreachable);
        }
    }

    static long call(Symbol function, long a) throws PcapException {
        return call(function, a, 0, 0, 0, 0);
    }

    static long call(Symbol function, long a, long b) throws PcapException {
        return call(function, a, b, 0, 0, 0);
    }

    static long call(Symbol function, long a, long b, long c) throws PcapException {
        return call(function, a, b, c, 0, 0);
    }

    /**
     * Calls {@code function}; unused trailing arguments are passed as 0. invokeExact declares
     * Throwable, but a downcall throws nothing checked: runtime exceptions and errors propagate
     * unchanged, the checked remainder cannot happen.
     */
    static long call(Symbol function, long a, long b, long c, long d, long e) throws PcapException {
        MemorySegment address = function.address();
        MethodHandle handle = invoker();
        try {
            return (long) handle.invokeExact(address, a, b, c, d, e);
        } catch (RuntimeException | Error failure) {
            throw failure;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }
}
