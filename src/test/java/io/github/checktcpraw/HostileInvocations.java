package io.github.checktcpraw;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;

/**
 * Malformed command lines that need neither privileges nor a network, each with the words its one
 * {@code TCP_RAW UNKNOWN - ...} line must contain. Shared by {@link HostileInputTest} (in-process)
 * and {@code lab.HostileInputIT} (through plugin-wrapper, in the lab).
 *
 * <p>Where a case is not about the interface it names {@link #NO_SUCH_INTERFACE}: should the
 * plugin ever accept a case it must reject, the check then stops at the interface instead of
 * sending frames from a real one.
 */
public final class HostileInvocations {

    /** An interface that exists nowhere (15 characters at most, like every Linux interface name). */
    public static final String NO_SUCH_INTERFACE = "ctqa-none0";
    public static final String REAL_SERVER = "198.51.100.42";
    public static final String VIP = "198.51.100.100";

    /**
     * One malformed invocation.
     *
     * @param name   what is wrong, for the test report
     * @param args   the whole command line
     * @param reason words the status line must contain (it names the offending value)
     */
    public record Invocation(String name, List<String> args, String reason) {

        /** The same command line with --compat in front. */
        public List<String> compatArgs() {
            return Stream.concat(Stream.of("--compat"), args.stream()).toList();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    public static final List<Invocation> ALL = List.of(
            bad("empty interface name", "SOURCE_IFACE is empty", "", REAL_SERVER, VIP, "80"),
            bad("300-character interface name", "is longer than 15 characters", "e".repeat(300), REAL_SERVER, VIP, "80"),
            bad("newline in the interface name", "contains '\\x0a'", "eth\n0", REAL_SERVER, VIP, "80"),
            bad("slash in the interface name", "contains '/'", "../eth0", REAL_SERVER, VIP, "80"),
            bad("interface that does not exist", "interface \"" + NO_SUCH_INTERFACE + "\" does not exist",
                    NO_SUCH_INTERFACE, REAL_SERVER, VIP, "80"),
            bad("port 0", "PORT \"0\" is not a number from 1 to 65535", iface(), REAL_SERVER, VIP, "0"),
            bad("port 65536", "PORT \"65536\" is not a number from 1 to 65535", iface(), REAL_SERVER, VIP, "65536"),
            bad("port 80x", "PORT \"80x\" is not a number from 1 to 65535", iface(), REAL_SERVER, VIP, "80x"),
            bad("port -1", "PORT \"-1\" is not a number from 1 to 65535", iface(), REAL_SERVER, VIP, "-1"),
            bad("empty port", "PORT \"\" is not a number from 1 to 65535", iface(), REAL_SERVER, VIP, ""),
            bad("timeout abc", "timeout \"abc\" is not a number of milliseconds", "-t", "abc", iface(), REAL_SERVER, VIP,
                    "80"),
            bad("timeout -1", "timeout \"-1\" is not a number of milliseconds", "-t", "-1", iface(), REAL_SERVER, VIP,
                    "80"),
            bad("timeout far too large", "timeout \"99999999999\" is not a number of milliseconds", "-t", "99999999999",
                    iface(), REAL_SERVER, VIP, "80"),
            bad("timeout just above an hour", "timeout \"3600001\" is not a number of milliseconds", "-t", "3600001",
                    iface(), REAL_SERVER, VIP, "80"),
            bad("timeout without its value", "option -t/--timeout needs a value", iface(), REAL_SERVER, VIP, "80", "-t"),
            bad("total timeout abc", "total timeout \"abc\" is not a number of milliseconds", "-T", "abc", iface(),
                    REAL_SERVER, VIP, "80"),
            bad("unknown long option", "unknown option \"--frobnicate\"", "--frobnicate", iface(), REAL_SERVER, VIP,
                    "80"),
            bad("unknown short option", "unknown option \"-x\"", "-x", iface(), REAL_SERVER, VIP, "80"),
            bad("ambiguous option", "option \"--c\" is ambiguous", "--c", iface(), REAL_SERVER, VIP, "80"),
            bad("warning threshold abc", "warning threshold \"abc\"", "-W", "abc", iface(), REAL_SERVER, VIP, "80"),
            bad("critical threshold -5", "critical threshold \"-5\"", "-C", "-5", iface(), REAL_SERVER, VIP, "80"),
            bad("warning above critical", "warning threshold 10 ms is above the critical threshold 5 ms", "-W", "10",
                    "-C", "5", iface(), REAL_SERVER, VIP, "80"),
            bad("no arguments at all", "missing arguments", new String[0]),
            bad("a missing argument", "missing arguments", iface(), REAL_SERVER, VIP),
            bad("an extra argument", "too many arguments", iface(), REAL_SERVER, VIP, "80", "81"),
            bad("empty real server", "REAL_SERVER is empty", iface(), "", VIP, "80"),
            bad("newline in the real server", "REAL_SERVER \"a\\x0ab\" is not an IP address or host name", iface(),
                    "a\nb", VIP, "80"),
            bad("300-character virtual IP", "is longer than a host name can be", iface(), REAL_SERVER,
                    "v".repeat(300), "80"),
            bad("empty role file name", "role file \"\" is not a file name", "-r", "", iface(), REAL_SERVER, VIP, "80"),
            // The role file is read first (a MASTER starts opening its capture at once), so its
            // problem is named before the missing interface.
            bad("missing role file and no such interface", "role file /nonexistent/check_tcp_raw.role does not exist",
                    "-r", "/nonexistent/check_tcp_raw.role", iface(), REAL_SERVER, VIP, "80"),
            // inet_aton's shorthand: InetAddress reads "198.51.100" as 198.51.0.100 and "10.42" as
            // 10.0.0.42, so a forgotten octet would silently check another address.
            bad("virtual IP with three parts", "\"198.51.100\"", iface(), REAL_SERVER, "198.51.100", "80"),
            bad("real server with two parts", "\"10.42\"", iface(), "10.42", VIP, "80"),
            // The service check's values: each its own line, named.
            bad("--send with a bad hex escape", "--send \"\\xZZ\": \\x needs two hex digits", "--send", "\\xZZ", iface(),
                    REAL_SERVER, VIP, "80"),
            bad("--cert-days critical above warning", "--cert-days \"5,10\": the CRITICAL days (10) must be fewer",
                    "--tls", "--cert-days", "5,10", iface(), REAL_SERVER, VIP, "443"),
            bad("--http path without a slash", "HTTP path \"nope\" does not start with \"/\"", "--http=nope", iface(),
                    REAL_SERVER, VIP, "80"),
            bad("--http-status 99x", "HTTP status list \"99x\" is not a list of status codes", "--http", "--http-status",
                    "99x", iface(), REAL_SERVER, VIP, "80"),
            bad("an empty --expect", "--expect \"\" is empty", "--expect", "", iface(), REAL_SERVER, VIP, "80"),
            bad("--expect with a control character escaped in the line", "'\\' before '\\x0a' is no escape", "--expect", "a\\\n",
                    iface(), REAL_SERVER, VIP, "80"),
            bad("--http path with a carriage return", "contains '\\x0d'", "--http", "/\rTCP_RAW OK", iface(), REAL_SERVER,
                    VIP, "80"),
            bad("--max-bytes without a conversation", "--max-bytes is for --send, --expect, --http or --tls",
                    "--max-bytes", "100", iface(), REAL_SERVER, VIP, "80"));

    private HostileInvocations() {
    }

    /**
     * Asserts that {@code line} is one line that starts as it should, contains {@code reason} and
     * holds no control character (a newline, a carriage return or an escape would break or forge
     * the one status line a monitoring system reads).
     */
    public static void assertOneCleanLine(String line, String start, String reason) {
        assertTrue(line != null && line.startsWith(start), "expected \"" + start + "...\", got: " + line);
        assertTrue(line.contains(reason), "expected it to contain \"" + reason + "\": " + line);
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            assertTrue(c >= ' ' && c != 0x7f, "control character " + (int) c + " at " + i + " in: " + line);
        }
    }

    private static String iface() {
        return NO_SUCH_INTERFACE;
    }

    private static Invocation bad(String name, String reason, String... args) {
        return new Invocation(name, List.of(args), reason);
    }
}
