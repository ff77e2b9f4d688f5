package io.github.checktcpraw.check;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The director's role in its keepalived pair, as the role file says (only its first byte counts). */
public enum Role {
    /** Holds the VIP: check through the raw path. */
    MASTER,
    /** Does not hold the VIP: a raw check's replies would be answered with RSTs, so connect() instead. */
    BACKUP;

    /** {@code 1} means MASTER; anything else, an empty file included, means BACKUP. */
    public static Role read(Path file) throws SetupException {
        if (Files.isDirectory(file)) {
            throw new SetupException("role file " + file + " is a directory");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // A FIFO or a device would block the open, or hand us a stranger's data.
            throw new SetupException("role file " + file + " is not a regular file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == '1' ? MASTER : BACKUP;
        } catch (NoSuchFileException e) {
            throw new SetupException("role file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new SetupException("role file " + file + " is not readable (permission denied)");
        } catch (IOException e) {
            throw new SetupException("cannot read role file " + file + ": " + e.getMessage());
        }
    }
}
