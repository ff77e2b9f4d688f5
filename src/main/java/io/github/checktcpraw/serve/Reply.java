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
 *     within WAIT seconds (0: no bound). When a role file is named the check waits for the wrapper's
 *     {@link #GO}, which it sends only if it sees the same file there.
 * <li>{@code no REASON} and a NUL: it is not; the wrapper starts a fresh process.
 * <li>the result: {@code EXIT STDERR_LENGTH STDOUT_LENGTH} ({@value #RESULT_HEADER_LENGTH} characters,
 *     zero-padded, newline-terminated), standard error, standard output.
 * </ul>
 * Everything is ASCII: requests are (see {@link Request#ascii()}), and so is what the check prints of them.
 */
final class Reply {

    static final int ACCEPTED_LENGTH = 79;
    static final int RESULT_HEADER_LENGTH = 20;
    /** The wrapper's byte that lets a check with a role file go ahead. */
    static final int GO = 'y';

    private Reply() {
    }

    static byte[] accepted(String serverSecret, long waitSeconds, Path roleFile) {
        String role = roleFile == null ? "" : roleFile.toString();
        return String.format("ok %s %06d %04d%s", serverSecret, waitSeconds, role.length(), role).getBytes(US_ASCII);
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
