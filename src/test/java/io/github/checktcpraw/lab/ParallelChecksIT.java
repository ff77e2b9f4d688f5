package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.DIRECTOR_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Thirty checks started at once on the director's eth0, as a monitoring system does at the top of
 * the minute: each must see only its own TCP replies (its kernel filter names its own source port)
 * and get its own right answer, however the others end; its latencies must be its own (the ARP
 * replies to 30 requests reach every check, and each may count only one captured after its own
 * request); and none may leave a connection on the real server. Thirty JVMs on two cores start
 * slowly, so the timeouts are generous (-t 3000 per reply, two minutes per batch): the test is
 * about correctness, not speed.
 */
class ParallelChecksIT extends OneLabPerClass {

    private static final int PARALLEL = 30;
    private static final Duration RUN = Duration.ofSeconds(100);
    private static final Duration BATCH = Duration.ofSeconds(120);
    /** No connection may be left on a real server once its kernel has had this long after a batch. */
    private static final Duration SETTLE = Duration.ofSeconds(5);
    /** A TCP line of the -v trace: (mac) ip:port > ip:port (mac) Flags [...] */
    private static final Pattern TCP_LINE = Pattern.compile(
            "^\\([0-9a-f:]{17}\\) ([0-9.]+):(\\d+) > ([0-9.]+):(\\d+) \\([0-9a-f:]{17}\\) Flags \\[");
    /** The latencies in the perfdata: time= (handshake) and arp=. */
    private static final Pattern LATENCY = Pattern.compile("\\b(time|arp)=([^;]*);");

    private static boolean nginx;

    @BeforeAll
    static void findNginx() {
        nginx = Files.isExecutable(Path.of("/usr/sbin/nginx"));
    }

    /** 20 against the good server (half of them on nginx's 8080 when installed), 10 against rs2. */
    @Test
    void goodAndMisconfiguredServersCheckedAtOnceEachGetTheirOwnAnswer() {
        List<Expected> checks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            checks.add(Expected.ok(RS1_IP, i % 2 == 1 && nginx ? 8080 : 80));
        }
        for (int i = 0; i < 10; i++) {
            checks.add(Expected.noSynAck(RS2_IP, 80));
        }

        Batch batch = runAtOnce(checks);

