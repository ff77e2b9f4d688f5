package io.github.checktcpraw.pcap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
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
 * Every native function this package calls, each declared once, and one invoker per call shape.
 *
 * <p>Start-up cost drives the design: the plugin is a fresh JVM every few seconds, and the JDK
 * generates a stub per distinct {@link FunctionDescriptor} (several milliseconds each; handles of
 * one shape share it). So downcall handles are made on first call only, never in a static
 * initialiser, and functions whose C signatures coincide share one descriptor. The shapes:
 * <ol>
 *   <li>{@code ptr(ptr, ptr)}: pcap_create
 *   <li>{@code int(ptr)}: pcap_activate, pcap_get_selectable_fd
 *   <li>{@code int(ptr, int)}: pcap_set_snaplen, pcap_set_promisc, pcap_set_immediate_mode,
 *       pcap_set_tstamp_precision
 *   <li>{@code int(ptr, ptr)}: pcap_setfilter
 *   <li>{@code int(ptr, int, ptr)}: pcap_setnonblock
 *   <li>{@code int(ptr, ptr, int)}: pcap_sendpacket
 *   <li>{@code int(ptr, ptr, ptr)}: pcap_next_ex
 *   <li>{@code int(ptr, ptr, ptr, int, int)}: pcap_compile
 *   <li>{@code void(ptr)}: pcap_freecode, pcap_close
 *   <li>{@code int(ptr, long, int)} capturing errno: poll (libc)
 *   <li>{@code ptr(ptr)}: pcap_geterr (error path only)
 *   <li>{@code ptr(int)}: pcap_statustostr, pcap_strerror (error path only)
 * </ol>
 * The invokers are overloaded by Java parameter types, one per shape; a symbol called through the
 * wrong one fails with {@link java.lang.invoke.WrongMethodTypeException}.
 */
final class Libpcap {

    /** The Debian/Ubuntu runtime package libpcap0.8 ships this soname (libpcap 1.x despite the name). */
    static final String LIBRARY = "libpcap.so.0.8";

    /** PCAP_ERRBUF_SIZE from pcap.h: the size of every libpcap error buffer. */
    static final int ERRBUF_SIZE = 256;

