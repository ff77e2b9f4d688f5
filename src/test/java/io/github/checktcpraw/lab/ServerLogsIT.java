package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.DIRECTOR_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the servers behind a VIP, and the director itself, log for one check: the facts of the README's
 * "What your servers will log", each measured here. A quick close is the plugin's default (RST/ACK right
 * after the handshake), a clean close is {@code -c} (FIN/ACK both ways).
 *
 * <p>A log that should stay silent is proven so by an event, never by waiting: after the check, a
 * marker connection (one the server logs in a form of its own) is made, and once the marker's line is
 * in the log, everything the check caused is in there too. The servers run in rs1's namespace from
 * configurations in a temporary directory; sshd gets a private /run (a mount namespace of its own with
 * a tmpfs on it) for the privilege-separation directory it insists on, so the host's /run is untouched.
 * Each figure is printed as a {@code FIGURE} line.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ServerLogsIT extends OneLabPerClass {

    private static final Duration RUN = Duration.ofSeconds(60);
    private static final Duration LOG_WAIT = Duration.ofSeconds(20);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    private static final Path KMSG = Path.of("/dev/kmsg");
    private static final int SSH_PORT = 2222;

    @TempDir
    Path work;

    // ------------------------------------------------------------------------------ the director

    @Test
    void withLogMartiansTheDirectorsKernelLogsOnePairPerReply() {
        assertTrue(Files.isReadable(KMSG), "needs " + KMSG + " (the kernel log; martians of any namespace go there)");
        Lab.Result set = lab.exec("dir", RUN, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/conf/all/log_martians");
        assertEquals(0, set.exitCode(), set.describe());
        // The link-level header of a reply from rs1 to the director: these MACs are this lab's own.
        String header = "ll header: 00000000: " + hex(lab.mac("dir")) + " " + hex(lab.mac("rs1")) + " 08 00";
        String martian = "IPv4: martian source " + DIRECTOR_IP + " from " + VIP + ", on dev eth0";

        long before = lastKernelSequence();
        assertEquals(0, lab.plugin(RUN, "eth0", RS1_IP, VIP, "80").exitCode());
        List<String> quick = awaitMartianPairs(before, martian, header, 1);
        long between = lastKernelSequence();
        assertEquals(0, lab.plugin(RUN, "-c", "eth0", RS1_IP, VIP, "80").exitCode());
        List<String> clean = awaitMartianPairs(between, martian, header, 2);

        System.out.println("FIGURE log-martians: quick close " + quick.size() / 2 + " pair(s), clean close "
                + clean.size() / 2 + ": " + quick);
        assertEquals(2, quick.size(), "one pair for the SYN/ACK: " + quick);
        assertTrue(clean.size() == 4 || clean.size() == 6, "a pair for the SYN/ACK and the FIN (and an ACK of its own): " + clean);
    }

    // ------------------------------------------------------------------------------- real servers

    @Test
    void pythonHttpServerLogsATracebackForAQuickCloseAndNothingForACleanOne() throws IOException {
        Path log = lab.stateDir().resolve("rs1/http.log");

        Predicate<String> marker = l -> l.contains("\"GET /?marker HTTP/1.0\"");
        List<String> quick = logOf(log, () -> assertEquals(0, lab.plugin(RUN, "eth0", RS1_IP, VIP, "80").exitCode()),
                () -> httpGet(80), marker, l -> l.startsWith("ConnectionResetError"));
        List<String> clean = logOf(log, () -> assertEquals(0, lab.plugin(RUN, "-c", "eth0", RS1_IP, VIP, "80").exitCode()),
                () -> httpGet(80), marker, null);

        System.out.println("FIGURE python-http.server: quick close " + quick.size() + " lines, clean close " + clean.size());
        // The lab's server is dual-stack, so it names an IPv4 client in its IPv4-mapped form.
        assertTrue(quick.stream().anyMatch(l -> l.startsWith("Exception occurred during processing of request from ('"
                + "::ffff:" + DIRECTOR_IP + "', ")), "a traceback naming the director: " + quick);
        assertTrue(quick.contains("ConnectionResetError: [Errno 104] Connection reset by peer"), quick.toString());
        assertEquals(List.of(), clean, "nothing for a clean close");
    }

    @Test
    void nginxLogsNothingForEitherClose() throws IOException {
        Path access = lab.stateDir().resolve("rs1/nginx/access.log");
        Path error = lab.stateDir().resolve("rs1/nginx/error.log");
        long errorSize = Files.size(error);

        List<String> lines = logOf(access, () -> {
            assertEquals(0, lab.plugin(RUN, "eth0", RS1_IP, VIP, "8080").exitCode());
            assertEquals(0, lab.plugin(RUN, "-c", "eth0", RS1_IP, VIP, "8080").exitCode());
        }, () -> httpGet(8080), l -> l.contains("\"GET /?marker HTTP/1.0\""), null);

        assertEquals(List.of(), lines, "nginx's access log");
        assertEquals(errorSize, Files.size(error), "nginx's error log: " + Files.readString(error));
    }

    @Test
    void haproxyLogsEveryCheckUnlessDontlognull() throws IOException {
        Lab.requireCommand("haproxy", "haproxy");
        Path conf = Files.writeString(work.resolve("haproxy.cfg"), """
                # ServerLogsIT: HAProxy on rs1, in http and tcp mode, with and without dontlognull, before nginx
                global
                    log stdout format raw local0
                    nbthread 1
                defaults
                    log global
                    timeout connect 5s
                    timeout client 5s
                    timeout server 5s
                frontend http-logs
                    bind :8081
                    mode http
                    option httplog
                    default_backend nginx-http
                frontend http-dontlognull
                    bind :8082
                    mode http
                    option httplog
                    option dontlognull
                    default_backend nginx-http
                frontend tcp-logs
                    bind :8083
                    mode tcp
                    option tcplog
                    default_backend nginx-tcp
                frontend tcp-dontlognull
                    bind :8084
                    mode tcp
                    option tcplog
                    option dontlognull
                    default_backend nginx-tcp
                backend nginx-http
                    mode http
                    server nginx 127.0.0.1:8080
                backend nginx-tcp
                    mode tcp
                    server nginx 127.0.0.1:8080
                """);
        Path out = work.resolve("haproxy.log");
        Process haproxy = lab.start("rs1", out, "haproxy", "-db", "-f", conf.toString());
        try {
            for (int port = 8081; port <= 8084; port++) {
                assertTrue(Daemon.awaitListening(lab, "rs1", "0.0.0.0", port, haproxy, LOG_WAIT),
                        "haproxy not listening on " + port + "\n" + Daemon.tail(out, 20));
            }
            List<String> names = List.of("http-logs", "http-dontlognull", "tcp-logs", "tcp-dontlognull");
            List<List<String>> logged = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                int port = 8081 + i;
                // The marker is a whole request: http mode logs it by its request line, tcp mode by the bytes nginx sent.
                Predicate<String> marker = name.startsWith("http") ? l -> l.contains("\"GET /?marker HTTP/1.0\"")
                        : l -> l.matches(".* " + name + " \\S+ \\d+/\\d+/\\d+ [1-9]\\d* .*");
                Predicate<String> checkLine = name.endsWith("-logs") ? l -> l.contains(" " + name + " ") && !marker.test(l) : null;
                for (boolean clean : List.of(false, true)) {
                    String[] args = clean ? new String[] {"-c", "eth0", RS1_IP, VIP, Integer.toString(port)}
                            : new String[] {"eth0", RS1_IP, VIP, Integer.toString(port)};
                    logged.add(logOf(out, () -> assertEquals(0, lab.plugin(RUN, args).exitCode()), () -> httpGet(port),
                            marker, checkLine));
                }
            }
            for (int i = 0; i < logged.size(); i++) {
                System.out.println("FIGURE haproxy " + names.get(i / 2) + " " + (i % 2 == 0 ? "quick" : "clean") + " close: "
                        + logged.get(i));
            }
            for (int i = 0; i < 2; i++) {
                List<String> http = logged.get(i);
                assertEquals(1, http.size(), "http mode logs each check: " + http);
                assertTrue(http.getFirst().matches(".* http-logs http-logs/<NOSRV> .* 400 0 .* CR-- .* \"<BADREQ>\""), http.toString());
                List<String> tcp = logged.get(4 + i);
                assertEquals(1, tcp.size(), "tcp mode logs each check: " + tcp);
                assertTrue(tcp.getFirst().matches(".* tcp-logs nginx-tcp/\\S+ \\S+ 0 .*"), "no byte sent: " + tcp); // state CR, CD or --
                assertEquals(List.of(), logged.get(2 + i), "http mode with dontlognull");
                assertEquals(List.of(), logged.get(6 + i), "tcp mode with dontlognull");
            }
        } finally {
            assertEquals(List.of(), Daemon.stop(haproxy, STOP_WAIT), "haproxy still running");
        }
    }

    @Test
    void sshdLogsACleanCloseButNotAQuickOne() throws IOException {
        Lab.requireCommand("sshd", "openssh-server");
        Lab.requireCommand("unshare", "util-linux");
        Path key = work.resolve("host_key");
        Lab.Result keygen = Lab.run(RUN, List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()));
        assertEquals(0, keygen.exitCode(), keygen.describe());
        Path conf = Files.writeString(work.resolve("sshd_config"), """
                # ServerLogsIT: sshd on rs1, default log level (INFO)
                Port %d
                HostKey %s
                PidFile none
                """.formatted(SSH_PORT, key));
        Path out = work.resolve("sshd.log");
        Process sshd = lab.start("rs1", out, "unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -m 0755 /run/sshd && exec /usr/sbin/sshd -D -e -f \"$1\"",
                "sh", conf.toString());
        try {
            assertTrue(Daemon.awaitListening(lab, "rs1", "0.0.0.0", SSH_PORT, sshd, LOG_WAIT), "sshd not listening\n" + Daemon.tail(out, 20));
            // The marker: a client that sends a made-up identification string, which sshd names in its log.
            Runnable marker = () -> lab.exec("dir", RUN, "timeout", "10", "bash", "-c",
                    "exec 3<>/dev/tcp/" + RS1_IP + "/" + SSH_PORT + "; printf 'marker\\r\\n' >&3; cat <&3 >/dev/null");
            Predicate<String> isMarker = l -> l.contains("\"marker\"") || l.contains("invalid format");
            List<String> quick = logOf(out, () -> assertEquals(0, lab.plugin(RUN, "eth0", RS1_IP, VIP, String.valueOf(SSH_PORT)).exitCode()),
                    marker, l -> l.contains("invalid format"), null);
            List<String> clean = logOf(out, () -> assertEquals(0, lab.plugin(RUN, "-c", "eth0", RS1_IP, VIP, String.valueOf(SSH_PORT)).exitCode()),
                    marker, l -> l.contains("invalid format"), l -> l.startsWith("Connection closed by " + DIRECTOR_IP));
            quick = quick.stream().filter(isMarker.negate()).toList();
            clean = clean.stream().filter(isMarker.negate()).toList();

            System.out.println("FIGURE sshd: quick close " + quick + ", clean close " + clean);
            assertEquals(List.of(), quick, "nothing for a quick close");
            assertEquals(2, clean.size(), clean.toString());
            assertEquals("kex_exchange_identification: Connection closed by remote host", clean.get(0));
            assertTrue(clean.get(1).matches("Connection closed by " + DIRECTOR_IP.replace(".", "\\.") + " port \\d+"), clean.toString());
        } finally {
            assertEquals(List.of(), Daemon.stop(sshd, STOP_WAIT), "sshd still running");
        }
    }

    // ----------------------------------------------------------------------------------- helpers

    /**
     * The lines a log gains from {@code check}: the log's length is noted, the check runs, then the
     * marker, and once a line matching {@code markerLine} (and one matching {@code expected}, unless null)
     * is there, the new lines before the marker's are returned, with any {@code expected} line after it.
     */
    private static List<String> logOf(Path log, Runnable check, Runnable marker, Predicate<String> markerLine,
                                      Predicate<String> expected) {
        long from = size(log);
        check.run();
        marker.run();
        Optional<List<String>> lines = Daemon.await(LOG_WAIT, () -> {
            List<String> now = linesFrom(log, from);
            boolean done = now.stream().anyMatch(markerLine) && (expected == null || now.stream().anyMatch(expected));
            return done ? Optional.of(now) : Optional.empty();
        });
        List<String> all = lines.orElseGet(() -> fail("no marker in " + log + " within " + LOG_WAIT.toSeconds() + " s: "
                + linesFrom(log, from)));
        List<String> before = new ArrayList<>();
        for (String line : all) {
            if (markerLine.test(line)) {
                break;
            }
            before.add(line);
        }
        if (expected != null) { // a line of the check's own after the marker's: another thread or process wrote it
            all.stream().skip(before.size() + 1).filter(expected).forEach(before::add);
        }
        return before;
    }

    /** GET /?marker HTTP/1.0 to rs1's own address from the director: logged as a request of its own. */
    private static void httpGet(int port) {
        Lab.Result r = lab.exec("dir", RUN, "timeout", "10", "bash", "-c", "exec 3<>/dev/tcp/" + RS1_IP + "/" + port
                + "; printf 'GET /?marker HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3 >/dev/null");
        assertEquals(0, r.exitCode(), "the marker request: " + r.describe());
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return fail("cannot stat " + file, e);
        }
    }

    /** The whole lines of a file from a byte offset on (a last line not yet ended with \n is left out). */
    private static List<String> linesFrom(Path file, long offset) {
        try {
            byte[] all = Files.readAllBytes(file);
            String text = new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                    StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : text.substring(0, end).lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            return fail("cannot read " + file, e);
        }
    }

    /** The sequence number of the newest kernel log record (records are {@code prio,seq,usec,flags;text}). */
    private static long lastKernelSequence() {
        List<String> records = kernelRecords();
        return records.isEmpty() ? -1 : sequence(records.getLast());
    }

    /**
     * Every record in the kernel's log buffer: dd reads /dev/kmsg one record per read, without blocking,
     * until there is none left (then it exits with EAGAIN, which is the normal end here).
     */
    private static List<String> kernelRecords() {
        Lab.Result r = Lab.run(RUN, List.of("dd", "if=" + KMSG, "iflag=nonblock", "bs=16384", "status=none"));
        return r.stdout().lines().filter(l -> !l.startsWith(" ") && l.contains(";")).toList();
    }

    private static long sequence(String record) {
        return Long.parseLong(record.split(",", 3)[1]);
    }

    /** Waits (at most {@link #LOG_WAIT}) for {@code pairs} martian/ll-header pairs of this lab after {@code since}. */
    private static List<String> awaitMartianPairs(long since, String martian, String header, int pairs) {
        Optional<List<String>> found = Daemon.await(LOG_WAIT, () -> {
            List<String> texts = kernelRecords().stream().filter(r -> sequence(r) > since)
                    .map(r -> r.substring(r.indexOf(';') + 1)).toList();
            List<String> ours = new ArrayList<>();
            for (int i = 0; i + 1 < texts.size(); i++) {
                if (texts.get(i).equals(martian) && texts.get(i + 1).equals(header)) {
                    ours.add(texts.get(i));
                    ours.add(texts.get(i + 1));
                }
            }
            return ours.size() >= 2 * pairs ? Optional.of(ours) : Optional.empty();
        });
        return found.orElseGet(() -> fail("not " + pairs + " pair(s) of \"" + martian + "\" / \"" + header
                + "\" in the kernel log within " + LOG_WAIT.toSeconds() + " s"));
    }

    /** A MAC address as the kernel's ll header prints it: {@code 92 6d cb a9 37 d3}. */
    private static String hex(String mac) {
        return mac.replace(':', ' ');
    }
}
