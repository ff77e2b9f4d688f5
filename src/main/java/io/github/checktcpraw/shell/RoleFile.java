package io.github.checktcpraw.shell;

import io.github.checktcpraw.check.Role;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The director's role file (keepalived's notify scripts write it): its first byte says the {@link Role}. */
public final class RoleFile {

    private RoleFile() {
    }

    public static Role read(Path file) throws SetupException {
        return read(file, Path.of(""));
    }

    /**
     * Reads a role file named relative to another process's working directory (a resident checker's
     * client): {@code workingDirectory.resolve(file)}, named as given in every message.
     */
    public static Role read(Path file, Path workingDirectory) throws SetupException {
        Path path = workingDirectory.resolve(file);
        if (Files.isDirectory(path)) {
            throw new SetupException("role file " + file + " is a directory");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            // A FIFO or a device would block the open, or hand us a stranger's data.
            throw new SetupException("role file " + file + " is not a regular file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return Role.ofFirstByte(in.read());
        } catch (NoSuchFileException e) {
            throw new SetupException("role file " + file + " does not exist");
        } catch (AccessDeniedException e) {
            throw new SetupException("role file " + file + " is not readable (permission denied)");
        } catch (IOException e) {
            throw new SetupException("cannot read role file " + file + ": " + e.getMessage());
        }
    }
}