    private static final FunctionDescriptor PTR_OF_PTR_PTR = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS);
    private static final FunctionDescriptor INT_OF_PTR = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    private static final FunctionDescriptor INT_OF_PTR_INT = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor INT_OF_PTR_PTR = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    private static final FunctionDescriptor INT_OF_PTR_INT_PTR =
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
    private static final FunctionDescriptor INT_OF_PTR_PTR_INT =
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor INT_OF_PTR_PTR_PTR =
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    private static final FunctionDescriptor INT_OF_PTR_PTR_PTR_INT_INT =
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT);
    private static final FunctionDescriptor VOID_OF_PTR = FunctionDescriptor.ofVoid(ADDRESS);
    /** nfds_t is unsigned long on Linux. */
    private static final FunctionDescriptor INT_OF_PTR_LONG_INT =
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final FunctionDescriptor PTR_OF_PTR = FunctionDescriptor.of(ADDRESS, ADDRESS);
    private static final FunctionDescriptor PTR_OF_INT = FunctionDescriptor.of(ADDRESS, JAVA_INT);

    private static final Linker.Option[] NO_OPTIONS = {};
    private static final Linker.Option[] CAPTURE_ERRNO = {Linker.Option.captureCallState("errno")};

    /**
     * A native function, named after its C symbol in upper case: the libpcap version that introduced
     * it ({@code null}: a libc function) and its shape.
     */
    enum Symbol {
        PCAP_CREATE("1.0", PTR_OF_PTR_PTR),
        PCAP_SET_SNAPLEN("1.0", INT_OF_PTR_INT),
        PCAP_SET_PROMISC("1.0", INT_OF_PTR_INT),
        PCAP_SET_IMMEDIATE_MODE("1.5", INT_OF_PTR_INT),
        PCAP_SET_TSTAMP_PRECISION("1.5", INT_OF_PTR_INT),
        PCAP_ACTIVATE("1.0", INT_OF_PTR),
        PCAP_COMPILE("0.4", INT_OF_PTR_PTR_PTR_INT_INT),
        PCAP_SETFILTER("0.4", INT_OF_PTR_PTR),
        PCAP_FREECODE("0.6", VOID_OF_PTR),
        PCAP_SETNONBLOCK("0.7", INT_OF_PTR_INT_PTR),
        PCAP_GET_SELECTABLE_FD("0.8", INT_OF_PTR),
        PCAP_SENDPACKET("0.8", INT_OF_PTR_PTR_INT),
        PCAP_NEXT_EX("0.8", INT_OF_PTR_PTR_PTR),
        PCAP_GETERR("0.4", PTR_OF_PTR),
        PCAP_STATUSTOSTR("1.0", PTR_OF_INT),
        PCAP_STRERROR("0.4", PTR_OF_INT),
        PCAP_CLOSE("0.4", VOID_OF_PTR),
        /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} from libc, errno captured. */
        POLL(null, INT_OF_PTR_LONG_INT, CAPTURE_ERRNO);

        private final String sinceLibpcap;
        private final FunctionDescriptor shape;
        private final Linker.Option[] options;
        /** Made on first call; a MethodHandle is immutable, so a racy double creation is harmless. */
        private volatile MethodHandle handle;

        Symbol(String sinceLibpcap, FunctionDescriptor shape) {
            this(sinceLibpcap, shape, NO_OPTIONS);
        }

        Symbol(String sinceLibpcap, FunctionDescriptor shape, Linker.Option[] options) {
            this.sinceLibpcap = sinceLibpcap;
            this.shape = shape;
            this.options = options;
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
                String symbol = name().toLowerCase(Locale.ROOT);
                Linker linker = Linker.nativeLinker();
                SymbolLookup lookup = sinceLibpcap == null ? linker.defaultLookup() : libpcap();
                Optional<MemorySegment> address = lookup.find(symbol);
                if (address.isEmpty()) {
                    throw new PcapException(PcapException.PCAP_ERROR, sinceLibpcap == null
                            ? "the C library has no " + symbol
                            : LIBRARY + " has no " + symbol + ": libpcap " + sinceLibpcap + " or newer is needed");
                }
                made = linker.downcallHandle(address.get(), shape, options);
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

    // One invoker per shape. invokeExact declares Throwable, but a downcall throws nothing checked:
    // runtime exceptions and errors propagate unchanged, the checked remainder cannot happen.

    static MemorySegment call(Symbol function, MemorySegment a, MemorySegment b) throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (MemorySegment) handle.invokeExact(a, b);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static int callInt(Symbol function, MemorySegment a) throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (int) handle.invokeExact(a);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static int callInt(Symbol function, MemorySegment a, int b) throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (int) handle.invokeExact(a, b);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static int callInt(Symbol function, MemorySegment a, MemorySegment b) throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (int) handle.invokeExact(a, b);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static int callInt(Symbol function, MemorySegment a, int b, MemorySegment c) throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (int) handle.invokeExact(a, b, c);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static int callInt(Symbol function, MemorySegment a, MemorySegment b, int c) throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (int) handle.invokeExact(a, b, c);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static int callInt(Symbol function, MemorySegment a, MemorySegment b, MemorySegment c) throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (int) handle.invokeExact(a, b, c);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static int callInt(Symbol function, MemorySegment a, MemorySegment b, MemorySegment c, int d, int e)
            throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (int) handle.invokeExact(a, b, c, d, e);
        } catch (RuntimeException | Error failure) {
            throw failure;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static void callVoid(Symbol function, MemorySegment a) throws PcapException {
        MethodHandle handle = function.handle();
        try {
            handle.invokeExact(a);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** The errno-capturing shape: {@code callState} receives errno, then come the C arguments. */
    static int callInt(Symbol function, MemorySegment callState, MemorySegment a, long b, int c)
            throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (int) handle.invokeExact(callState, a, b, c);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static MemorySegment call(Symbol function, MemorySegment a) throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (MemorySegment) handle.invokeExact(a);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    static MemorySegment call(Symbol function, int a) throws PcapException {
        MethodHandle handle = function.handle();
        try {
            return (MemorySegment) handle.invokeExact(a);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }
}
