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
 * signature this package needed ten shapes; with one shape for all it needs one stub.
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
 * <p>Handles are made on first call, never in a static initialiser; the ones the handshake uses
 * are made at open time ({@link Symbol#link}).
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
        /** Made on first call; a MethodHandle is immutable, so a racy double creation is harmless. */
        private volatile MethodHandle handle;

        Symbol(String sinceLibpcap) {
            this.sinceLibpcap = sinceLibpcap;
        }

        /**
         * Makes the downcall handle now, so that its cost lands in set-up instead of between a
         * request's timestamp and the request leaving.
         */
        void link() throws PcapException {
            handle();
        }

        @SuppressWarnings("restricted")
        private MethodHandle handle() throws PcapException {
            MethodHandle made = handle;
            if (made == null) {
                requireRegisterAbi();
                String symbol = name().toLowerCase(Locale.ROOT);
                Linker linker = Linker.nativeLinker();
                SymbolLookup lookup = sinceLibpcap == null ? linker.defaultLookup() : libpcap();
                Optional<MemorySegment> address = lookup.find(symbol);
                if (address.isEmpty()) {
                    throw new PcapException(PcapException.PCAP_ERROR, sinceLibpcap == null
                            ? "the C library has no " + symbol
                            : LIBRARY + " has no " + symbol + ": libpcap " + sinceLibpcap + " or newer is needed");
                }
                made = linker.downcallHandle(address.get(), WORDS);
                handle = made;
            }
            return made;
        }
    }

    private static SymbolLookup libpcap;

    private Libpcap() {
    }

    private static synchronized SymbolLookup libpcap() throws PcapException {
        if (libpcap == null) {
            libpcap = openLibrary(LIBRARY);
        }
        return libpcap;
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
        MethodHandle handle = function.handle();
        try {
            return (long) handle.invokeExact(a, b, c, d, e);
        } catch (RuntimeException | Error failure) {
            throw failure;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }
}