        batch.assertEveryResult();
        assertNoConnectionFromDirector("rs1", SETTLE);
        assertNoConnectionFromDirector("rs2", SETTLE);
        System.out.println("FIGURE parallel-checks: " + PARALLEL + " checks at once (20 OK expected against rs1, 10"
                + " CRITICAL against rs2): all " + PARALLEL + " right; " + batch.summary());
    }

    /** 15 good checks and 15 against the closed port 81 of the same server, interleaved. */
    @Test
    void goodChecksAndRefusedPortOnTheSameServerAtOnceEachGetTheirOwnAnswer() {
        List<Expected> checks = new ArrayList<>();
        for (int i = 0; i < PARALLEL; i++) {
            checks.add(i % 2 == 0 ? Expected.ok(RS1_IP, 80) : Expected.refused(RS1_IP, 81));
        }

        Batch batch = runAtOnce(checks);

        batch.assertEveryResult();
        assertNoConnectionFromDirector("rs1", SETTLE);
        System.out.println("FIGURE parallel-checks-refused: " + PARALLEL + " checks at once (15 OK, 15 refused on"
                + " :81 of rs1): all " + PARALLEL + " right; " + batch.summary());
    }

    // ------------------------------------------------------------------------------------ helpers

    /** What one check must answer. */
    private record Expected(String realServer, int port, int exitCode, String statusStart) {

        static Expected ok(String realServer, int port) {
            return new Expected(realServer, port, 0, "TCP_RAW OK - " + VIP + ":" + port + " via " + realServer + " (");
        }

        static Expected noSynAck(String realServer, int port) {
            return new Expected(realServer, port, 2, "TCP_RAW CRITICAL - no SYN/ACK for VIP " + VIP + ":" + port
                    + " from real server " + realServer + " (");
        }

        static Expected refused(String realServer, int port) {
            return new Expected(realServer, port, 2, "TCP_RAW CRITICAL - connection refused (RST) for VIP " + VIP + ":"
                    + port + " by real server " + realServer + " (");
        }
    }

    private record Outcome(Expected expected, Lab.Result result, long startedNanos, long endedNanos) {
    }

    private record Batch(List<Outcome> outcomes, Duration wall) {

        void assertEveryResult() {
            Set<String> sourcePorts = new TreeSet<>();
            List<String> wrong = new ArrayList<>();
            for (Outcome o : outcomes) {
                String why = wrongness(o, sourcePorts);
                if (why != null) {
                    wrong.add(why + "\n" + o.result().describe());
                }
            }
            if (!wrong.isEmpty()) {
                fail(wrong.size() + " of " + outcomes.size() + " checks answered wrongly:\n" + String.join("\n", wrong));
            }
            assertEquals(outcomes.size(), sourcePorts.size(), "every check used a source port of its own: " + sourcePorts);
        }

        /** Why a check's answer is wrong, or null; collects the source port its trace shows. */
        private static String wrongness(Outcome o, Set<String> sourcePorts) {
            Lab.Result r = o.result();
            Expected e = o.expected();
            if (r.exitCode() != e.exitCode()) {
                return "exit " + r.exitCode() + ", expected " + e.exitCode();
            }
            if (!r.stdout().startsWith(e.statusStart()) || r.stdoutLines().size() != 1) {
                return "status line is not \"" + e.statusStart() + "...\"";
            }
            // A reply crosses two veths, a bridge and the real server's kernel: it never takes 0 µs.
            // A zero (or negative) latency means the check took a reply that was captured before
            // it sent its request, e.g. the ARP reply to another check's request.
            Matcher latency = LATENCY.matcher(r.stdout());
            while (latency.find()) {
                String seconds = latency.group(2);
                if (seconds.equals("U")) {
                    continue; // not measured: no SYN/ACK, or a refusal
                }
                if (!seconds.matches("\\d+\\.\\d{6}s") || !seconds.matches(".*[1-9].*")) {
                    return "perfdata " + latency.group(1) + "=" + seconds + ": malformed, or a reply taken from before"
                            + " the request was sent";
                }
            }
            // Every TCP packet in its trace, sent or received, belongs to its own connection: the
            // director's address and one source port, the VIP and its own port. No [IGNORED] line:
            // the kernel filter kept the other 29 conversations away.
            String ourPort = null;
            for (String line : r.stderrLines()) {
                if (line.startsWith("[IGNORED]") || line.startsWith("[UNDECODED]")) {
                    return "trace has " + line;
                }
                Matcher m = TCP_LINE.matcher(line);
                if (!m.find()) {
                    continue;
                }
                boolean sent = m.group(1).equals(DIRECTOR_IP);
                String localIp = sent ? m.group(1) : m.group(3);
                String local = sent ? m.group(2) : m.group(4);
                String remote = sent ? m.group(3) + ":" + m.group(4) : m.group(1) + ":" + m.group(2);
                if (!localIp.equals(DIRECTOR_IP) || !remote.equals(VIP + ":" + e.port())) {
                    return "foreign packet in the trace: " + line;
                }
                if (ourPort == null) {
                    ourPort = local;
                } else if (!ourPort.equals(local)) {
                    return "packets of two source ports (" + ourPort + ", " + local + ") in one trace: " + line;
                }
            }
            if (ourPort == null) {
                return "no TCP packet in the -v trace";
            }
            if (!sourcePorts.add(ourPort)) {
                return "source port " + ourPort + " used by two checks at once";
            }
            return null;
        }

        /** Wall time, how many checks ran at the same moment at most, and the slowest check. */
        String summary() {
            int peak = 0;
            long slowest = 0;
            for (Outcome o : outcomes) {
                int running = 0;
                for (Outcome other : outcomes) {
                    if (other.startedNanos() <= o.startedNanos() && other.endedNanos() > o.startedNanos()) {
                        running++;
                    }
                }
                peak = Math.max(peak, running);
                slowest = Math.max(slowest, o.result().elapsed().toMillis());
            }
            return "batch took " + wall.toMillis() + " ms, up to " + peak + " plugin processes running at once,"
                    + " slowest check " + slowest + " ms (JVM start-up included)";
        }
    }

    /** Starts every check at the same moment (one thread each, released together) and waits for all. */
    private static Batch runAtOnce(List<Expected> checks) {
        ExecutorService pool = Executors.newFixedThreadPool(checks.size());
        CountDownLatch ready = new CountDownLatch(checks.size());
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Expected e : checks) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    long start = System.nanoTime();
                    Lab.Result r = lab.plugin(RUN, "-v", "-t", "3000", "eth0", e.realServer(), VIP,
                            Integer.toString(e.port()));
                    return new Outcome(e, r, start, System.nanoTime());
                }));
            }
            assertTrue(ready.await(30, TimeUnit.SECONDS), "threads did not start");
            long start = System.nanoTime();
            go.countDown();
            long deadline = start + BATCH.toNanos();
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                outcomes.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return new Batch(outcomes, Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a check could not be run", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the batch of " + checks.size() + " checks took longer than " + BATCH, e);
        } finally {
            pool.shutdownNow();
            try {
                // Lab.run kills a plugin that outlives RUN; give the threads time to see it.
                pool.awaitTermination(RUN.toSeconds() + 10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
