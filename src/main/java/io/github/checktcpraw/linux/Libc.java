package io.github.checktcpraw.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The C library functions this package calls, one Java method each, named after the function, with
 * its C prototype. All go through one downcall handle of one shape, because the JDK generates a stub
 * per distinct shape and a fresh JVM pays for each one at every check.
 *
 * <p><b>The one shape</b>, {@code long f(long, long, long, long, long)} with errno captured, fits
 * every function here because each takes at most five arguments, all pointers or integers, and returns
 * a pointer, an integer or nothing. On the LP64 calling conventions of Linux on x86-64 (System V) and
 * AArch64 (AAPCS64) those all travel in general-purpose registers, one per argument: a pointer goes as
 * its address, an {@code int} sign-extended in a {@code long} (the callee reads the low half), an
 * argument a function does not declare is ignored by it, and an {@code int} result is the low half of
 * the returned {@code long}. None of these functions is variadic or passes a struct by value, the two
 * cases where this would not hold. This is the only place that relies on it; other platforms are
 * refused ({@link #requireLp64Linux}).
 */
final class Libc {

    /** {@code long f(long, long, long, long, long)}: the register image of every call (class comment). */
    private static final FunctionDescriptor WORDS =
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final long ERRNO = CALL_STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    /** The errno values this package tells apart, from asm-generic/errno-base.h and errno.h. */
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EPERM = 1;
    static final int EACCES = 13;

    private static volatile Functions functions;

    /** The one downcall handle and the addresses of the functions, made and looked up once. */
    private record Functions(MethodHandle invoker, MemorySegment socket, MemorySegment setsockopt,
            MemorySegment bind, MemorySegment send, MemorySegment recvmsg, MemorySegment poll, MemorySegment close, MemorySegment prctl,
            MemorySegment getppid, MemorySegment strerror) {
    }

    /**
     * Where each thread's calls leave errno: one per calling thread, allocated once, and freed by the
     * garbage collector with the thread (a resident checker's threads come and go by the thousand).
     */
    private static final ThreadLocal<MemorySegment> CALL_STATES = new ThreadLocal<>() {
        @Override
        protected MemorySegment initialValue() {
            return Arena.ofAuto().allocate(CALL_STATE);
        }
    };

    private Libc() {
    }

    /** {@code int socket(int domain, int type, int protocol)} */
    static int socket(int domain, int type, int protocol) throws ErrnoException {
        return (int) check("socket(AF_PACKET)", call(bound().socket(), domain, type, protocol, 0, 0));
    }

    /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t length)} */
    static void setsockopt(String what, int fd, int level, int name, MemorySegment value) throws ErrnoException {
        check(what, call(bound().setsockopt(), fd, level, name, value.address(), value.byteSize()));
    }

    /** {@code int bind(int fd, const struct sockaddr *address, socklen_t length)} */
    static void bind(String what, int fd, MemorySegment address) throws ErrnoException {
        check(what, call(bound().bind(), fd, address.address(), address.byteSize(), 0, 0));
    }

    /** {@code ssize_t send(int fd, const void *buffer, size_t length, int flags)} */
    static long send(int fd, MemorySegment buffer, long length, int flags) throws ErrnoException {
        return check("send", call(bound().send(), fd, buffer.address(), length, flags, 0));
    }

    /**
     * {@code ssize_t recvmsg(int fd, struct msghdr *message, int flags)}
     *
     * @return the length received, or {@code -errno}: EAGAIN and EINTR are part of the normal course
     */
    static long recvmsg(int fd, MemorySegment message, int flags) {
        long received = call(bound().recvmsg(), fd, message.address(), flags, 0, 0);
        return received >= 0 ? received : -errno();
    }

    /**
     * {@code int poll(struct pollfd *fds, nfds_t count, int timeoutMillis)}
     *
     * @return how many descriptors are ready, or {@code -errno}
     */
    static int poll(MemorySegment fds, long count, int timeoutMillis) {
        int ready = (int) call(bound().poll(), fds.address(), count, timeoutMillis, 0, 0);
        return ready >= 0 ? ready : -errno();
    }

    /** {@code int close(int fd)}; whatever it says, the descriptor is gone (close(2), "Dealing with error returns"). */
    static void close(int fd) {
        call(bound().close(), fd, 0, 0, 0, 0);
    }

    /** {@code int prctl(int option, unsigned long arg2, ...)}, with arg2 only. */
    static void prctl(String what, int option, long argument) throws ErrnoException {
        check(what, call(bound().prctl(), option, argument, 0, 0, 0));
    }

    /** {@code pid_t getppid(void)} */
    static long getppid() {
        return (int) call(bound().getppid(), 0, 0, 0, 0, 0);
    }

    /** {@code char *strerror(int errnum)}: the system's words for an errno value. */
    static String strerror(int errno) {
        MemorySegment text = MemorySegment.ofAddress(call(bound().strerror(), errno, 0, 0, 0, 0));
        return cString(text);
    }

    /** Looks the functions up and makes the stub now, if nobody has. */
    static void link() {
        bound();
    }

    /**
     * @throws UnsupportedOperationException on a platform whose calling convention {@link #WORDS}
     *     would not match (see the class comment)
     */
    static void requireLp64Linux() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!"Linux".equals(os) || !(arch.equals("amd64") || arch.equals("aarch64"))) {
            throw new UnsupportedOperationException("packet sockets are bound for Linux on x86-64 and AArch64, not "
                    + os + " on " + arch);
        }
    }

    private static long check(String what, long result) throws ErrnoException {
        if (result < 0) {
            int errno = errno();
            throw new ErrnoException(what, errno, strerror(errno));
        }
        return result;
    }

    private static int errno() {
        return CALL_STATES.get().get(JAVA_INT, ERRNO);
    }

    /** invokeExact declares Throwable; a downcall throws nothing checked, so the rest cannot happen. */
    private static long call(MemorySegment function, long a, long b, long c, long d, long e) {
        try {
            return (long) functions.invoker().invokeExact(function, CALL_STATES.get(), a, b, c, d, e);
        } catch (RuntimeException | Error failure) {
            throw failure;
        } catch (Throwable impossible) {
            throw new AssertionError(impossible);
        }
    }

    private static Functions bound() {
        Functions bound = functions;
        return bound != null ? bound : bind();
    }

    @SuppressWarnings("restricted")
    private static synchronized Functions bind() {
        if (functions == null) {
            requireLp64Linux();
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            functions = new Functions(linker.downcallHandle(WORDS, Linker.Option.captureCallState("errno")),
                    libc.findOrThrow("socket"), libc.findOrThrow("setsockopt"),
                    libc.findOrThrow("bind"), libc.findOrThrow("send"), libc.findOrThrow("recvmsg"),
                    libc.findOrThrow("poll"), libc.findOrThrow("close"), libc.findOrThrow("prctl"),
                    libc.findOrThrow("getppid"), libc.findOrThrow("strerror"));
        }
        return functions;
    }

    /** A NUL-terminated C string from the C library (strerror's are short). */
    @SuppressWarnings("restricted")
    private static String cString(MemorySegment pointer) {
        if (pointer.equals(MemorySegment.NULL)) {
            return "";
        }
        MemorySegment text = pointer.reinterpret(256);
        int length = 0;
        while (length < 256 && text.get(JAVA_BYTE, length) != 0) {
            length++;
        }
        return new String(text.asSlice(0, length).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
