package io.github.checktcpraw.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * The LVS-DR test lab for integration tests: a thin Java face of {@code lab/netns-lab}, which alone
 * defines the topology (namespaces, addresses, servers). One {@code Lab} is one set of network
 * namespaces with a unique prefix; {@link #close()} tears it down.
 *
 * <pre>{@code
 * Lab.requireRoot();
 * try (Lab lab = Lab.up()) {
 *     Lab.Result r = lab.plugin(Duration.ofSeconds(10), "eth0", Lab.RS1_IP, Lab.VIP, "80");
 * }
 * }</pre>
 *
 * Roles name the namespaces: {@code "dir"} (director), {@code "rs1"} (good real server, VIP on lo),
 * {@code "rs2"} (misconfigured, no VIP), {@code "cli"} (NRPE client side), {@code "sw"} (the bridge).
 */
public final class Lab implements AutoCloseable {

    /** The virtual IP: on the director's and rs1's lo, not on rs2. */
    public static final String VIP = "198.51.100.100";
    /** The director's eth0, the source address of the plugin's frames. */
    public static final String DIRECTOR_IP = "198.51.100.10";
    /** The "good" real server: VIP on lo, arp_ignore=1, arp_announce=2; :80 and :8080 open, :81 closed. */
    public static final String RS1_IP = "198.51.100.42";
    /** The "misconfigured" real server: no VIP; :80 and :8080 open. */
    public static final String RS2_IP = "198.51.100.43";
    /** An address on the lab LAN without a host. */
    public static final String NO_HOST_IP = "198.51.100.44";
    /** The IPv6 VIP: on the director's and rs1's lo, not on rs2. */
    public static final String VIP6 = "2001:db8:1::100";
    public static final String DIRECTOR_IP6 = "2001:db8:1::10";
    public static final String RS1_IP6 = "2001:db8:1::42";
    public static final String RS2_IP6 = "2001:db8:1::43";
    /** An IPv6 address on the lab LAN without a host. */
    public static final String NO_HOST_IP6 = "2001:db8:1::44";
    /** The director's leg towards the client namespace (eth1). */
    public static final String DIRECTOR_CLIENT_IP = "203.0.113.10";
    /** The client namespace's eth0 (for check_nrpe from a second host). */
    public static final String CLIENT_IP = "203.0.113.20";
    /** Every role, in the order netns-lab builds them. */
    public static final List<String> ROLES = List.of("sw", "dir", "rs1", "rs2", "cli");

    /** Where netns-lab keeps each lab's state ({@code <root>/<prefix>/}). */
    public static final Path STATE_ROOT = Path.of("/run/check_tcp_raw-lab");

    private static final Duration UP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUICK = Duration.ofSeconds(10);
    private static final String OWNER_FILE = "java-owner";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Pattern MAC = Pattern.compile("link/ether ([0-9a-f]{2}(?::[0-9a-f]{2}){5})");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9][0-9.\\-]*");
    private static final Duration POLL = Duration.ofMillis(100);
    /** The discard port: where {@link #captureWhile} sends the datagram that ends a capture. */
    private static final int MARKER_PORT = 9;

    private final String prefix;
    private final Path repoRoot;
    private final Thread shutdownHook;
    private boolean closed;

    private Lab(String prefix, Path repoRoot, Thread shutdownHook) {
        this.prefix = prefix;
        this.repoRoot = repoRoot;
        this.shutdownHook = shutdownHook;
    }

    // ------------------------------------------------------------------------------------ lifecycle

    /** Whether this JVM runs as root (uid 0), which building namespaces needs. */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).trim().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0"); // effective uid
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Skips the calling test (visibly) unless {@code command} is installed, naming its package. */
    public static void requireCommand(String command, String debianPackage) {
        Assumptions.assumeTrue(Stream.of("/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/")
                        .anyMatch(dir -> Files.isExecutable(Path.of(dir + command))),
                "needs " + command + " (" + debianPackage + ")");
    }

    /** Skips the calling test (visibly, as an aborted assumption) unless running as root. */
    public static void requireRoot() {
        Assumptions.assumeTrue(isRoot(), "needs root: builds network namespaces");
    }

    /**
     * Builds a new lab under a fresh prefix ({@code "ct"} + 3 characters of the pid + a counter) and
     * returns it; skips the calling test when not root. Labs left behind by a JVM that died without
     * closing them are torn down first.
     */
    public static Lab up() {
        requireRoot();
        Path repo = findRepoRoot();
        reapOrphans(repo);
        long pid = ProcessHandle.current().pid();
        String pidPart = pad3(Long.toString(pid % (36 * 36 * 36), 36));
        for (int attempt = 0; attempt < 36; attempt++) {
            String prefix = "ct" + pidPart + Integer.toString(COUNTER.getAndIncrement() % 36, 36);
            if (exists(prefix)) {
                continue;
            }
            Result r = run(UP_TIMEOUT, List.of("bash", script(repo).toString(), "up", prefix));
            if (r.exitCode() != 0) {
                throw new IllegalStateException("lab/netns-lab up " + prefix + " failed: " + r.describe());
            }
            writeOwner(prefix);
            Thread hook = new Thread(() -> down(repo, prefix), "lab-down-" + prefix);
            Runtime.getRuntime().addShutdownHook(hook);
            return new Lab(prefix, repo, hook);
        }
        throw new IllegalStateException("no free lab prefix for pid " + pid + " after 36 tries");
    }

    /** Tears the lab down (lab/netns-lab down); idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        Result r = down(repoRoot, prefix);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("lab/netns-lab down " + prefix + " failed: " + r.describe());
        }
    }

    /**
     * Closes the lab and returns the namespaces of its prefix that still exist: none, unless the
     * tear-down itself is broken (which is what the caller wants to see).
     */
    public List<String> closeAndListLeftovers() {
        close();
        return existingNamespaces(prefix);
    }

    private static Result down(Path repo, String prefix) {
        return run(DOWN_TIMEOUT, List.of("bash", script(repo).toString(), "down", prefix));
    }

    // ---------------------------------------------------------------------------------- accessors

    /** This lab's prefix (namespace names are prefix + role). */
    public String prefix() {
        return prefix;
    }

    /** The namespace of a role ({@code "dir"}, {@code "rs1"}, {@code "rs2"}, {@code "cli"}, {@code "sw"}). */
    public String namespace(String role) {
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown lab role \"" + role + "\" (roles: " + ROLES + ")");
        }
        return prefix + role;
    }

    /** The repository root (where lab/ and plugin-wrapper/ are). */
    public Path repoRoot() {
        return repoRoot;
    }

    /** plugin-wrapper/check_tcp_raw in the repository: the launcher every lab test runs the plugin through. */
    public Path pluginWrapper() {
        return repoRoot.resolve("plugin-wrapper/check_tcp_raw");
    }

    /** This lab's state directory (configs, server logs, lab.env). */
    public Path stateDir() {
        return STATE_ROOT.resolve(prefix);
    }

    /** The namespaces of any lab with this prefix that exist right now (empty once torn down). */
    public static List<String> existingNamespaces(String prefix) {
        return ROLES.stream().map(role -> prefix + role).filter(ns -> Files.exists(Path.of("/run/netns", ns))).toList();
    }

    // ---------------------------------------------------------------------------------- commands

    /** Runs {@code ip netns exec <namespace of role> command...}, killing it after {@code timeout}. */
    public Result exec(String role, Duration timeout, String... command) {
        return run(timeout, inNamespace(role, command));
    }

    /**
     * Starts {@code ip netns exec <namespace of role> command...} in the background, stdout and stderr
     * to {@code output}, and returns at once: the caller waits for it and ends it.
     */
    public Process start(String role, Path output, String... command) {
        List<String> cmd = inNamespace(role, command);
        ProcessBuilder pb = withSbinOnPath(new ProcessBuilder(cmd))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    /** Runs {@code plugin-wrapper/check_tcp_raw args...} in the director's namespace. */
    public Result plugin(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(pluginWrapper().toString());
        cmd.addAll(Arrays.asList(args));
        return exec("dir", timeout, cmd.toArray(String[]::new));
    }

    /**
     * Opens a TCP connection from a role's namespace (bash's {@code /dev/tcp}) and closes it at once:
     * exit 0 when accepted; otherwise stderr says why ("Connection refused", "No route to host").
     */
    public Result tcpConnect(String role, String address, int port, Duration timeout) {
        return exec(role, timeout.plusSeconds(1), "timeout", Long.toString(Math.max(1, timeout.toSeconds())),
                "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port);
    }

    /** The lines of {@code ss -tan} in a role's namespace, without the header line. */
    public List<String> sockets(String role) {
        Result r = exec(role, QUICK, "ss", "-tan");
        if (r.exitCode() != 0) {
            throw new IllegalStateException("ss -tan in " + namespace(role) + " failed: " + r.describe());
        }
        return r.stdout().lines().filter(l -> !l.startsWith("State")).toList();
    }

    /**
     * The TCP connections in a role's namespace with {@code address} as peer ({@link #sockets} lines,
     * listeners aside). The kernel may need a moment to process a check's last frames, so this polls
     * for up to {@code settle} and returns as soon as there are none; {@link Duration#ZERO} looks once.
     */
    public List<String> connectionsFrom(String role, String address, Duration settle) {
        long deadline = System.nanoTime() + settle.toNanos();
        Predicate<String> fromAddress = l -> !l.startsWith("LISTEN") && l.contains(" " + address + ":");
        List<String> left = sockets(role).stream().filter(fromAddress).toList();
        while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
            pause(POLL);
            left = sockets(role).stream().filter(fromAddress).toList();
        }
        return left;
    }

    /**
     * Waits (at most 5 s) until something listens on TCP {@code port} in a role's namespace, as
     * {@code ss} shows it; fails naming {@code log}'s content (the server's output) when nothing does.
     */
    public void awaitListening(String role, int port, Path log) {
        for (int attempt = 0; attempt < 50; attempt++) {
            if (sockets(role).stream().anyMatch(l -> l.startsWith("LISTEN") && l.contains(":" + port + " "))) {
                return;
            }
            pause(POLL);
        }
        String output;
        try {
            output = Files.readString(log);
        } catch (IOException e) {
            output = e.toString();
        }
        throw new AssertionError("nothing listening on " + port + " in " + role + ": " + output);
    }

    /** The MAC address of a role's eth0, as {@code aa:bb:cc:dd:ee:ff}. */
    public String mac(String role) {
        return mac(role, "eth0");
    }

    /** The MAC address of an interface in a role's namespace. */
    public String mac(String role, String iface) {
        Result r = run(QUICK, List.of("ip", "-n", namespace(role), "-o", "link", "show", "dev", iface));
        Matcher m = MAC.matcher(r.stdout());
        if (r.exitCode() != 0 || !m.find()) {
            throw new IllegalStateException("no MAC for " + iface + " in " + namespace(role) + ": " + r.describe());
        }
        return m.group(1);
    }

    /**
     * Starts {@code tcpdump -l -n -e -i <iface> -U --immediate-mode <filter>} in a role's namespace and
     * returns once it is listening (at most 10 s). Lines carry the link-level header ({@code -e}), so
     * tests can check MAC addresses too. {@code filter} may be empty.
     */
    public Capture capture(String role, String iface, String filter) {
        List<String> cmd = inNamespace(role, "tcpdump", "-l", "-n", "-e", "-i", iface, "-U", "--immediate-mode");
        if (filter != null && !filter.isBlank()) {
            cmd.add(filter);
        }
        return Capture.start(cmd, QUICK);
    }

    /**
     * Captures on a role's eth0 (as {@link #capture}) while {@code during} runs; returns every line
     * captured until then. The end is an event, not a wait: a marker datagram sent across the lab's link
     * after {@code during} returns, which tcpdump sees after every frame that crossed the link before it;
     * the marker's lines (and any ICMP answer to it) are not returned.
     */
    public List<String> captureWhile(String role, String filter, Runnable during) {
        String filterWithMarker = filter == null || filter.isBlank() ? ""
                : "(" + filter + ") or (udp and dst port " + MARKER_PORT + ")";
        try (Capture capture = capture(role, "eth0", filterWithMarker)) {
            during.run();
            String from = role.equals("dir") ? "rs1" : "dir";
            String to = switch (role) {
                case "dir" -> DIRECTOR_IP;
                case "rs1" -> RS1_IP;
                case "rs2" -> RS2_IP;
                default -> throw new IllegalArgumentException("captureWhile on the director or a real server, not " + role);
            };
            Result sent = exec(from, QUICK, "bash", "-c", "echo capture-marker >/dev/udp/" + to + "/" + MARKER_PORT);
            if (sent.exitCode() != 0) {
                throw new IllegalStateException("cannot send the capture's marker from " + from + ": " + sent.describe());
            }
            String marker = " > " + to + "." + MARKER_PORT + ": UDP";
            if (capture.awaitLine(line -> line.contains(marker), QUICK).isEmpty()) {
                throw new IllegalStateException("the capture's marker never reached tcpdump on " + role + ":\n"
                        + String.join("\n", capture.lines()) + "\n" + capture.diagnostics());
            }
            String unreachable = "udp port " + MARKER_PORT + " unreachable";
            return capture.stop().stream().takeWhile(line -> !line.contains(marker))
                    .filter(line -> !line.contains(unreachable)).toList();
        }
    }

    @Override
    public String toString() {
        return "Lab[" + prefix + (closed ? ", closed]" : "]");
    }

    // ------------------------------------------------------------------------------------ records

    /** How a command ended: {@code exitCode} is {@link #TIMED_OUT} when it was killed on timeout. */
    public record Result(int exitCode, String stdout, String stderr, Duration elapsed) {

        /** The exit code of a command killed because it outlived its timeout. */
        public static final int TIMED_OUT = -1;

        public boolean timedOut() {
            return exitCode == TIMED_OUT;
        }

        public List<String> stdoutLines() {
            return stdout.lines().toList();
        }

        public List<String> stderrLines() {
            return stderr.lines().toList();
        }

        /** Everything, for assertion messages. */
        public String describe() {
            return "exit " + (timedOut() ? "TIMED OUT" : exitCode) + " after " + elapsed.toMillis() + " ms"
                    + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr + "---";
        }
    }

    /** A running tcpdump; {@link #stop()} ends it and returns every line it printed. */
    public static final class Capture implements AutoCloseable {
        private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

        private final Process process;
        private final List<String> lines = new ArrayList<>();
        private final StringBuilder diagnostics = new StringBuilder();
        private final CountDownLatch ready = new CountDownLatch(1);
        private final Thread outReader;
        private final Thread errReader;
        private volatile boolean listening;
        private List<String> result;

        private Capture(Process process) {
            this.process = process;
            this.outReader = Thread.ofPlatform().daemon().name("capture-out").unstarted(this::readOut);
            this.errReader = Thread.ofPlatform().daemon().name("capture-err").unstarted(this::readErr);
        }

        static Capture start(List<String> command, Duration readyTimeout) {
            Process p;
            try {
                p = new ProcessBuilder(command).start();
                p.getOutputStream().close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command, e);
            }
            Capture c = new Capture(p);
            c.outReader.start();
            c.errReader.start();
            boolean signalled;
            try {
                signalled = c.ready.await(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.stop();
                throw new IllegalStateException("interrupted while starting " + command, e);
            }
            if (!signalled || !c.listening) {
                c.stop();
                throw new IllegalStateException("tcpdump not listening after " + readyTimeout.toMillis()
                        + " ms: " + command + "\n" + c.diagnostics());
            }
            return c;
        }

        private void readOut() {
            try (BufferedReader r = reader(process.getInputStream())) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the stream closes when tcpdump is killed
            }
        }

        private void readErr() {
            try (BufferedReader r = reader(process.getErrorStream())) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (diagnostics) {
                        diagnostics.append(line).append('\n');
                    }
                    if (line.startsWith("listening on ")) {
                        listening = true;
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the stream closes when tcpdump is killed
            } finally {
                ready.countDown();
            }
        }

        /** The lines captured so far. */
        public List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        /** Waits (at most {@code timeout}) until some captured line matches; returns it. */
        public Optional<String> awaitLine(Predicate<String> match, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (lines) {
                int seen = 0;
                while (true) {
                    for (; seen < lines.size(); seen++) {
                        if (match.test(lines.get(seen))) {
                            return Optional.of(lines.get(seen));
                        }
                    }
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0 || !process.isAlive()) {
                        return Optional.empty();
                    }
                    try {
                        lines.wait(Math.min(left, 100));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return Optional.empty();
                    }
                }
            }
        }

        /** tcpdump's stderr (the "listening on" line, the packet counts after stop, errors). */
        public String diagnostics() {
            synchronized (diagnostics) {
                return diagnostics.toString();
            }
        }

        /** Stops tcpdump (SIGTERM, then SIGKILL after 5 s) and returns every captured line. Idempotent. */
        public synchronized List<String> stop() {
            if (result != null) {
                return result;
            }
            try {
                if (process.isAlive()) {
                    process.destroy();
                    if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                }
                outReader.join(STOP_TIMEOUT);
                errReader.join(STOP_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            result = lines();
            return result;
        }

        @Override
        public void close() {
            stop();
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    /** Sleeps; an interrupt ends the pause early and stays set for the caller to see. */
    public static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends SIG{@code signal} ({@code "TERM"}, {@code "HUP"}...) to process {@code pid} with kill(1);
     * throws when kill fails (no such process, an unknown signal).
     */
    public static void signal(long pid, String signal) {
        Result r = run(QUICK, List.of("kill", "-" + signal, Long.toString(pid)));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + r.describe());
        }
    }

    /**
     * Waits (at most {@code timeout}) until a thread of process {@code pid} is blocked in poll(2), as
     * the kernel shows it ({@code /proc/PID/task/TID/wchan}): the plugin waiting for a reply.
     *
     * @return whether it was seen there
     */
    public static boolean awaitBlockedInPoll(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        do {
            try (Stream<Path> threads = Files.list(tasks)) {
                for (Path thread : threads.toList()) {
                    try {
                        if (Files.readString(thread.resolve("wchan")).contains("poll")) {
                            return true;
                        }
                    } catch (IOException threadEnded) {
                        // gone between the listing and the read
                    }
                }
            } catch (IOException processEnded) {
                return false;
            }
            pause(Duration.ofMillis(5));
        } while (System.nanoTime() - deadline < 0);
        return false;
    }

    /**
     * Waits (at most {@code timeout}) until process {@code pid} has exited: gone from /proc, or a
     * zombie its new parent has not reaped yet (which only a parent can wait for; others can watch).
     *
     * @return whether it exited in time
     */
    public static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        do {
            try {
                String fields = Files.readString(stat);
                // pid (comm) state ...: the comm may hold spaces and parentheses, the state follows the last ')'.
                char state = fields.charAt(fields.lastIndexOf(')') + 2);
                if (state == 'Z' || state == 'X') {
                    return true;
                }
            } catch (IOException gone) {
                return true;
            }
            pause(Duration.ofMillis(5));
        } while (System.nanoTime() - deadline < 0);
        return false;
    }

    /** Text with every number masked ({@code #}), to compare status lines and perfdata across runs. */
    static String numbersMasked(String text) {
        return NUMBER.matcher(text.strip()).replaceAll("#");
    }

    /** Runs a command in the root namespace context of this JVM, output to temp files, killed on timeout. */
    static Result run(Duration timeout, List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("lab-", ".out");
            err = Files.createTempFile("lab-", ".err");
            ProcessBuilder pb = withSbinOnPath(new ProcessBuilder(command))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            long start = System.nanoTime();
            Process p = pb.start();
            p.getOutputStream().close();
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new Result(finished ? p.exitValue() : Result.TIMED_OUT,
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** The repository root: the nearest directory at or above the working directory with lab/netns-lab. */
    static Path findRepoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 10 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("lab/netns-lab")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no lab/netns-lab at or above " + Path.of("").toAbsolutePath());
    }

    /** {@code ip netns exec <namespace of role> command...}, as a list to add to. */
    private List<String> inNamespace(String role, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace(role)));
        cmd.addAll(Arrays.asList(command));
        return cmd;
    }

    /** ip, nft, tcpdump and the daemons live in the sbin directories, which a plain user's PATH lacks. */
    private static ProcessBuilder withSbinOnPath(ProcessBuilder pb) {
        String path = pb.environment().getOrDefault("PATH", "/usr/bin:/bin");
        pb.environment().put("PATH", path + ":/usr/sbin:/sbin");
        return pb;
    }

    private static Path script(Path repo) {
        return repo.resolve("lab/netns-lab");
    }

    private static boolean exists(String prefix) {
        return !existingNamespaces(prefix).isEmpty() || Files.exists(STATE_ROOT.resolve(prefix));
    }

    private static void writeOwner(String prefix) {
        ProcessHandle self = ProcessHandle.current();
        String start = self.info().startInstant().map(Instant::toString).orElse("?");
        try {
            Files.writeString(STATE_ROOT.resolve(prefix).resolve(OWNER_FILE), self.pid() + " " + start + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the owner of lab " + prefix, e);
        }
    }

    /** Tears down labs created by Lab.up() in a JVM that is gone (killed before close or its hook ran). */
    private static void reapOrphans(Path repo) {
        if (!Files.isDirectory(STATE_ROOT)) {
            return;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(STATE_ROOT)) {
            dirs = s.toList();
        } catch (IOException e) {
            return;
        }
        for (Path dir : dirs) {
            Path owner = dir.resolve(OWNER_FILE);
            String[] fields;
            try {
                fields = Files.readString(owner).trim().split(" ");
            } catch (IOException e) {
                continue; // not ours (the demo's, a hand-made lab) or being built right now
            }
            if (fields.length != 2 || !fields[0].matches("\\d+")) {
                continue;
            }
            boolean alive = ProcessHandle.of(Long.parseLong(fields[0]))
                    .filter(h -> h.info().startInstant().map(Instant::toString).orElse("?").equals(fields[1]))
                    .isPresent();
            if (!alive) {
                down(repo, dir.getFileName().toString());
            }
        }
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private static String pad3(String s) {
        return "000".substring(Math.min(3, s.length())) + s;
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
