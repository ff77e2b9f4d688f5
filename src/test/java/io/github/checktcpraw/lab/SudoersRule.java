package io.github.checktcpraw.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The shipped {@code icinga-commands/sudoers} rule, installed in /etc/sudoers.d for the duration of a
 * test class with only its plugin path replaced by the lab's wrapper. Checked with {@code visudo -cf}
 * before and {@code visudo -c} after it goes live; removed by {@link #close()}, by a shutdown hook, and
 * by the next install if the JVM that installed it was killed.
 */
final class SudoersRule implements AutoCloseable {

    /** The plugin path in the shipped files. */
    static final String SHIPPED_PLUGIN = "/usr/lib/nagios/plugins/check_tcp_raw";
    private static final List<Path> TOOLS = List.of(Path.of("/usr/bin/sudo"), Path.of("/usr/sbin/visudo"));

    private static final Path SUDOERS_D = Path.of("/etc/sudoers.d");
    private static final String PREFIX = "check_tcp_raw_labit_";
    private static final Duration RUN = Duration.ofSeconds(60);
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9/._+-]+");

    private Path file;
    private Thread hook;

    private SudoersRule() {
    }

    /** Fails the caller (it does not skip) unless sudo and visudo ({@link #TOOLS}) are installed. */
    static void assertToolsInstalled() {
        for (Path tool : TOOLS) {
            assertTrue(Files.isExecutable(tool), tool + " missing: run scripts/install-deps (sudo)");
        }
    }

    /**
     * Installs the shipped rule for {@code pluginPath} (a copy is kept in {@code work} for visudo); fails
     * the caller if the shipped file no longer names {@link #SHIPPED_PLUGIN} or visudo rejects it.
     */
    static SudoersRule install(Path repoRoot, Path work, String pluginPath) throws IOException {
        assertTrue(SAFE_PATH.matcher(pluginPath).matches(), "a path sudoers would need escaped: " + pluginPath);
        reapStale();
        String shipped = Files.readString(repoRoot.resolve("icinga-commands/sudoers"));
        assertTrue(shipped.contains(SHIPPED_PLUGIN), "icinga-commands/sudoers no longer names " + SHIPPED_PLUGIN);
        Path copy = Files.writeString(work.resolve("sudoers"), shipped.replace(SHIPPED_PLUGIN, pluginPath));
        Lab.Result check = Lab.run(RUN, List.of("visudo", "-cf", copy.toString()));
        assertEquals(0, check.exitCode(), "visudo -cf on the lab copy of icinga-commands/sudoers: " + check.describe());

        SudoersRule rule = new SudoersRule();
        // No dot in the name: sudo's @includedir skips such files.
        Path target = SUDOERS_D.resolve(PREFIX + ProcessHandle.current().pid() + "_" + System.nanoTime());
        // Staged under a dotted name, which sudo ignores, then renamed: sudo never reads a partial file.
        Path staged = Files.createTempFile(SUDOERS_D, "." + PREFIX, ".tmp");
        try {
            Files.copy(copy, staged, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(staged, PosixFilePermissions.fromString("r--r-----"));
            rule.hook = new Thread(rule::removeQuietly, "sudoers-rule");
            Runtime.getRuntime().addShutdownHook(rule.hook);
            rule.file = target;
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(staged);
        }
        Lab.Result policy = Lab.run(RUN, List.of("visudo", "-c"));
        if (policy.exitCode() != 0) {
            rule.close();
            fail("visudo -c with " + target + ": " + policy.describe());
        }
        return rule;
    }

    @Override
    public synchronized void close() throws IOException {
        if (file != null) {
            Files.deleteIfExists(file);
            file = null;
        }
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            hook = null;
        }
    }

    private void removeQuietly() {
        try {
            Path f = file;
            if (f != null) {
                Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // nothing more can be done while the JVM shuts down
        }
    }

    /** Removes rules of earlier JVMs that were killed before their clean-up ran. */
    private static void reapStale() throws IOException {
        List<Path> ours;
        try (Stream<Path> s = Files.list(SUDOERS_D)) {
            ours = s.filter(p -> p.getFileName().toString().startsWith(PREFIX)).toList();
        }
        for (Path p : ours) {
            String[] parts = p.getFileName().toString().substring(PREFIX.length()).split("_");
            boolean alive = parts.length == 2 && parts[0].matches("\\d+")
                    && ProcessHandle.of(Long.parseLong(parts[0])).isPresent();
            if (!alive) {
                Files.deleteIfExists(p);
            }
        }
    }
}
