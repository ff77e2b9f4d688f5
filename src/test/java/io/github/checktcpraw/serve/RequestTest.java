package io.github.checktcpraw.serve;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The resident checker's request, as the wrapper's printf writes it, and its replies. */
class RequestTest {

    private static final String SECRET = "ab".repeat(32);

    /** What the wrapper sends: printf '%s\0' check_tcp_raw/1 SECRET "$PWD" $# "$@". */
    private static byte[] wire(String... fields) {
        StringBuilder text = new StringBuilder();
        for (String field : fields) {
            text.append(field).append('\0');
        }
        return text.toString().getBytes(ISO_8859_1);
    }

    private static byte[] request(String... args) {
        List<String> fields = new ArrayList<>(List.of(Request.MAGIC, SECRET, "/var/lib/nagios", Integer.toString(args.length)));
        fields.addAll(Arrays.asList(args));
        return wire(fields.toArray(String[]::new));
    }

    @Test
    void aWholeRequestIsParsedAndEveryShorterPrefixIsTheStartOfOne() throws Exception {
        byte[] bytes = request("-v", "", "a b", "eth0", "198.51.100.42", "198.51.100.100", "80");

        Request request = Request.parse(bytes, bytes.length);

        assertEquals(List.of("-v", "", "a b", "eth0", "198.51.100.42", "198.51.100.100", "80"), request.args());
        assertEquals("/var/lib/nagios", request.workingDirectory());
        assertTrue(request.hasSecret(SECRET));
        assertFalse(request.hasSecret("ab".repeat(31) + "ac"));
        assertTrue(request.ascii());
        for (int length = 0; length < bytes.length; length++) {
            assertNull(Request.parse(bytes, length), "the first " + length + " bytes");
        }
    }

    @Test
    void noArgumentsAtAllIsARequest() throws Exception {
        byte[] bytes = request();
        assertEquals(List.of(), Request.parse(bytes, bytes.length).args());
    }

    @Test
    void garbageIsRefusedAtOnce() {
        byte[] random = new byte[64];
        new Random(11).nextBytes(random);
        random[0] = 'x';
        assertEquals("not a check_tcp_raw request", malformed(random));
        assertEquals("not a check_tcp_raw request", malformed("GET / HTTP/1.0\r\n\r\n".getBytes(ISO_8859_1)));
        assertEquals("not a check_tcp_raw request", malformed(wire("check_tcp_raw/2", SECRET, "/", "0")));
        // No NUL where the magic should end: not one, without waiting for more.
        assertEquals("not a check_tcp_raw request", malformed((Request.MAGIC + "x").getBytes(ISO_8859_1)));
    }

    @Test
    void boundsAreKept() {
        assertEquals("65 arguments, more than 64", malformed(wire(Request.MAGIC, SECRET, "/", "65")));
        assertEquals("the number of arguments is not a number from 0 to 64", malformed(wire(Request.MAGIC, SECRET, "/", "-1")));
        assertEquals("the number of arguments is not a number from 0 to 64", malformed(wire(Request.MAGIC, SECRET, "/", "100")));
        assertEquals("the working directory is not an absolute path", malformed(wire(Request.MAGIC, SECRET, "tmp", "0")));
        assertEquals("3 bytes after the request", malformed(wire(Request.MAGIC, SECRET, "/", "1", "x", "yz")));
        byte[] huge = new byte[Request.MAX_BYTES];
        byte[] start = wire(Request.MAGIC, SECRET, "/", "1");
        System.arraycopy(start, 0, huge, 0, start.length);
        Arrays.fill(huge, start.length, huge.length, (byte) 'a');
        assertEquals("longer than 16384 bytes", malformed(huge));
    }

    @Test
    void bytesAboveAsciiAreWellFormedButLeftToAFreshProcess() throws Exception {
        byte[] bytes = request("eth0", "caf\u00e9.example", "198.51.100.100", "80");
        assertFalse(Request.parse(bytes, bytes.length).ascii());
    }

    @Test
    void repliesHaveFixedWidthHeadersAndCountedBodies() {
        byte[] accepted = Reply.accepted(SECRET, 9000, null);
        assertEquals(Reply.ACCEPTED_LENGTH, accepted.length);
        assertArrayEquals(("ok " + SECRET + " 0009000 0000").getBytes(ISO_8859_1), accepted);
        assertArrayEquals(("ok " + SECRET + " 3600000 0000").getBytes(ISO_8859_1), Reply.accepted(SECRET, 3_600_000, null),
                "-T's largest value");
        assertArrayEquals(("ok " + SECRET + " 0000000 0013/run/lvs role").getBytes(ISO_8859_1),
                Reply.accepted(SECRET, 0, Path.of("/run/lvs role")));
        assertArrayEquals("no busy\0".getBytes(ISO_8859_1), Reply.refused("busy"));
        byte[] result = Reply.result(2, "trace\n".getBytes(ISO_8859_1), "TCP_RAW CRITICAL\n".getBytes(ISO_8859_1));
        assertArrayEquals("002 0000006 0000017\ntrace\nTCP_RAW CRITICAL\n".getBytes(ISO_8859_1), result);
        assertEquals(Reply.RESULT_HEADER_LENGTH, "002 0000006 0000017\n".length());
    }

    private static String malformed(byte[] bytes) {
        return assertThrows(Request.Malformed.class, () -> Request.parse(bytes, bytes.length)).getMessage();
    }
}
