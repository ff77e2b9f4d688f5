package io.github.checktcpraw.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** What the lab tests do with the daemons they start: wait for what they write, read their logs, stop them. */
final class Daemon {

    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(200);

    private Daemon() {
    }

    /**
     * SIGTERM to the daemon, SIGKILL to anything of it (children included) still alive after
     * {@code grace}; returns what is alive even then (nothing, normally). Never throws, so a failure
     * that led here keeps its own message.
     */
    static List<ProcessHandle> stop(Process daemon, Duration grace) {
        List<ProcessHandle> family = new ArrayList<>(daemon.descendants().toList());
        family.add(daemon.toHandle());
        boolean interrupted = false;
        daemon.destroy();
        try {
            if (!daemon.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                family.addAll(daemon.descendants().toList());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        family.forEach(ProcessHandle::destroyForcibly); // no-op for those already gone
        long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        while (family.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return family.stream().filter(ProcessHandle::isAlive).toList();
    }

    /**
     * Polls {@code probe} (every 200 ms, at most {@code timeout}) until it returns a value, and returns
     * it; empty when time runs out or {@code daemon} exits first (then the probe's last look decides).
     */
    static <T> Optional<T> await(Process daemon, Duration timeout, Supplier<Optional<T>> probe) {
        return await(daemon::isAlive, timeout, probe);
    }

    /** As {@link #await(Process, Duration, Supplier)}, for what no daemon of the test's writes (a server of the lab's, the kernel). */
    static <T> Optional<T> await(Duration timeout, Supplier<Optional<T>> probe) {
        return await(() -> true, timeout, probe);
    }

    private static <T> Optional<T> await(BooleanSupplier writerAlive, Duration timeout, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long rounds = timeout.toMillis() / POLL.toMillis() + 1;
        for (long i = 0; i < rounds; i++) {
            boolean alive = writerAlive.getAsBoolean();
            Optional<T> value = probe.get();
            if (value.isPresent() || !alive || System.nanoTime() > deadline) {
                return value;
            }
            Lab.pause(POLL);
        }
        return Optional.empty();
    }

    /**
     * Waits (at most {@code timeout}) until {@code ss -Htln} in a role's namespace shows a listener on
     * {@code address:port}; false when it does not, or the daemon exited.
     */
    static boolean awaitListening(Lab lab, String role, String address, int port, Process daemon, Duration timeout) {
        String listen = " " + address + ":" + port + " ";
        return await(daemon, timeout, () -> lab.exec(role, timeout, "ss", "-Htln").stdout().lines()
                .filter(l -> l.contains(listen)).findFirst()).isPresent();
    }

    /** The last {@code lines} lines of a file, or why there are none, for assertion messages. */
    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.exists(file) ? Files.readAllLines(file) : List.of("(missing)");
            return "--- " + file + " (tail)\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
        } catch (IOException e) {
            return "--- " + file + " unreadable: " + e + "\n";
        }
    }
}
