package io.github.checktcpraw.serve;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;

/**
 * What a resident checker answers, as NUL-terminated fields that bash's {@code read -d ''} takes one
 * at a time: first {@code ok SERVER_SECRET SECONDS [ROLE_FILE]} (the request is taken; the result
 * follows within that many seconds, 0 for no bound) or {@code no REASON} (it is not: the wrapper
 * starts a fresh process), then the result: the exit code, standard error, standard output. When
 * the acknowledgement names the role file the check would read, the check waits for the wrapper's
 * {@link #GO}: it sends it only if it sees the same file there.
 */
final class Reply {

    /** The wrapper's byte that lets a check with a role file go ahead. */
    static final int GO = 'y';

    private Reply() {
    }

    static byte[] accepted(String serverSecret, long waitSeconds, Path roleFile) {
        return field("ok " + serverSecret + " " + waitSeconds + (roleFile == null ? "" : " " + roleFile));
    }

    static byte[] refused(String reason) {
        return field("no " + reason);
    }

    static byte[] result(int exitCode, byte[] stderr, byte[] stdout) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(stderr.length + stdout.length + 8);
        bytes.writeBytes(field(Integer.toString(exitCode)));
        bytes.writeBytes(stderr);
        bytes.write(0);
        bytes.writeBytes(stdout);
        bytes.write(0);
        return bytes.toByteArray();
    }

    private static byte[] field(String text) {
        return (text + '\0').getBytes(ISO_8859_1);
    }
}
