package io.github.checktcpraw.shell;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;

/** Initial sequence numbers nobody off-path can guess, so that nobody can forge replies to a check. */
public final class InitialSequence {

    private InitialSequence() {
    }

    /** Four bytes from /dev/urandom, the kernel CSPRNG SecureRandom would read, without its provider machinery. */
    public static int next() {
        try (InputStream urandom = new FileInputStream("/dev/urandom")) {
            byte[] bytes = urandom.readNBytes(4);
            if (bytes.length == 4) {
                return (bytes[0] << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
            }
        } catch (IOException e) {
            // No /dev/urandom (a bare chroot): the portable way below.
        }
        return new SecureRandom().nextInt();
    }
}
