package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.DIRECTOR_IP;
import static io.github.checktcpraw.lab.Lab.NO_HOST_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The resident checker ({@code check_tcp_raw --serve}) in the director's namespace with a runtime
 * directory of its own, and the real wrapper pointed at it: every answer must be the one a fresh
 * process gives through the same wrapper with no resident checker (a runtime directory without one).
 *
 * <p>Answers that must come from the resident checker run with {@link #NO_FRESH_JVM} in the
 * wrapper's environment, which a resident checker never reads and which stops a fresh JVM from
 * starting: a wrapper that fell back shows it as a JVM error. Server and wrappers start under
 * separate {@code ip netns exec}, so each has a mount namespace of its own, as a server in
 * systemd's sandbox has: every test passes the wrapper's file-by-file comparison.
 */
class ResidentCheckerIT extends OneLabPerClass {

    private static final Duration RUN = Duration.ofSeconds(30);
    private static final String NO_FRESH_JVM = "JAVA_TOOL_OPTIONS=-agentlib:check_tcp_raw_no_fresh_jvm";
    private static final String NOBODY = "65534";

    /** World-readable: runtime directories and role files. */
    private static Path shared;
    /** A runtime directory no resident checker serves: the wrapper starts fresh processes. */
    private static Path absent;
    private static Server server;

    @BeforeAll
    static void startTheResidentChecker() throws IOException {
        shared = Files.createTempDirectory("ctqa-resident-");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        absent = Files.createDirectory(shared.resolve("absent"));
        Files.writeString(shared.resolve("master.role"), "1\n");
        Files.writeString(shared.resolve("backup.role"), "0\n");
        server = Server.start(shared.resolve("run"));
        // rs1 never sends a FIN from port 8080: a clean close there waits until it is interrupted.
        NftTables.dropFinsFrom(lab, 8080);
    }

    @AfterAll
    static void stopTheResidentChecker() throws IOException {
        if (server != null) {
            server.close();
        }
        if (shared != null) {
            try (Stream<Path> files = Files.walk(shared)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    @Test
    void everyAnswerIsTheOneAFreshProcessGives() {
        List<List<String>> commandLines = List.of(
                List.of("eth0", RS1_IP, VIP, "80"),
                List.of("-v", "eth0", RS1_IP, VIP, "80"),
                List.of("-vv", "eth0", RS1_IP, VIP, "80"),
                List.of("-v", "-t", "300", "eth0", RS2_IP, VIP, "80"),
                List.of("-v", "eth0", RS1_IP, VIP, "81"),
                List.of("--compat", "eth0", RS1_IP, VIP, "80"),
                List.of("--compat", "-v", "eth0", RS1_IP, VIP, "81"),
                List.of("-r", "master.role", "eth0", RS1_IP, VIP, "80"),
                List.of("-v", "-r", shared.resolve("backup.role").toString(), "eth0", RS1_IP, VIP, "80"),
                List.of("-r", "backup.role", "eth0", RS1_IP, VIP, "81"),
                List.of("-r", "no-such.role", "eth0", RS1_IP, VIP, "80"),
                List.of("-W", "0.001", "eth0", RS1_IP, VIP, "80"),
                List.of("-vv", "--vip-arp", "eth0", RS1_IP, VIP, "80"),
                List.of("eth9", RS1_IP, VIP, "80"),
                List.of("eth0", RS1_IP, VIP, "80x"),
                List.of("--compat", "eth0", RS1_IP, VIP, "80x"),
                List.of("--bogus", "eth0", RS1_IP, VIP, "80"),
                List.of(),
                List.of("eth0", RS1_IP, VIP, "80", "extra"),
                List.of("-W", "5", "-C", "1", "eth0", RS1_IP, VIP, "80"),
                List.of("--http", "--http-host=vip.lab.test", "--expect", "Welcome to the VIP on rs1", "eth0", RS1_IP, VIP,
                        "8080"),
                List.of("-c", "--http=/unavailable", "--http-host=vip.lab.test", "eth0", RS1_IP, VIP, "8080"),
                List.of("--tls", "--http", "--cert-days=30,21", "eth0", RS1_IP, "vip.lab.test", "8443"),
                List.of("--send", "\\xZZ", "eth0", RS1_IP, VIP, "8080"),
                List.of("--help"),
                List.of("--version"));
        for (List<String> args : commandLines) {
            Lab.Result resident = resident(args.toArray(String[]::new));
            Lab.Result fresh = fresh(args.toArray(String[]::new));
            assertSameAnswer(fresh, resident, String.join(" ", args));
        }
        assertNoConnectionFromDirector("rs1", Duration.ofSeconds(3));
    }

    /** The hand-over costs what check_tcp costs because it starts nothing: bash builtins only. */
    @Test
    void theWrapperHandsTheCheckOverWithoutStartingAnyProcess() {
        Lab.requireCommand("strace", "strace");
        Lab.Result traced = lab.exec("dir", RUN, "env", "-C", shared.toString(), "CHECK_TCP_RAW_RUNTIME_DIR=" + server.dir,
                NO_FRESH_JVM, "strace", "-f", "-qq", "-e", "trace=execve,clone,clone3,fork,vfork", lab.pluginWrapper().toString(),
                "-r", "master.role", "eth0", RS1_IP, VIP, "80");
        assertEquals(0, traced.exitCode(), traced.describe());
        List<String> calls = traced.stderrLines().stream().filter(l -> l.matches("^(\\[pid +\\d+\\] )?\\w+\\(.*"))
                .toList();
        assertEquals(1, calls.size(), "one execve (the wrapper's own), no fork: " + calls);
        assertTrue(calls.getFirst().startsWith("execve("), calls.toString());
    }

    @Test
    void thirtyChecksAtOnceAreAllRight() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(30);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Lab.Result>> results = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String realServer = i < 20 ? RS1_IP : RS2_IP;
                results.add(pool.submit(() -> {
                    go.await();
                    return resident("eth0", realServer, VIP, "80");
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            long slowest = 0;
            for (int i = 0; i < 30; i++) {
                Lab.Result r = results.get(i).get(RUN.toSeconds(), TimeUnit.SECONDS);
                String expected = i < 20 ? "TCP_RAW OK - " + VIP + ":80 via " + RS1_IP + " ("
                        : "TCP_RAW CRITICAL - no SYN/ACK for VIP " + VIP + ":80 from real server " + RS2_IP + " (";
                assertEquals(i < 20 ? 0 : 2, r.exitCode(), r.describe());
                assertTrue(r.stdout().startsWith(expected) && r.stdoutLines().size() == 1, r.describe());
                slowest = Math.max(slowest, r.elapsed().toMillis());
            }
            System.out.println("FIGURE resident-burst: 30 checks at once through the wrapper (20 OK, 10 CRITICAL after"
                    + " -t 1000): all right, batch " + (System.nanoTime() - start) / 1_000_000 + " ms, slowest "
                    + slowest + " ms (ip netns exec included)");
        } finally {
            pool.shutdownNow();
        }
        assertNoConnectionFromDirector("rs1", Duration.ofSeconds(3));
        assertNoConnectionFromDirector("rs2", Duration.ofSeconds(3));
    }

    @Test
    void fiveHundredChecksInARowLeaveDescriptorsAndMemoryFlat() {
        inARow(50); // the JIT's compilations and the heap's growth happen here
        long descriptors = server.idleDescriptors();
        long rss = server.rssKib();

        inARow(500);

        long descriptorsAfter = server.idleDescriptors();
        long rssAfter = server.rssKib();
        System.out.println("FIGURE resident-500: descriptors " + descriptors + " -> " + descriptorsAfter + ", RSS "
                + rss / 1024 + " -> " + rssAfter / 1024 + " MiB over 500 checks");
        assertEquals(descriptors, descriptorsAfter, "descriptors after 500 checks");
        assertTrue(rssAfter < rss + 16 * 1024, "RSS grew from " + rss + " to " + rssAfter + " KiB");
        assertTrue(rssAfter < 160 * 1024, "RSS " + rssAfter + " KiB");
    }

    private static void inARow(int checks) {
        Lab.Result r = lab.exec("dir", Duration.ofSeconds(checks), "env", "CHECK_TCP_RAW_RUNTIME_DIR=" + server.dir,
                NO_FRESH_JVM, "bash", "-c", "ok=0; for ((i = 0; i < $1; i++)); do \"$2\" eth0 $3 $4 80 >/dev/null && ((ok++));"
                        + " done; echo $ok", "_", Integer.toString(checks), lab.pluginWrapper().toString(), RS1_IP, VIP);
        assertEquals(Integer.toString(checks), r.stdout().strip(), "checks answered OK: " + r.describe());
    }

    @Test
    void garbageOversizedIdleAndFloodingClientsLeaveItServing() {
        String port = Integer.toString(server.port());
        Lab.Result hostile = lab.exec("dir", RUN, "bash", "-c", String.join("\n",
                "set -u",
                "head -c 4096 /dev/urandom > /dev/tcp/127.0.0.1/$1",
                "trap '' PIPE",
                "exec {big}<>/dev/tcp/127.0.0.1/$1",
                "{ printf 'check_tcp_raw/1\\0%s\\0/\\0001\\0' $(printf 'a%.0s' {1..64}); head -c 20000 /dev/zero | tr '\\0' a; } >&$big 2>/dev/null",
                "IFS= read -r -d '' -t 5 -u $big reply; echo \"oversized: $reply\"",
                "exec {idle}<>/dev/tcp/127.0.0.1/$1",
                "start=$EPOCHREALTIME; read -r -t 10 -u $idle _; echo \"idle closed after $(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 )) ms\"",
                "fds=(); for ((i = 0; i < 200; i++)); do exec {fd}<>/dev/tcp/127.0.0.1/$1 && fds+=($fd); done",
                "echo \"flood: ${#fds[@]} connections opened\""), "_", port);
        assertEquals(0, hostile.exitCode(), hostile.describe());
        assertTrue(hostile.stdout().contains("oversized: no longer than 16384 bytes"), hostile.describe());
        assertTrue(hostile.stdout().contains("flood: 200 connections opened"), hostile.describe());
        assertTrue(server.awaitLog("no whole request within 2000 ms"), server.log());
        // 128 of the 200 are accepted and the oldest of them closed beyond 64 without the client secret;
        // the rest close at once. One line for each kind, the rest counted.
        assertTrue(server.awaitLog("had not sent the client secret, and 64 newer connections had not either"), server.log());
        assertTrue(server.log().lines().filter(l -> l.startsWith("closed a connection from")).count() <= 1, server.log());
        assertTrue(server.awaitLog("not a check_tcp_raw request"), server.log());

        Lab.Result after = resident("eth0", RS1_IP, VIP, "80");
        assertEquals(0, after.exitCode(), after.describe());
        assertTrue(after.stdout().startsWith("TCP_RAW OK - "), after.describe());
    }

    @Test
    void anUnprivilegedUserGetsNoCheckThroughIt() {
        assumeNobodyCanRunThePlugin();

        Lab.Result read = lab.exec("dir", RUN, asNobody("-all", "cat", server.dir.resolve("server").toString()));
        assertNotEquals(0, read.exitCode(), "nobody read the rendezvous file: " + read.describe());

        Lab.Result check = lab.exec("dir", RUN, asNobody("-all", "env", "CHECK_TCP_RAW_RUNTIME_DIR=" + server.dir,
                lab.pluginWrapper().toString(), "eth0", RS1_IP, VIP, "80"));
        assertEquals(3, check.exitCode(), check.describe());
        assertTrue(check.stdout().startsWith("TCP_RAW UNKNOWN - opening a packet socket needs root or the CAP_NET_RAW"),
                check.describe());

        // A guessed secret, straight to the port.
        Lab.Result guess = lab.exec("dir", RUN, asNobody("-all", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/$1;"
                + " printf '%s\\0' check_tcp_raw/1 $(printf '0%.0s' {1..64}) / 4 eth0 $2 $3 80 >&3;"
                + " IFS= read -r -d '' -t 5 -u 3 reply; echo \"$reply\"", "_", Integer.toString(server.port()), RS1_IP, VIP));
        assertEquals("no wrong client secret", guess.stdout().strip(), guess.describe());
        assertTrue(server.awaitLog("wrong client secret"), server.log());

        // With CAP_NET_RAW the user may check, as a fresh process (the file stays unreadable to it).
        Lab.Result capable = lab.exec("dir", RUN, asNobody("+net_raw", "--ambient-caps=+net_raw", "env",
                "CHECK_TCP_RAW_RUNTIME_DIR=" + server.dir, lab.pluginWrapper().toString(), "eth0", RS1_IP, VIP, "80"));
        assertEquals(0, capable.exitCode(), capable.describe());
    }

    /**
     * A server run as an unprivileged user (as the systemd unit's dynamic user) cannot search a root
     * directory of mode 0700, so it cannot tell whether the role file in it exists: a fresh process,
     * as root, reads it.
     */
    @Test
    void aRoleFileTheServersUserCannotReachGetsTheFreshProcesssAnswer() throws IOException {
        assumeNobodyCanRunThePlugin();
        Path hidden = Files.createDirectory(shared.resolve("root-only"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String role = Files.writeString(hidden.resolve("master.role"), "1\n").toString();
        Path dir = Files.createDirectory(shared.resolve("nobody"));
        Files.setAttribute(dir, "unix:uid", Integer.parseInt(NOBODY));
        Files.setAttribute(dir, "unix:gid", Integer.parseInt(NOBODY));
        try (Server asNobody = Server.start(dir, asNobody("+net_raw", "--ambient-caps=+net_raw"))) {
            assertEquals(0, resident(asNobody, "eth0", RS1_IP, VIP, "80").exitCode(), "the server as nobody serves");
            Lab.Result answer = wrapper(asNobody.dir, "-r", role, "eth0", RS1_IP, VIP, "80");
            assertSameAnswer(fresh("-r", role, "eth0", RS1_IP, VIP, "80"), answer, "a role file in a 0700 directory");
            assertEquals(0, answer.exitCode(), answer.describe());
        }
    }

    @Test
    void afterKillMinus9TheWrapperStillAnswersRightAndAStrangerOnThePortCannotAnswer() throws Exception {
        try (Server doomed = Server.start(shared.resolve("doomed"))) {
            assertEquals(0, resident(doomed, "eth0", RS1_IP, VIP, "80").exitCode());
            String[] rendezvous = Files.readString(doomed.dir.resolve("server")).strip().split(" ");
            doomed.process.destroyForcibly();
            assertTrue(doomed.process.waitFor(5, TimeUnit.SECONDS));
            assertTrue(Files.exists(doomed.dir.resolve("server")), "the rendezvous file stays behind a SIGKILL");

            Lab.Result afterKill = wrapper(doomed.dir, "eth0", RS1_IP, VIP, "80");
            assertSameAnswer(fresh("eth0", RS1_IP, VIP, "80"), afterKill, "after kill -9");

            // Another process takes the dead server's port, and its PID as if reused: it passes every test
            // of the wrapper's but the server secret, and answers in the protocol's own form.
            try (Stranger stranger = new Stranger(doomed, rendezvous, "0".repeat(64), "answer")) {
                Lab.Result spoofed = wrapper(doomed.dir, "eth0", RS2_IP, VIP, "80");
                assertTrue(stranger.log().contains("request"), "the wrapper never asked the stranger: " + stranger.log());
                assertSameAnswer(fresh("eth0", RS2_IP, VIP, "80"), spoofed, "a stranger without the server secret");
            }
            // The same forgery with the server secret is believed: the secret is all that tells them apart.
            try (Stranger stranger = new Stranger(doomed, rendezvous, rendezvous[4], "answer")) {
                Lab.Result forged = wrapper(doomed.dir, "eth0", RS2_IP, VIP, "80");
                assertTrue(stranger.log().contains("request"), stranger.log());
                assertEquals(0, forged.exitCode(), forged.describe());
                assertEquals("TCP_RAW OK - forged\n", forged.stdout(), forged.describe());
            }
        }
    }

    /**
     * A server that took the check and then says nothing costs the check its bound and a margin, then
     * one UNKNOWN line: not a fresh process, which would take -T again. A signal sends one cancel.
     */
    @Test
    void aServerThatTookTheCheckAndSaysNothingCostsItsBoundAndHalfASecond() throws Exception {
        try (Server silent = Server.start(shared.resolve("silent"))) {
            String[] rendezvous = Files.readString(silent.dir.resolve("server")).strip().split(" ");
            silent.process.destroyForcibly();
            assertTrue(silent.process.waitFor(5, TimeUnit.SECONDS));
            try (Stranger stranger = new Stranger(silent, rendezvous, rendezvous[4], "silent", "0001000")) {
                Lab.Result late = wrapper(silent.dir, "-T", "1000", "eth0", RS1_IP, VIP, "80");
                assertTrue(stranger.log().contains("request"), stranger.log());
                assertEquals(3, late.exitCode(), late.describe());
                assertEquals("TCP_RAW UNKNOWN - the resident checker did not answer within 1500 ms (the check's bound of"
                        + " 1000 ms and 500 ms more)\n", late.stdout(), late.describe());
                assertTrue(late.elapsed().toMillis() < 3000, "-T 1000 took " + late.elapsed().toMillis() + " ms");
                Lab.Result compat = wrapper(silent.dir, "--compat", "-T", "1000", "eth0", RS1_IP, VIP, "80");
                assertEquals(1, compat.exitCode(), compat.describe());
                assertEquals("", compat.stdout(), compat.describe());
                assertTrue(compat.stderr().startsWith("check_tcp_raw: the resident checker did not answer within 1500 ms"),
                        compat.describe());
                System.out.println("FIGURE resident-silent: a server that took the check and said nothing: UNKNOWN after "
                        + late.elapsed().toMillis() + " ms with -T 1000");
            }
            // No bound (-T 0): it waits as a fresh process would, until a signal; two signals send one cancel.
            try (Stranger stranger = new Stranger(silent, rendezvous, rendezvous[4], "silent", "0000000")) {
                Process wrapper = startResident(silent, new String[0], "-T", "0", "eth0", RS1_IP, VIP, "80");
                try {
                    assertTrue(awaitTrue(() -> stranger.log().contains("request"), Duration.ofSeconds(10)), stranger.log());
                    Lab.signal(wrapper.pid(), "TERM");
                    assertTrue(awaitTrue(() -> stranger.log().contains("cancel\n"), Duration.ofSeconds(5)), stranger.log());
                    Lab.signal(wrapper.pid(), "TERM");
                    assertTrue(wrapper.waitFor(5, TimeUnit.SECONDS), "the wrapper still waits after its cancel");
                    assertTrue(awaitTrue(() -> stranger.log().contains("cancels "), Duration.ofSeconds(5)), stranger.log());
                    assertTrue(stranger.log().contains("cancels 1\n"), "one cancel for two signals: " + stranger.log());
                } finally {
                    wrapper.destroyForcibly();
                }
            }
        }
    }

    @Test
    void sigtermStopsItWithinASecondWithNoListenerLeftAndTheCheckInFlightStillAnswered() throws Exception {
        try (Server stopping = Server.start(shared.resolve("stopping"))) {
            int port = stopping.port();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<Lab.Result> inFlight = pool.submit(() -> wrapper(stopping.dir, "-t", "2000", "eth0", RS2_IP, VIP, "80"));
                assertTrue(awaitTrue(() -> stopping.packetSockets() > 0, Duration.ofSeconds(10)),
                        "the check never opened its packet socket");

                long signalled = System.nanoTime();
                stopping.process.destroy(); // SIGTERM
                assertTrue(stopping.process.waitFor(1, TimeUnit.SECONDS), "still running 1 s after SIGTERM");
                long stoppedMillis = (System.nanoTime() - signalled) / 1_000_000;

                assertFalse(Files.exists(stopping.dir.resolve("server")), "rendezvous file left behind");
                assertTrue(lab.sockets("dir").stream().noneMatch(l -> l.startsWith("LISTEN") && l.contains(":" + port + " ")),
                        "a listener is left on port " + port);
                assertTrue(stopping.log().contains("stopped; reset 1 check in flight"), stopping.log());
                Lab.Result answer = inFlight.get(RUN.toSeconds(), TimeUnit.SECONDS);
                assertSameAnswer(fresh("-t", "2000", "eth0", RS2_IP, VIP, "80"), answer, "the check in flight");
                System.out.println("FIGURE resident-sigterm: gone " + stoppedMillis + " ms after SIGTERM with a check in"
                        + " flight, whose wrapper then answered through a fresh process");
            } finally {
                pool.shutdownNow();
            }
        }
        try (Server hungUp = Server.start(shared.resolve("hungup"))) {
            Lab.signal(hungUp.process.pid(), "HUP");
            assertTrue(hungUp.process.waitFor(1, TimeUnit.SECONDS), "still running 1 s after SIGHUP");
            assertFalse(Files.exists(hungUp.dir.resolve("server")), "rendezvous file left behind");
            assertSameAnswer(fresh("eth0", RS1_IP, VIP, "80"), wrapper(hungUp.dir, "eth0", RS1_IP, VIP, "80"), "after SIGHUP");
        }
    }

    @Test
    void aSignalToTheWrapperInterruptsTheCheckAsItWouldAFreshProcess() throws Exception {
        for (String signal : List.of("TERM", "INT")) {
            Process wrapper = startResident("-v", "-c", "-t", "20000", "eth0", RS1_IP, VIP, "8080");
            try {
                assertTrue(awaitTrue(() -> !lab.connectionsFrom("rs1", DIRECTOR_IP, Duration.ZERO).isEmpty(),
                        Duration.ofSeconds(10)), "the check never connected");
                long signalled = System.nanoTime();
                Lab.signal(wrapper.pid(), signal);
                assertTrue(wrapper.waitFor(2, TimeUnit.SECONDS), "wrapper still running after SIG" + signal);
                long endedMillis = (System.nanoTime() - signalled) / 1_000_000;
                String out = new String(wrapper.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                String err = new String(wrapper.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

                assertEquals(3, wrapper.exitValue(), out + err);
                assertEquals("TCP_RAW UNKNOWN - interrupted by a signal before the check finished;"
                        + " reset the connection to the real server\n", out, err);
                assertTrue(err.contains("Flags [R.]"), "the RSTs are traced: " + err);
                assertNoConnectionFromDirector("rs1", Duration.ZERO);
                System.out.println("FIGURE resident-signal: SIG" + signal + " to the wrapper mid-check: answered and gone "
                        + endedMillis + " ms later");
            } finally {
                wrapper.destroyForcibly();
            }
        }
    }

    @Test
    void aWrapperKilledMidCheckLeavesNoConnectionBehind() throws Exception {
        Process wrapper = startResident("-c", "-t", "20000", "eth0", RS1_IP, VIP, "8080");
        try {
            assertTrue(awaitTrue(() -> !lab.connectionsFrom("rs1", DIRECTOR_IP, Duration.ZERO).isEmpty(),
                    Duration.ofSeconds(10)), "the check never connected");
            wrapper.destroyForcibly();
            assertTrue(server.awaitLog("went away; interrupted it"), server.log());
            assertNoConnectionFromDirector("rs1", Duration.ofSeconds(3));
        } finally {
            wrapper.destroyForcibly();
        }
    }

    /**
     * A check whose wrapper is killed while its name lookup hangs (a DNS server that answers after
     * 3 s) goes no further once the lookup returns: no ARP request, no packet socket. With -t 0 -T 0
     * it would otherwise ask for ever, for nobody.
     */
    @Test
    void aCheckWhoseWrapperWentAwayDuringItsNameLookupSendsNothingAfterIt() throws Exception {
        Path dnsLog = shared.resolve("dns.log");
        Path resolvConf = Files.writeString(shared.resolve("resolv.conf"), "nameserver 127.0.0.1\noptions timeout:10 attempts:1\n");
        String[] slowDns = {"unshare", "-m", "sh", "-c", "mount --bind " + resolvConf + " /etc/resolv.conf && exec \"$@\"", "_"};
        // Answers every query 3 s late: an A record for NO_HOST_IP, an empty answer for any other type.
        Process dns = lab.start("dir", dnsLog, "python3", "-c", String.join("\n",
                "import socket, struct, sys, threading",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 53)); print('listening', flush=True)",
                "def answer(query, client, end, qtype):",
                "    record = b'\\xc0\\x0c' + struct.pack('>HHIH', 1, 1, 60, 4) + socket.inet_aton(sys.argv[1]) if qtype == 1 else b''",
                "    s.sendto(query[:2] + struct.pack('>HHHHH', 0x8180, 1, 1 if record else 0, 0, 0) + query[12:end + 5] + record, client)",
                "    print('answered', qtype, flush=True)",
                "while True:",
                "    query, client = s.recvfrom(512); end = query.index(b'\\0', 12)",
                "    qtype = struct.unpack('>H', query[end + 1:end + 3])[0]",
                "    print('query', qtype, flush=True)",
                "    threading.Timer(3, answer, (query, client, end, qtype)).start()"), NO_HOST_IP);
        try (Server slow = Server.start(shared.resolve("slow-dns"), slowDns);
                Lab.Capture arp = lab.capture("dir", "eth0", "arp and host " + NO_HOST_IP)) {
            assertTrue(awaitTrue(() -> readQuietly(dnsLog).contains("listening"), Duration.ofSeconds(10)), readQuietly(dnsLog));
            Process wrapper = startResident(slow, slowDns, "-t", "0", "-T", "0", "eth0", "slow.lab", VIP, "80");
            try {
                assertTrue(awaitTrue(() -> readQuietly(dnsLog).contains("query 1"), Duration.ofSeconds(10)),
                        "the check never asked for slow.lab: " + readQuietly(dnsLog));
                wrapper.destroyForcibly();
                assertTrue(slow.awaitLog("went away; interrupted it"), slow.log());
                assertTrue(awaitTrue(() -> readQuietly(dnsLog).contains("answered 1"), Duration.ofSeconds(10)),
                        readQuietly(dnsLog));
                // The first ARP request would follow the answer within milliseconds.
                assertEquals(Optional.empty(), arp.awaitLine(line -> true, Duration.ofSeconds(1)), "ARP after the interruption");
                assertEquals(0, slow.packetSockets(), "a packet socket after the interruption");
            } finally {
                wrapper.destroyForcibly();
            }
        } finally {
            dns.destroyForcibly();
            dns.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** A fresh network namespace has no eth0: the answer is that namespace's, not the director's OK. */
    @Test
    void aWrapperInAnotherNetworkNamespaceGetsThatNamespacesAnswer() {
        String[] inEmptyNetns = {"unshare", "-n", "-m", "sh", "-c", "mount -t sysfs sysfs /sys && exec env \"$@\"", "_"};
        Lab.Result resident = lab.exec("dir", RUN, concat(inEmptyNetns, "CHECK_TCP_RAW_RUNTIME_DIR=" + server.dir,
                lab.pluginWrapper().toString(), "eth0", RS1_IP, VIP, "80"));
        Lab.Result fresh = lab.exec("dir", RUN, concat(inEmptyNetns, "CHECK_TCP_RAW_RUNTIME_DIR=" + absent,
                lab.pluginWrapper().toString(), "eth0", RS1_IP, VIP, "80"));
        assertSameAnswer(fresh, resident, "in a namespace without eth0");
        assertEquals("TCP_RAW UNKNOWN - interface \"eth0\" does not exist\n", resident.stdout(), resident.describe());

        Lab.Result client = lab.exec("cli", RUN, "env", "CHECK_TCP_RAW_RUNTIME_DIR=" + server.dir,
                lab.pluginWrapper().toString(), "-t", "300", "eth0", RS1_IP, VIP, "80");
        Lab.Result clientFresh = lab.exec("cli", RUN, "env", "CHECK_TCP_RAW_RUNTIME_DIR=" + absent,
                lab.pluginWrapper().toString(), "-t", "300", "eth0", RS1_IP, VIP, "80");
        assertSameAnswer(clientFresh, client, "in the client namespace");
        assertTrue(client.stdout().startsWith("TCP_RAW CRITICAL - no ARP reply"), client.describe());
    }

    /** Another mount namespace is served only while it sees the server's files. */
    @Test
    void aWrapperInAnotherMountNamespaceIsServedOnlyWhereItSeesTheSameFiles() throws IOException {
        Path role = shared.resolve("master.role");
        String[] backupRole = {"unshare", "-m", "sh", "-c", "mount --bind " + shared.resolve("backup.role") + " " + role
                + " && exec env \"$@\"", "_"};
        Lab.Result resident = lab.exec("dir", RUN, concat(backupRole, "CHECK_TCP_RAW_RUNTIME_DIR=" + server.dir,
                lab.pluginWrapper().toString(), "-r", role.toString(), "eth0", RS1_IP, VIP, "80"));
        Lab.Result fresh = lab.exec("dir", RUN, concat(backupRole, "CHECK_TCP_RAW_RUNTIME_DIR=" + absent,
                lab.pluginWrapper().toString(), "-r", role.toString(), "eth0", RS1_IP, VIP, "80"));
        assertSameAnswer(fresh, resident, "with another role file bind-mounted");
        assertTrue(resident.stdout().startsWith("TCP_RAW OK - BACKUP role"), resident.describe());

        Path hosts = Files.writeString(shared.resolve("hosts"), "127.0.0.1 localhost\n" + RS1_IP + " rs1.lab\n");
        Lab.Result otherHosts = lab.exec("dir", RUN, "unshare", "-m", "sh", "-c", "mount --bind " + hosts
                + " /etc/hosts && exec env \"$@\"", "_", "CHECK_TCP_RAW_RUNTIME_DIR=" + server.dir, NO_FRESH_JVM,
                lab.pluginWrapper().toString(), "eth0", "rs1.lab", VIP, "80");
        assertTrue(otherHosts.stderr().contains("check_tcp_raw_no_fresh_jvm"), "fell back: " + otherHosts.describe());

        Lab.Result sameFiles = lab.exec("dir", RUN, "unshare", "-m", "env", "CHECK_TCP_RAW_RUNTIME_DIR=" + server.dir,
                NO_FRESH_JVM, lab.pluginWrapper().toString(), "-r", role.toString(), "eth0", RS1_IP, VIP, "80");
        assertEquals(0, sameFiles.exitCode(), "served: " + sameFiles.describe());
    }

    // ------------------------------------------------------------------------------------ helpers

    /** Through the wrapper and the shared resident checker, which must answer (no fresh JVM can start). */
    private static Lab.Result resident(String... args) {
        return resident(server, args);
    }

    private static Lab.Result resident(Server via, String... args) {
        return lab.exec("dir", RUN, concat(new String[] {"env", "-C", shared.toString(),
                "CHECK_TCP_RAW_RUNTIME_DIR=" + via.dir, NO_FRESH_JVM, lab.pluginWrapper().toString()}, args));
    }

    /** Through the wrapper with a runtime directory that names no resident checker: a fresh process. */
    private static Lab.Result fresh(String... args) {
        return wrapper(absent, args);
    }

    private static Lab.Result wrapper(Path runtimeDirectory, String... args) {
        return lab.exec("dir", RUN, concat(new String[] {"env", "-C", shared.toString(),
                "CHECK_TCP_RAW_RUNTIME_DIR=" + runtimeDirectory, lab.pluginWrapper().toString()}, args));
    }

    private static Process startResident(String... args) throws IOException {
        return startResident(server, new String[0], args);
    }

    /** @param as a command that execs the rest (unshare), or nothing */
    private static Process startResident(Server via, String[] as, String... args) throws IOException {
        Process process = new ProcessBuilder(concat(concat(new String[] {"ip", "netns", "exec", lab.namespace("dir")},
                as), concat(new String[] {"env", "CHECK_TCP_RAW_RUNTIME_DIR=" + via.dir, NO_FRESH_JVM,
                lab.pluginWrapper().toString()}, args))).start();
        process.getOutputStream().close();
        return process; // ip netns exec, the command and env exec: its pid is the wrapper's
    }

    /** Same exit code, and the same stdout and stderr but for numbers (latencies, ports, sequence numbers). */
    private static void assertSameAnswer(Lab.Result fresh, Lab.Result resident, String what) {
        String both = what + "\nfresh: " + fresh.describe() + "\nresident: " + resident.describe();
        assertEquals(fresh.exitCode(), resident.exitCode(), both);
        assertEquals(Lab.numbersMasked(fresh.stdout()), Lab.numbersMasked(resident.stdout()), both);
        assertEquals(fresh.stderrLines().stream().map(Lab::numbersMasked).toList(),
                resident.stderrLines().stream().map(Lab::numbersMasked).toList(), both);
        assertEquals(fresh.stdout().endsWith("\n"), resident.stdout().endsWith("\n"), both);
    }

    private static void assumeNobodyCanRunThePlugin() {
        Lab.requireCommand("setpriv", "util-linux");
        Lab.Result canRun = lab.exec("dir", RUN, asNobody("-all", "test", "-x", lab.pluginWrapper().toString(), "-a", "-r",
                lab.repoRoot().resolve("target/check_tcp_raw.jar").toString()));
        Assumptions.assumeTrue(canRun.exitCode() == 0, "user nobody cannot run the plugin from this checkout");
    }

    /** setpriv as nobody with {@code caps} inheritable; the command may start with more setpriv options. */
    private static String[] asNobody(String caps, String... command) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                "--inh-caps=" + caps));
        cmd.addAll(Arrays.asList(command));
        return cmd.toArray(String[]::new);
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    /** Waits (at most {@code timeout}) until {@code condition} holds, looking every 20 ms. */
    private static boolean awaitTrue(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Lab.pause(Duration.ofMillis(20));
        }
        return true;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A process on a dead server's port, written into its rendezvous file as if it had the server's PID
     * (reused): it reads a request, acknowledges it with {@code secret} and {@code wait}, answers
     * {@code TCP_RAW OK - forged} or ({@code silent}) nothing, and logs the cancel bytes it gets.
     */
    private record Stranger(Process process, Path logFile) implements AutoCloseable {

        Stranger(Server dead, String[] rendezvous, String secret, String mode) throws IOException {
            this(dead, rendezvous, secret, mode, "0005000");
        }

        Stranger(Server dead, String[] rendezvous, String secret, String mode, String wait) throws IOException {
            this(start(dead, rendezvous, secret, mode, wait), dead.dir.resolveSibling(dead.dir.getFileName() + "-stranger.log"));
            assertTrue(awaitTrue(() -> log().contains("listening"), Duration.ofSeconds(10)), log());
            Files.writeString(dead.dir.resolve("server"), String.join(" ", rendezvous[0], Long.toString(process.pid()),
                    rendezvous[2], rendezvous[3], rendezvous[4]) + "\n");
        }

        private static Process start(Server dead, String[] rendezvous, String secret, String mode, String wait) {
            return lab.start("dir", dead.dir.resolveSibling(dead.dir.getFileName() + "-stranger.log"), "python3", "-c",
                    String.join("\n",
                            "import socket, sys",
                            "port, secret, wait, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]",
                            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                            "s.bind(('127.0.0.1', port)); s.listen(8); print('listening', flush=True)",
                            "while True:",
                            "    c, _ = s.accept(); request = b''",
                            "    while request.count(b'\\0') < 4 or request.count(b'\\0') < 4 + int(request.split(b'\\0')[3]):",
                            "        chunk = c.recv(65536)",
                            "        if not chunk: break",
                            "        request += chunk",
                            "    print('request', flush=True)",
                            "    c.sendall(('ok %s %s 0000' % (secret, wait)).encode())",
                            "    if mode == 'answer':",
                            "        c.sendall(b'000 0000000 0000020\\nTCP_RAW OK - forged\\n')",
                            "    cancels = 0",
                            "    while c.recv(1):",
                            "        cancels += 1; print('cancel', flush=True)",
                            "    print('cancels', cancels, flush=True); c.close()"),
                    rendezvous[2], secret, wait, mode);
        }

        String log() {
            return readQuietly(logFile);
        }

        @Override
        public void close() throws IOException {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(logFile);
        }
    }

    /** A resident checker in the director's namespace, serving the runtime directory {@code dir}. */
    private record Server(Path dir, Path logFile, Process process) implements AutoCloseable {

        /** @param as a command that execs the rest (setpriv), or nothing: the server runs as root */
        static Server start(Path dir, String... as) {
            try {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path logFile = dir.resolveSibling(dir.getFileName() + ".log");
            // ip netns exec, env and the wrapper all exec: the process is the JVM.
            Process process = lab.start("dir", logFile, concat(as, "env", "CHECK_TCP_RAW_RUNTIME_DIR=" + dir,
                    lab.pluginWrapper().toString(), "--serve"));
            Server server = new Server(dir, logFile, process);
            if (!awaitTrue(() -> Files.exists(dir.resolve("server")) || !process.isAlive(), Duration.ofSeconds(30))
                    || !process.isAlive()) {
                process.destroyForcibly();
                fail("the resident checker did not publish " + dir.resolve("server") + ": " + server.log());
            }
            return server;
        }

        int port() {
            try {
                return Integer.parseInt(Files.readString(dir.resolve("server")).split(" ")[2]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String log() {
            return readQuietly(logFile);
        }

        boolean awaitLog(String fragment) {
            return awaitTrue(() -> log().contains(fragment), Duration.ofSeconds(10));
        }

        long descriptors() {
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(process.pid()), "fd"))) {
                return fds.count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * The open descriptors once the last check is done: its packet socket and connection close
         * after its answer (the packet socket's close waits for an RCU grace period).
         */
        long idleDescriptors() {
            if (!awaitTrue(() -> packetSockets() == 0, Duration.ofSeconds(5))) {
                throw new IllegalStateException("not idle: " + packetSockets() + " packet sockets still bound after 5 s, "
                        + descriptors() + " descriptors");
            }
            long[] last = {-1};
            // Settled: the same count twice in a row, 50 ms apart.
            boolean settled = awaitTrue(() -> {
                long now = descriptors();
                boolean same = now == last[0];
                last[0] = now;
                Lab.pause(Duration.ofMillis(50));
                return same;
            }, Duration.ofSeconds(5));
            if (!settled) {
                throw new IllegalStateException("descriptors not settled within 5 s: " + last[0] + " at the last look, "
                        + descriptors() + " now");
            }
            return last[0];
        }

        long rssKib() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("\\D", ""));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("no VmRSS");
        }

        /**
         * The packet sockets of the server's own that are bound to an interface: one per check under
         * way. Its unbound socket that keeps receive stamping on does not count, nor do the sockets of
         * other processes in the namespace (/proc/PID/net/packet lists them all).
         */
        long packetSockets() {
            Path proc = Path.of("/proc", Long.toString(process.pid()));
            Set<String> own = new HashSet<>();
            try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            own.add(target.substring("socket:[".length(), target.length() - 1));
                        }
                    } catch (IOException closedMeanwhile) {
                        // not one of them any more
                    }
                }
                // sk RefCnt Type Proto Iface R Rmem User Inode
                return Files.readAllLines(proc.resolve("net/packet")).stream().skip(1).map(l -> l.trim().split("\\s+"))
                        .filter(c -> !c[4].equals("0") && own.contains(c[8])).count();
            } catch (IOException e) {
                return 0;
            }
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
