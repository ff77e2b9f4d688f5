package io.github.checktcpraw.serve;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.check.Outcome;
import io.github.checktcpraw.output.OutcomeText;
import io.github.checktcpraw.output.Report;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident checker in this JVM, with a fake {@link Checker} in place of the real check, and a
 * client that speaks the wrapper's side of the protocol.
 */
class ResidentCheckerTest {

    @TempDir
    Path dir;

    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private Path runtime;
    private ResidentChecker server;
    private Thread accepting;

    @AfterEach
    void stopTheServer() throws InterruptedException {
        if (server != null) {
            server.stop();
            accepting.join();
        }
    }

    @Test
    void aRuntimeDirectoryWritableByOthersIsRefused() throws IOException {
        for (String permissions : List.of("rwxrwxr-x", "rwxr-xrwx")) {
            Path writable = Files.createDirectory(dir.resolve(permissions));
            Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString(permissions));
            IOException refused = assertThrows(IOException.class, () -> Rendezvous.take(writable));
            assertEquals("runtime directory " + writable + " is writable by others (" + permissions + ")", refused.getMessage());
            assertFalse(Files.exists(writable.resolve(Rendezvous.FILE)));
        }
    }

    @Test
    void theRendezvousFileIsOneLineForItsOwnerAloneAndGoesWithTheServer() throws IOException, InterruptedException {
        start((args, workingDirectory, err, interruption, closing) -> new Report(0, "OK", null));
        Path file = runtime.resolve(Rendezvous.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String[] fields = Files.readString(file).split(" ");
        assertEquals(5, fields.length);
        assertEquals(Rendezvous.VERSION, fields[0]);
        assertEquals(Long.toString(ProcessHandle.current().pid()), fields[1]);
        assertTrue(fields[3].matches("[0-9a-f]{64}") && fields[4].matches("[0-9a-f]{64}\n"), String.join(" ", fields));

        server.stop();
        accepting.join();
        server = null;
        assertFalse(Files.exists(file), "the rendezvous file outlived its server");
    }

    @Test
    void aCheckIsAnsweredWithTheCheckersReportAndTrace() throws IOException {
        start((args, workingDirectory, err, interruption, closing) -> {
            err.println("[PARAMS] " + args + " from " + workingDirectory);
            return new Report(2, "TCP_RAW CRITICAL - no SYN/ACK", null);
        });
        try (Client client = new Client(secrets()[0], "-v", "eth0", "198.51.100.42", "198.51.100.100", "80")) {
            assertEquals("ok " + secrets()[1] + " 0009000 0000", client.acknowledged(),
                    "the server secret, the check's bound (-T's default) and no role file");
            assertEquals(new Result(2, "[PARAMS] [-v, eth0, 198.51.100.42, 198.51.100.100, 80] from /var/lib/nagios\n",
                    "TCP_RAW CRITICAL - no SYN/ACK\n"), client.result());
        }
    }

    @Test
    void aWrongClientSecretIsRefusedAndLogged() throws IOException {
        start((args, workingDirectory, err, interruption, closing) -> new Report(0, "OK", null));
        try (Client client = new Client("0".repeat(64), "eth0", "198.51.100.42", "198.51.100.100", "80")) {
            assertEquals("no wrong client secret\0", client.readToEnd());
        }
        assertEquals(List.of("refused a request from /127.0.0.1:PORT: wrong client secret"), logWithoutPorts());
    }

    /**
     * The wrapper's cancel is answered, however the check's own end races the answer: the check,
     * which loses the claim to the exit, must not close the connection under it.
     */
    @Test
    void everyCancelIsAnsweredAsAFreshProcessAnswersASignal() throws IOException {
        start((args, workingDirectory, err, interruption, closing) -> {
            // As a raw check does: it notices the interruption at its next step, and ends.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!interruption.interrupted() && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            return new Report(0, "TCP_RAW OK - too late to be printed", null);
        });
        String interrupted = Report.unknown(false, OutcomeText.of(new Outcome.Interrupted(false, null))).stdout() + "\n";
        for (int round = 0; round < 300; round++) {
            try (Client client = new Client(secrets()[0], "eth0", "198.51.100.42", "198.51.100.100", "80")) {
                client.acknowledged();
                client.cancel();
                assertEquals(new Result(3, "", interrupted), client.result(), "round " + round);
            }
        }
    }

    /** A stop resets the checks in flight, and counts only those: not one that a cancel has answered. */
    @Test
    void aStopResetsAndCountsOnlyTheChecksItInterrupts() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        start((args, workingDirectory, err, interruption, closing) -> {
            long deadline = System.nanoTime() + 10_000_000_000L;
            if (args.contains("--vip-arp")) {
                // Slow to notice its cancel: still in flight when the stop comes.
                try {
                    released.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            while (!interruption.interrupted() && System.nanoTime() - deadline < 0) {
                Thread.onSpinWait();
            }
            return new Report(0, "TCP_RAW OK - too late to be printed", null);
        });
        try (Client cancelled = new Client(secrets()[0], "--vip-arp", "eth0", "198.51.100.42", "198.51.100.100", "80");
                Client inFlight = new Client(secrets()[0], "eth0", "198.51.100.42", "198.51.100.100", "80")) {
            cancelled.acknowledged();
            cancelled.cancel();
            assertEquals(3, cancelled.result().exitCode());
            inFlight.acknowledged();

            server.stop();

            assertEquals("", inFlight.readToEnd(), "no answer: its wrapper starts a fresh process");
            assertEquals("stopped; reset 1 check in flight, whose wrappers start fresh processes", log.getLast());
        } finally {
            released.countDown();
        }
    }

    @Test
    void aWrapperThatSendsNoGoAheadForItsRoleFileIsLoggedAsSuch() throws IOException {
        start((args, workingDirectory, err, interruption, closing) -> new Report(0, "OK", null));
        String role = Files.writeString(dir.resolve("lvs.role"), "1\n").toString();
        try (Client client = new Client(secrets()[0], "-r", role, "eth0", "198.51.100.42", "198.51.100.100", "80")) {
            assertTrue(client.acknowledged().endsWith(String.format("%04d", role.length())));
            assertEquals(role, client.readToEnd(), "the role file, then the end");
        }
        assertEquals(List.of("refused a check from /127.0.0.1:PORT: no go-ahead within 2000 ms"), logWithoutPorts());
    }

    /**
     * A local user who cannot read the client secret can open connections and never send it; it holds
     * {@value ResidentChecker#MAX_UNPROVEN} slots at most, so a wrapper is still served, and the log
     * gets one line for all the connections closed for it.
     */
    @Test
    void connectionsThatNeverSendTheSecretCannotKeepAWrapperOut() throws IOException {
        start((args, workingDirectory, err, interruption, closing) -> new Report(0, "TCP_RAW OK", null));
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < ResidentChecker.MAX_CONNECTIONS; i++) {
                idle.add(new Socket(InetAddress.getLoopbackAddress(), port()));
            }
            try (Client client = new Client(secrets()[0], "eth0", "198.51.100.42", "198.51.100.100", "80")) {
                client.acknowledged();
                assertEquals(new Result(0, "", "TCP_RAW OK\n"), client.result());
            }
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
        synchronized (log) {
            assertEquals(1, log.stream().filter(line -> line.startsWith("closed a connection from ")).count(), log.toString());
            assertTrue(log.size() <= 2, "one line, and at most one that counts the rest: " + log);
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    private void start(Checker checker) throws IOException {
        runtime = Files.createDirectory(dir.resolve("run"));
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxr-xr-x"));
        server = ResidentChecker.open(checker, runtime, log::add);
        server.publish();
        accepting = Thread.ofPlatform().name("accepting").start(server::acceptUntilStopped);
    }

    /** The client and server secrets. */
    private String[] secrets() throws IOException {
        String[] fields = Files.readString(runtime.resolve(Rendezvous.FILE)).strip().split(" ");
        return new String[] {fields[3], fields[4]};
    }

    private int port() throws IOException {
        return Integer.parseInt(Files.readString(runtime.resolve(Rendezvous.FILE)).split(" ")[2]);
    }

    private List<String> logWithoutPorts() {
        synchronized (log) {
            return log.stream().map(line -> line.replaceAll("127\\.0\\.0\\.1:\\d+", "127.0.0.1:PORT")).toList();
        }
    }

    record Result(int exitCode, String stderr, String stdout) {
    }

    /** The wrapper's side: the request as its printf writes it, then the replies, read as it reads them. */
    private final class Client implements AutoCloseable {
        final Socket socket;
        final InputStream in;

        Client(String clientSecret, String... args) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port());
            in = socket.getInputStream();
            StringBuilder request = new StringBuilder();
            for (String field : List.of(Request.MAGIC, clientSecret, "/var/lib/nagios", Integer.toString(args.length))) {
                request.append(field).append('\0');
            }
            for (String arg : args) {
                request.append(arg).append('\0');
            }
            socket.getOutputStream().write(request.toString().getBytes(US_ASCII));
        }

        /** The acknowledgement without the role file (there is none in these requests). */
        String acknowledged() throws IOException {
            return read(Reply.ACCEPTED_LENGTH);
        }

        void cancel() throws IOException {
            socket.getOutputStream().write('x');
        }

        Result result() throws IOException {
            String header = read(Reply.RESULT_HEADER_LENGTH);
            String stderr = read(Integer.parseInt(header.substring(4, 11)));
            String stdout = read(Integer.parseInt(header.substring(12, 19)));
            return new Result(Integer.parseInt(header.substring(0, 3)), stderr, stdout);
        }

        /** Everything until the server closes the connection. */
        String readToEnd() throws IOException {
            return new String(in.readAllBytes(), US_ASCII);
        }

        private String read(int length) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.writeBytes(in.readNBytes(length));
            if (bytes.size() < length) {
                throw new IOException("the connection ended after " + bytes.size() + " of " + length + " bytes: " + bytes);
            }
            return bytes.toString(US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
