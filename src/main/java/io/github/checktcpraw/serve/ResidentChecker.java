package io.github.checktcpraw.serve;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.cli.ArgumentParser;
import io.github.checktcpraw.cli.Command;
import io.github.checktcpraw.cli.UsageException;
import io.github.checktcpraw.linux.ErrnoException;
import io.github.checktcpraw.linux.PacketSocket;
import io.github.checktcpraw.output.OutcomeText;
import io.github.checktcpraw.output.Report;
import io.github.checktcpraw.shell.Interruption;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code check_tcp_raw --serve}: a resident checker that runs the checks wrappers hand it, each as a
 * fresh process would, so that a check costs no JVM start. It listens on 127.0.0.1 only, which is
 * the loopback of its own network namespace: no other host, and no wrapper in another namespace,
 * can reach it. Wrappers find it, and prove they may ask it, through {@link Rendezvous}.
 *
 * <p>Threads: the main thread accepts and never blocks on anything else; a platform thread per
 * connection (kept a minute when idle) reads the request, answers it and runs the check, which waits
 * in poll(2) and so would pin a virtual thread; a virtual thread per check watches for the client's
 * cancel or its going away. Checks are bounded by {@link #MAX_CHECKS}, connections by
 * {@link #MAX_CONNECTIONS}, connections that have not yet sent the client secret by
 * {@link #MAX_UNPROVEN}. Every problem is one line on standard error; refusals, which any local user
 * can cause by the thousand, through a {@link RefusalLog}.
 */
public final class ResidentChecker {

    static final String RUNTIME_DIR_VARIABLE = "CHECK_TCP_RAW_RUNTIME_DIR";
    static final Path DEFAULT_RUNTIME_DIR = Path.of("/run/check_tcp_raw");
    /** Checks at once; beyond them a request is refused and its wrapper starts a fresh process. */
    static final int MAX_CHECKS = 64;
    /** Connections at once, checks included; beyond them one is closed as soon as it is accepted. */
    static final int MAX_CONNECTIONS = 128;
    /**
     * Connections at once that have not yet sent the client secret; beyond them the oldest is closed. A
     * wrapper sends it as soon as it is connected, so those that wait are, most likely, a local user's
     * who cannot read it and would hold every slot: they get half at most, the checks the rest.
     */
    static final int MAX_UNPROVEN = MAX_CONNECTIONS - MAX_CHECKS;
    /** How long a client may take to send its whole request. */
    static final long REQUEST_MILLIS = 2000;
    /** How long checks in flight may take to finish after SIGTERM before they are reset. */
    static final long STOP_MILLIS = 250;
    /** The wait for requests that run no check (help, a usage error). */
    static final long QUICK_MILLIS = 2000;
    /** The pause after a failed accept (out of descriptors), so that the log is not flooded. */
    private static final long ACCEPT_RETRY_MILLIS = 100;
    /** How often a stop looks whether the checks in flight have finished. */
    private static final long STOP_POLL_MILLIS = 10;

    private final Checker checker;
    private final Rendezvous rendezvous;
    private final ServerSocket listener;
    /** One line per problem (standard error, that is journald, when serving). */
    private final Consumer<String> log;
    private final RefusalLog refusals;
    /** Guarded by itself: the connections that have not yet sent the client secret, oldest first. */
    private final SequencedSet<Connection> unproven = new LinkedHashSet<>();
    private final Semaphore checks = new Semaphore(MAX_CHECKS);
    private final Semaphore connections = new Semaphore(MAX_CONNECTIONS);
    private final Set<Handed> inFlight = ConcurrentHashMap.newKeySet();
    /** Idle threads are kept a minute: starting one per check costs more than the check's own Java. */
    private final ExecutorService connectionThreads = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 1, TimeUnit.MINUTES,
            new SynchronousQueue<>(), Thread.ofPlatform().name("connection-", 0).factory());
    private volatile boolean stopping;

    private ResidentChecker(Checker checker, Rendezvous rendezvous, ServerSocket listener, Consumer<String> log) {
        this.checker = checker;
        this.rendezvous = rendezvous;
        this.listener = listener;
        this.log = log;
        this.refusals = new RefusalLog(log);
    }

    /**
     * Serves until SIGTERM (or SIGHUP, SIGINT); a server that cannot start says why and exits 1. The
     * native calls are being linked in the background already ({@code CheckTcpRaw.main}).
     */
    public static void serve(Checker checker) {
        // Every lookup asks the system, as a fresh process would: /etc/hosts may have changed.
        Security.setProperty("networkaddress.cache.ttl", "0");
        Security.setProperty("networkaddress.cache.negative.ttl", "0");
        String configured = System.getenv(RUNTIME_DIR_VARIABLE);
        Path directory = configured == null || configured.isEmpty() ? DEFAULT_RUNTIME_DIR : Path.of(configured);
        Consumer<String> log = System.err::println;
        ResidentChecker server;
        try {
            server = open(checker, directory, log);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "check_tcp_raw-stop"));
            try {
                PacketSocket.keepReceiveStampingOn(); // before the first check
            } catch (ErrnoException e) {
                log.accept("receive stamps may come late (the kernel turns them on per check): " + e.getMessage());
            }
            server.publish();
        } catch (IOException | RuntimeException e) {
            log.accept("cannot serve from " + directory + ": " + e.getMessage());
            System.exit(1);
            return;
        }
        log.accept("serving on " + server.listener.getLocalSocketAddress() + " for wrappers that read "
                + directory.resolve(Rendezvous.FILE));
        server.acceptUntilStopped();
    }

    /** Takes the runtime directory and a port on 127.0.0.1; nobody knows of it until {@link #publish}. */
    static ResidentChecker open(Checker checker, Path directory, Consumer<String> log) throws IOException {
        Rendezvous rendezvous = Rendezvous.take(directory);
        try {
            ServerSocket listener = new ServerSocket();
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), MAX_CONNECTIONS);
            return new ResidentChecker(checker, rendezvous, listener, log);
        } catch (IOException | RuntimeException e) {
            rendezvous.close();
            throw e;
        }
    }

    /** Writes the rendezvous file: wrappers hand their checks over from now on. */
    void publish() throws IOException {
        rendezvous.publish(ProcessHandle.current().pid(), listener.getLocalPort());
    }

    /** Accepts connections until {@link #stop}. */
    void acceptUntilStopped() {
        while (!stopping) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!stopping) {
                    log.accept("accept failed: " + e.getMessage());
                    pause(ACCEPT_RETRY_MILLIS);
                }
                continue;
            }
            refusals.sumUp(System.nanoTime());
            if (!connections.tryAcquire()) {
                refused(MAX_CONNECTIONS + " connections were open",
                        "refused a connection: " + MAX_CONNECTIONS + " connections are open");
                closeQuietly(socket);
                continue;
            }
            Connection connection = new Connection(socket);
            Connection oldest = null;
            synchronized (unproven) {
                if (unproven.size() >= MAX_UNPROVEN) {
                    oldest = unproven.removeFirst();
                }
                unproven.add(connection);
            }
            if (oldest != null) {
                oldest.evicted = true; // its own thread logs it
                closeQuietly(oldest.socket);
            }
            try {
                connectionThreads.execute(() -> {
                    try {
                        converse(connection);
                    } finally {
                        proven(connection);
                        connections.release();
                    }
                });
            } catch (RejectedExecutionException | OutOfMemoryError e) {
                proven(connection);
                connections.release();
                closeQuietly(socket);
                refused("no thread for a connection", "refused a connection: no thread for it (" + e.getMessage() + ")");
            }
        }
    }

    /** A connection that sent the client secret, or is done: it can no longer be closed for waiting. */
    private void proven(Connection connection) {
        synchronized (unproven) {
            unproven.remove(connection);
        }
    }

    private void refused(String kind, String line) {
        refusals.refused(kind, line, System.nanoTime());
    }

    /** One connection: a request, an acknowledgement or refusal, then the check's result. */
    private void converse(Connection connection) {
        Socket socket = connection.socket;
        String peer = String.valueOf(socket.getRemoteSocketAddress());
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            Request request;
            try {
                request = readRequest(socket, in);
            } catch (Request.Malformed e) {
                refused("malformed requests", "refused a request from " + peer + ": " + e.getMessage());
                socket.getOutputStream().write(Reply.refused(e.getMessage()));
                return;
            }
            if (!request.hasSecret(rendezvous.clientSecret)) {
                refused("wrong client secret", "refused a request from " + peer + ": wrong client secret");
                socket.getOutputStream().write(Reply.refused("wrong client secret"));
                return;
            }
            proven(connection);
            Command command = parse(request.args());
            // A request that is not ASCII goes to a fresh process without its role file looked at
            // (its names are not necessarily paths here).
            Path roleFile = request.ascii() ? roleFile(request, command) : null;
            String leftToAFreshProcess = leftToAFreshProcess(request, roleFile);
            if (leftToAFreshProcess != null) {
                socket.getOutputStream().write(Reply.refused(leftToAFreshProcess));
                return;
            }
            if (stopping || !checks.tryAcquire()) {
                String why = stopping ? "stopping" : MAX_CHECKS + " checks are running";
                refused(why, "refused a check from " + peer + ": " + why);
                socket.getOutputStream().write(Reply.refused("busy"));
                return;
            }
            Handed handed = new Handed(socket, request);
            inFlight.add(handed);
            try {
                handed.write(Reply.accepted(rendezvous.serverSecret, waitMillis(command), roleFile));
                if (roleFile != null && !goAhead(socket, in, peer)) {
                    handed.release();
                    return;
                }
                // Until the check has answered and closed the connection: a byte is the wrapper's
                // signal, the end of the stream its death. Either interrupts the check.
                Thread.ofVirtual().name("watch").start(() -> {
                    try {
                        handed.cancel(in.read() >= 0);
                    } catch (IOException closedByTheCheck) {
                        // answered
                    }
                });
            } catch (IOException | OutOfMemoryError e) {
                handed.release();
                throw e instanceof IOException io ? io : new IOException("no thread to watch the check: " + e, e);
            }
            handed.check();
        } catch (SocketTimeoutException e) {
            String why = "no whole request within " + REQUEST_MILLIS + " ms";
            refused(why, "refused a request from " + peer + ": " + why);
        } catch (IOException e) {
            if (connection.evicted) {
                refused("no client secret yet, " + MAX_UNPROVEN + " newer connections waiting",
                        "closed a connection from " + peer + ": it had not sent the client secret, and " + MAX_UNPROVEN
                                + " newer connections had not either");
            } else if (!stopping) {
                log.accept("connection from " + peer + " failed: " + e.getMessage());
            }
        }
    }

    private static Request readRequest(Socket socket, InputStream in) throws IOException, Request.Malformed {
        byte[] buffer = new byte[Request.MAX_BYTES];
        int length = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REQUEST_MILLIS);
        while (true) { // ends: each pass reads at least a byte into a bounded buffer, or throws
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException();
            }
            socket.setSoTimeout((int) left);
            int read = in.read(buffer, length, buffer.length - length);
            if (read < 0) {
                throw new Request.Malformed("the connection ended after " + length + " bytes, before a whole request");
            }
            length += read;
            Request request = Request.parse(buffer, length);
            if (request != null) {
                socket.setSoTimeout(0);
                return request;
            }
        }
    }

    /**
     * Whether the wrapper, told which role file the check would read, sees that same file (it answers
     * {@link Reply#GO}); it may not, from another mount namespace (a private /tmp, a bind mount).
     */
    private boolean goAhead(Socket socket, InputStream in, String peer) throws IOException {
        socket.setSoTimeout((int) REQUEST_MILLIS);
        try {
            return in.read() == Reply.GO;
        } catch (SocketTimeoutException e) {
            String why = "no go-ahead within " + REQUEST_MILLIS + " ms";
            refused(why, "refused a check from " + peer + ": " + why);
            return false;
        } finally {
            socket.setSoTimeout(0);
        }
    }

    /** The role file a check would read, as the wrapper names it from its working directory; {@code null} for none. */
    private static Path roleFile(Request request, Command command) {
        return command instanceof Command.RunCheck check && check.options().roleFile() != null
                ? Path.of(request.workingDirectory()).resolve(check.options().roleFile()) : null;
    }

    /**
     * Why a well-formed request would not get the answer of a fresh process here, or {@code null}: the
     * wrapper then starts one. Not a problem, so not logged.
     *
     * @param role the request's {@link #roleFile}, {@code null} for none
     */
    private static String leftToAFreshProcess(Request request, Path role) {
        if (!request.ascii()) {
            return "not ASCII: a fresh process decodes it in its caller's locale";
        }
        // notExists is false, as exists is, where a directory on the way may not be searched: then
        // only the caller's own process can tell whether the file is there and readable.
        if (role != null && !Files.isReadable(role) && !Files.notExists(role)) {
            return "the role file may not be readable by the resident checker's user";
        }
        return null;
    }

    /** How long the result may take: the check's overall bound (0: none), to which the wrapper adds a margin. */
    private static long waitMillis(Command command) {
        return command instanceof Command.RunCheck check ? check.options().totalTimeoutMillis() : QUICK_MILLIS;
    }

    /** The command line as the check will parse it, or {@code null} for one it will reject. */
    private static Command parse(List<String> args) {
        try {
            return ArgumentParser.parse(args);
        } catch (UsageException e) {
            return null;
        }
    }

    /** The shutdown hook (SIGTERM, SIGINT, SIGHUP): wrappers start fresh processes from now on. */
    void stop() {
        stopping = true;
        closeQuietly(listener);
        connectionThreads.shutdown();
        try {
            rendezvous.close();
        } catch (IOException e) {
            log.accept("cannot remove " + Rendezvous.FILE + ": " + e.getMessage());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_MILLIS);
        while (!inFlight.isEmpty() && System.nanoTime() - deadline < 0) { // ends: at the deadline
            pause(STOP_POLL_MILLIS);
        }
        int reset = 0;
        for (Handed handed : List.copyOf(inFlight)) {
            reset += handed.drop() ? 1 : 0;
        }
        refusals.sumUpAll(System.nanoTime());
        log.accept("stopped" + (reset == 0 ? "" : "; reset " + reset + (reset == 1 ? " check" : " checks")
                + " in flight, whose wrappers start fresh processes"));
    }

    /** An accepted connection; {@code evicted} when it was closed for waiting too long without the secret. */
    private static final class Connection {
        final Socket socket;
        volatile boolean evicted;

        Connection(Socket socket) {
            this.socket = socket;
        }
    }

    /** A check taken from a wrapper, from its acknowledgement to its answer. */
    private final class Handed {
        private final Socket socket;
        private final Request request;
        private final Interruption interruption = Interruption.none();
        private final ByteArrayOutputStream trace = new ByteArrayOutputStream();
        private final PrintStream err = new PrintStream(trace, true, US_ASCII);
        /** Only the check's thread uses it. */
        private final List<PacketSocket> toClose = new ArrayList<>();
        /**
         * Counted down when a cancel or a stop, having claimed the exit, is done with the connection:
         * until then the check's thread leaves it open, and its packet socket too, which the reset uses.
         */
        private final CountDownLatch settled = new CountDownLatch(1);

        Handed(Socket socket, Request request) {
            this.socket = socket;
            this.request = request;
        }

        /** Runs the check and answers, unless a cancel or a stop claimed the answer first. */
        void check() {
            Report report = null;
            try {
                report = checker.check(request.args(), Path.of(request.workingDirectory()), err, interruption,
                        toClose::add);
            } catch (RuntimeException | Error e) {
                log.accept("check " + request.args() + " failed: " + e);
            }
            try {
                if (interruption.claimExit()) {
                    if (report != null) {
                        answer(report);
                    }
                } else {
                    awaitSettled();
                }
            } finally {
                for (PacketSocket socket : toClose) {
                    socket.close(); // after the answer: close(2) waits for an RCU grace period
                }
                release();
            }
        }

        /** On the connection's thread: the wrapper's signal ({@code asked}) or its death interrupts the check. */
        void cancel(boolean asked) {
            Outcome outcome = interruption.interrupt();
            if (outcome == null) {
                return;
            }
            try {
                if (asked) {
                    answer(Report.unknown(ArgumentParser.asksForCompat(request.args()), OutcomeText.of(outcome)));
                } else {
                    log.accept("the wrapper of check " + request.args() + " went away; interrupted it");
                    closeQuietly(socket);
                }
            } finally {
                settled.countDown();
            }
        }

        /**
         * The server stops with the check unfinished: reset, and no answer, so the wrapper starts a fresh process.
         *
         * @return false if the check had finished (or been cancelled) meanwhile: nothing was reset
         */
        boolean drop() {
            if (interruption.interrupt() == null) {
                return false;
            }
            closeQuietly(socket);
            settled.countDown();
            return true;
        }

        /** Bounded: a cancel's reset and answer are a few sends on sockets that are open. */
        private void awaitSettled() {
            try {
                if (!settled.await(REQUEST_MILLIS, TimeUnit.MILLISECONDS)) {
                    log.accept("check " + request.args() + " was interrupted but not answered within " + REQUEST_MILLIS
                            + " ms; closed its connection");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void release() {
            if (inFlight.remove(this)) {
                checks.release();
                closeQuietly(socket);
            }
        }

        private void answer(Report report) {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            report.print(new PrintStream(stdout, true, US_ASCII), err);
            try {
                write(Reply.result(report.exitCode(), trace.toByteArray(), stdout.toByteArray()));
                socket.shutdownOutput();
            } catch (IOException e) {
                log.accept("cannot answer check " + request.args() + ": " + e.getMessage());
            }
        }

        synchronized void write(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing a connection or listener that is done with loses nothing.
        }
    }
}
