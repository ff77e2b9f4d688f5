package io.github.checktcpraw.serve;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;

/**
 * What a resident checker answers, in fixed-width headers and counted bodies, which bash's
 * {@code read -N} takes in one system call each (a delimiter makes it read byte by byte):
 * <ul>
 * <li>{@code ok SERVER_SECRET WAIT ROLE_LENGTH} ({@value #ACCEPTED_LENGTH} characters, WAIT and
 *     ROLE_LENGTH zero-padded) and the role file's path: the request is taken, and its result follows
 *     within WAIT milliseconds, the check's own bound (-T; 0: none), which the wrapper waits for with a
 *     small margin. When a role file is named the check waits for the wrapper's {@link #GO}, which it
 *     sends only if it sees the same file there.
 * <li>{@code no REASON} and a NUL: it is not; the wrapper starts a fresh process.
 * <li>the result: {@code EXIT STDERR_LENGTH STDOUT_LENGTH} ({@value #RESULT_HEADER_LENGTH} characters,
 *     zero-padded, newline-terminated), standard error, standard output.
 * </ul>
 * Everything is ASCII: requests are (see {@link Request#ascii()}), and so is what the check prints of them.
 */
final class Reply {

    static final int ACCEPTED_LENGTH = 80;
    static final int RESULT_HEADER_LENGTH = 20;
    /** The wrapper's byte that lets a check with a role file go ahead. */
    static final int GO = 'y';

    private Reply() {
    }

    /** @param waitMillis at most an hour, -T's bound: seven digits */
    static byte[] accepted(String serverSecret, long waitMillis, Path roleFile) {
        String role = roleFile == null ? "" : roleFile.toString();
        return String.format("ok %s %07d %04d%s", serverSecret, waitMillis, role.length(), role).getBytes(US_ASCII);
    }

    static byte[] refused(String reason) {
        return ("no " + reason + '\0').getBytes(US_ASCII);
    }

    static byte[] result(int exitCode, byte[] stderr, byte[] stdout) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(RESULT_HEADER_LENGTH + stderr.length + stdout.length);
        bytes.writeBytes(String.format("%03d %07d %07d\n", exitCode, stderr.length, stdout.length).getBytes(US_ASCII));
        bytes.writeBytes(stderr);
        bytes.writeBytes(stdout);
        return bytes.toByteArray();
    }
}
