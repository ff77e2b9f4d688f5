import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The floor of bench/startup: the least a Java check of this design does, and nothing else. It opens
 * an AF_PACKET socket, attaches a filter for the real server's ARP reply, binds to the interface,
 * sends an ARP request, polls, receives the reply with its kernel stamp and closes, through one
 * downcall shape with errno captured, as the plugin does. No argument checking, no output but one line.
 *
 *   java PacketSocketFloor IFACE OUR_IPV4 REAL_SERVER_IPV4
 */
public class PacketSocketFloor {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static MethodHandle call;
    private static MemorySegment state;

    public static void main(String[] args) throws Throwable {
        String iface = args[0];
        int ourIp = ipv4(args[1]);
        int realServer = ipv4(args[2]);
        long ourMac = mac(Files.readString(Path.of("/sys/class/net", iface, "address")).trim());
        int index = Integer.parseInt(Files.readString(Path.of("/sys/class/net", iface, "ifindex")).trim());
        call = LINKER.downcallHandle(FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_LONG), Linker.Option.captureCallState("errno"));
        Arena arena = Arena.ofConfined();
        state = arena.allocate(Linker.Option.captureStateLayout());
        MemorySegment socket = LIBC.findOrThrow("socket");
        MemorySegment setsockopt = LIBC.findOrThrow("setsockopt");
        long fd = check(invoke(socket, 17, 3, 0, 0, 0), "socket"); // AF_PACKET, SOCK_RAW, no protocol yet
        int[][] program = { // ldh [12]; jeq ARP; ldh [20]; jeq reply; ld [28]; jeq RS; ret 256; ret 0
            {0x28, 0, 0, 12}, {0x15, 0, 5, 0x806}, {0x28, 0, 0, 20}, {0x15, 0, 3, 2},
            {0x20, 0, 0, 28}, {0x15, 0, 1, realServer}, {0x06, 0, 0, 256}, {0x06, 0, 0, 0}};
        MemorySegment instructions = arena.allocate(8L * program.length, 8);
        for (int i = 0; i < program.length; i++) {
            instructions.set(JAVA_SHORT, i * 8L, (short) program[i][0]);
            instructions.set(JAVA_BYTE, i * 8L + 2, (byte) program[i][1]);
            instructions.set(JAVA_BYTE, i * 8L + 3, (byte) program[i][2]);
            instructions.set(JAVA_INT, i * 8L + 4, program[i][3]);
        }
        MemorySegment fprog = arena.allocate(16, 8);
        fprog.set(JAVA_SHORT, 0, (short) program.length);
        fprog.set(JAVA_LONG, 8, instructions.address());
        check(invoke(setsockopt, fd, 1, 26, fprog.address(), 16), "SO_ATTACH_FILTER");
        MemorySegment one = arena.allocate(JAVA_INT);
        one.set(JAVA_INT, 0, 1);
        check(invoke(setsockopt, fd, 1, 35, one.address(), 4), "SO_TIMESTAMPNS");
        MemorySegment address = arena.allocate(20, 4);
        address.set(JAVA_SHORT, 0, (short) 17);
        address.set(JAVA_BYTE, 3, (byte) 3); // ETH_P_ALL in network order
        address.set(JAVA_INT, 4, index);
        check(invoke(LIBC.findOrThrow("bind"), fd, address.address(), 20, 0, 0), "bind");
        MemorySegment frame = arena.allocate(60);
        for (int i = 0; i < 6; i++) {
            frame.set(JAVA_BYTE, i, (byte) 0xff);
        }
        putMac(frame, 6, ourMac);
        short16(frame, 12, 0x806);
        short16(frame, 14, 1);
        short16(frame, 16, 0x800);
        frame.set(JAVA_BYTE, 18, (byte) 6);
        frame.set(JAVA_BYTE, 19, (byte) 4);
        short16(frame, 20, 1);
        putMac(frame, 22, ourMac);
        int32(frame, 28, ourIp);
        int32(frame, 38, realServer);
        check(invoke(LIBC.findOrThrow("send"), fd, frame.address(), 60, 0, 0), "send");
        MemorySegment pollFd = arena.allocate(8, 4);
        pollFd.set(JAVA_INT, 0, (int) fd);
        pollFd.set(JAVA_SHORT, 4, (short) 1);
        if (check(invoke(LIBC.findOrThrow("poll"), pollFd.address(), 1, 1000, 0, 0), "poll") == 0) {
            throw new IllegalStateException("no ARP reply within 1 s");
        }
        MemorySegment buffer = arena.allocate(256);
        MemorySegment iovec = arena.allocate(16, 8);
        iovec.set(JAVA_LONG, 0, buffer.address());
        iovec.set(JAVA_LONG, 8, 256);
        MemorySegment control = arena.allocate(64, 8);
        MemorySegment message = arena.allocate(56, 8);
        message.set(JAVA_LONG, 16, iovec.address());
        message.set(JAVA_LONG, 24, 1);
        message.set(JAVA_LONG, 32, control.address());
        message.set(JAVA_LONG, 40, 64);
        long length = check(invoke(LIBC.findOrThrow("recvmsg"), fd, message.address(), 0x40, 0, 0), "recvmsg");
        invoke(LIBC.findOrThrow("close"), fd, 0, 0, 0, 0);
        System.out.println("ARP reply of " + length + " bytes, stamped " + control.get(JAVA_LONG, 16) + "."
                + control.get(JAVA_LONG, 24));
    }

    private static long invoke(MemorySegment function, long a, long b, long c, long d, long e) throws Throwable {
        return (long) call.invokeExact(function, state, a, b, c, d, e);
    }

    private static long check(long result, String what) {
        if (result < 0) {
            throw new IllegalStateException(what + ": errno " + state.get(JAVA_INT, 0));
        }
        return result;
    }

    private static void short16(MemorySegment s, long at, int value) {
        s.set(JAVA_BYTE, at, (byte) (value >>> 8));
        s.set(JAVA_BYTE, at + 1, (byte) value);
    }

    private static void int32(MemorySegment s, long at, int value) {
        short16(s, at, value >>> 16);
        short16(s, at + 2, value);
    }

    private static void putMac(MemorySegment s, long at, long mac) {
        for (int i = 0; i < 6; i++) {
            s.set(JAVA_BYTE, at + i, (byte) (mac >>> (40 - 8 * i)));
        }
    }

    private static int ipv4(String text) {
        int value = 0;
        for (String part : text.split("\\.")) {
            value = (value << 8) | Integer.parseInt(part);
        }
        return value;
    }

    private static long mac(String text) {
        long value = 0;
        for (String part : text.split(":")) {
            value = (value << 8) | Integer.parseInt(part, 16);
        }
        return value;
    }
}
