package io.github.checktcpraw.serve;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * What the wrapper hands a resident checker: NUL-terminated fields (no argument can hold a NUL), the
 * magic {@value #MAGIC}, the client secret, the wrapper's working directory, the number of arguments
 * and the arguments. Bytes are kept as they came (ISO-8859-1, one char per byte); a request with
 * any byte above 127 is well formed but not {@link #ascii()}, and the server leaves it to a fresh
 * process, whose locale decides how to decode it.
 */
public record Request(String secret, String workingDirectory, List<String> args) {

    /** The first field; its "/1" is not the protocol's version: {@link Rendezvous#VERSION} is the one that counts. */
    static final String MAGIC = "check_tcp_raw/1";
    static final int MAX_BYTES = 16 * 1024;
    static final int MAX_ARGS = 64;
    private static final int MAX_ARGS_DIGITS = 2;

    /** A request that is not one: the message says why, for the log line. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * @param data the bytes received so far, from {@code data[0]} to {@code data[length - 1]}
     * @return the request once they hold all of it, {@code null} while they are the start of one
     * @throws Malformed as soon as they cannot be the start of one
     */
    static Request parse(byte[] data, int length) throws Malformed {
        List<String> fields = new ArrayList<>();
        int expected = 4; // until the number of arguments is known
        int start = 0;
        for (int i = 0; i < length && fields.size() < expected; i++) {
            if (data[i] != 0) {
                continue;
            }
            fields.add(new String(data, start, i - start, ISO_8859_1));
            start = i + 1;
            if (fields.size() == 1 && !fields.getFirst().equals(MAGIC)) {
                throw new Malformed("not a check_tcp_raw request");
            }
            if (fields.size() == 4) {
                expected += argumentCount(fields.get(3));
            }
        }
        if (fields.isEmpty() && !MAGIC.startsWith(new String(data, 0, Math.min(length, MAGIC.length() + 1), ISO_8859_1))) {
            throw new Malformed("not a check_tcp_raw request");
        }
        if (fields.size() < expected) {
            if (length >= MAX_BYTES) {
                throw new Malformed("longer than " + MAX_BYTES + " bytes");
            }
            return null;
        }
        if (start != length) {
            throw new Malformed((length - start) + " bytes after the request");
        }
        if (!fields.get(2).startsWith("/")) {
            throw new Malformed("the working directory is not an absolute path");
        }
        return new Request(fields.get(1), fields.get(2), List.copyOf(fields.subList(4, fields.size())));
    }

    /** Whether the secret is {@code expected}, in time that does not tell how much of it matched. */
    boolean hasSecret(String expected) {
        return MessageDigest.isEqual(secret.getBytes(ISO_8859_1), expected.getBytes(ISO_8859_1));
    }

    /** Whether every byte is ASCII, which decodes the same in every locale a fresh process could have. */
    boolean ascii() {
        if (!isAscii(workingDirectory)) {
            return false;
        }
        for (String arg : args) {
            if (!isAscii(arg)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 127) {
                return false;
            }
        }
        return true;
    }

    private static int argumentCount(String field) throws Malformed {
        if (field.isEmpty() || field.length() > MAX_ARGS_DIGITS || !field.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new Malformed("the number of arguments is not a number from 0 to " + MAX_ARGS);
        }
        int count = Integer.parseInt(field);
        if (count > MAX_ARGS) {
            throw new Malformed(count + " arguments, more than " + MAX_ARGS);
        }
        return count;
    }
}
