package io.github.checktcpraw.serve;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Where wrappers find a resident checker: the file {@code server} in the runtime directory, one line
 * {@code VERSION PID PORT CLIENT_SECRET SERVER_SECRET} that bash reads with its {@code read} builtin.
 * It is readable by its owner alone (root reads it anyway): whoever cannot read it cannot send the
 * client secret, and so gets no check from the server; the server proves itself with the server
 * secret, so a process that took over the port of a dead server cannot answer in its name.
 * A lock on {@code lock} in the same directory keeps a second server off it.
 */
final class Rendezvous implements AutoCloseable {

    /**
     * Of the whole conversation, so that a wrapper and a server of two releases never talk: bump it on any
     * change to {@link Request}, {@link Reply} or the {@code server} line (the wrapper has its own copy).
     */
    static final String VERSION = "2";
    static final String FILE = "server";
    private static final String LOCK = "lock";
    private static final int SECRET_BYTES = 32;

    private final Path file;
    private final FileChannel lockChannel;
    final String clientSecret;
    final String serverSecret;

    private Rendezvous(Path file, FileChannel lockChannel) {
        this.file = file;
        this.lockChannel = lockChannel;
        SecureRandom random = new SecureRandom();
        this.clientSecret = secret(random);
        this.serverSecret = secret(random);
    }

    /**
     * Takes the runtime directory, creating it if needed.
     *
     * @throws IOException with the line to log: the directory is unusable or another server holds it
     */
    static Rendezvous take(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        String permissions = PosixFilePermissions.toString(Files.getPosixFilePermissions(directory));
        if (permissions.charAt(4) == 'w' || permissions.charAt(7) == 'w') {
            // Whoever may write there could put a server of their own in front of the wrappers.
            throw new IOException("runtime directory " + directory + " is writable by others (" + permissions + ")");
        }
        FileChannel channel = FileChannel.open(directory.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("another resident checker serves " + directory);
        }
        return new Rendezvous(directory.resolve(FILE), channel);
    }

    /** Publishes the server: written aside and renamed, so that a wrapper never reads half a line. */
    void publish(long pid, int port) throws IOException {
        Path temporary = file.resolveSibling(FILE + ".new");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temporary, VERSION + " " + pid + " " + port + " " + clientSecret + " " + serverSecret + "\n");
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Withdraws the server (wrappers start fresh processes again) and lets another take the directory. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
        } finally {
            lockChannel.close();
        }
    }

    private static String secret(SecureRandom random) {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
