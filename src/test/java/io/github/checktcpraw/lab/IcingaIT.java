package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Icinga 2 (Debian's icinga2 package) runs the shipped {@code icinga-commands/check_tcp_raw.conf}
 * inside the lab's director namespace and judges the good real server OK and the misconfigured one
 * CRITICAL.
 *
 * <p>The daemon gets a self-contained configuration in a temporary directory: every path constant
 * (DataDir, LogDir, CacheDir, SpoolDir, InitRunDir) is overridden with {@code -DConfiguration.*}, so
 * /etc/icinga2 and /var/lib/icinga2 are never read or written and the system service is never touched.
 * It runs as root ({@code RunAsUser=root}), so the temporary directory needs no ownership games and the
 * plain {@code tcp_raw} command can capture; the {@code tcp_raw_sudo} variant is run too (root may sudo
 * without a rule; the sudoers rule itself is tested by {@link NrpeIT}).
 *
 * <p>Results are read from Icinga itself through a {@code PerfdataWriter} whose
 * {@code service_format_template} writes {@code $service.state$}, {@code $service.state_id$},
 * {@code $service.output$} and {@code $service.perfdata$} for every check result. It is the most reliable
 * way out: no TLS certificates, API user, port or HTTP client as the REST API would need, and the
 * writer hangs on the same new-check-result signal as every Icinga feature, with the state as Icinga
 * derived it from the exit code. Its files are complete when read: lines go to a temporary file that is
 * renamed to {@code service-perfdata.<timestamp>} every {@code rotation_interval} (2 s here, so two
 * rotations never share a name), and only renamed files are read.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class IcingaIT {

    private static final Path ICINGA2 = Path.of("/usr/sbin/icinga2");
    /** Bound for each plugin run and each icinga2 -C. */
    private static final Duration RUN = Duration.ofSeconds(60);
    /** Bound for Icinga to deliver the results asserted on (check_interval is 3 s). */
    private static final Duration RESULT_WAIT = Duration.ofSeconds(60);
    private static final Duration STOP_WAIT = Duration.ofSeconds(20);
    private static final int RESULTS_PER_SERVICE = 2;
    private static final String GOOD = "rs1!vip-http";
    private static final String BAD = "rs2!vip-http";
    private static final String SUDO = "rs1!vip-8080-sudo";
    private static final Pattern ROTATED = Pattern.compile("service-perfdata\\.(\\d+)");
    /** One check result as the PerfdataWriter's service_format_template writes it. */
    private static final Pattern RECORD = Pattern.compile("@@<(.*?)>@@", Pattern.DOTALL);

    private static Lab lab;
    /** The daemon's configuration, state, logs, plugin directory and perfdata; JUnit deletes it after the class. */
    @TempDir
    static Path work;

    @BeforeAll
    static void setUp() throws IOException {
        Lab.requireRoot();
        assertTrue(Files.isExecutable(ICINGA2), ICINGA2 + " missing: run scripts/install-deps (package icinga2)");
        lab = Lab.up();
        for (String dir : List.of("etc", "data", "log", "cache", "spool", "run", "plugins", "perfdata")) {
            Files.createDirectories(work.resolve(dir));
        }
        Files.createSymbolicLink(work.resolve("plugins/check_tcp_raw"), lab.pluginWrapper());
        Files.writeString(work.resolve("lvs.role"), "1\n"); // MASTER: the raw check proper
    }

    @AfterAll
    static void tearDown() {
        if (lab != null) {
            assertEquals(List.of(), lab.closeAndListLeftovers(), "namespaces left by " + lab.prefix());
        }
    }

    @Test
    void shippedCommandsAndTheirCommentedExampleValidate() throws IOException {
        Path example = Files.writeString(work.resolve("etc/example.conf"), commentedExample());
        Path conf = Files.writeString(work.resolve("etc/validate.conf"), """
                const PluginDir = "/usr/lib/nagios/plugins"
                include <itl>
                include <plugins>
                include %s
                include %s
                object IcingaApplication "app" { }
                """.formatted(icingaString(shippedConf()), icingaString(example)));

        Lab.Result r = Lab.run(RUN, icinga2(conf, true));

        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("Finished validating the configuration file(s)."), r.describe());
        assertTrue(r.stdout().contains("Instantiated 2 Services."), "the example's apply for: " + r.describe());
    }

    @Test
    void icingaJudgesTheGoodRealServerOkAndTheMisconfiguredOneCritical() throws Exception {
        Path conf = Files.writeString(work.resolve("etc/icinga2.conf"), daemonConfig());
        Lab.Result validation = Lab.run(RUN, icinga2(conf, true));
        assertEquals(0, validation.exitCode(), "icinga2 daemon -C: " + validation.describe());

        // What the plugin itself says, run directly with the arguments Icinga must build.
        Lab.Result good = lab.plugin(RUN, "--timeout", "500", "eth0", RS1_IP, VIP, "80");
        Lab.Result bad = lab.plugin(RUN, "--timeout", "500", "eth0", RS2_IP, VIP, "80");
        assertEquals(0, good.exitCode(), "the plugin itself, good real server: " + good.describe());
        assertEquals(2, bad.exitCode(), "the plugin itself, misconfigured real server: " + bad.describe());

        Map<String, List<CheckResult>> results;
        List<ProcessHandle> leftovers;
        Process icinga = startIcinga(conf);
        try {
            results = awaitResults(icinga);
        } finally {
            leftovers = stop(icinga); // never throws, so a failure above keeps its own message
        }
        assertEquals(List.of(), leftovers, "icinga2 processes still running after stop");

        assertResults(results.get(GOOD), "OK", 0, good.stdout());
        assertResults(results.get(BAD), "CRITICAL", 2, bad.stdout());
        for (CheckResult r : results.get(SUDO)) {
            assertEquals("OK", r.state(), r.toString());
            assertTrue(r.output().startsWith("TCP_RAW OK - " + VIP + ":8080 via " + RS1_IP + " (" + lab.mac("rs1") + ")"),
                    r.toString());
            assertTrue(r.output().contains(", closed cleanly"), "--clean-close reaches the plugin: " + r);
            assertTrue(r.perfdata().matches("time=\\d+\\.\\d+s;0\\.250500;0\\.400000;0;0\\.500000 arp=.*"),
                    "warning and critical reach the plugin: " + r);
        }
        assertTrue(results.get(GOOD).getFirst().output().contains("(" + lab.mac("rs1") + ")"), results.toString());
        assertTrue(results.get(BAD).getFirst().output().contains("(" + lab.mac("rs2") + ")"), results.toString());

        // The argument vectors Icinga built: options first, then the four operands in order.
        String log = Files.readString(work.resolve("log/icinga2.log"));
        String plugin = "'" + work.resolve("plugins/check_tcp_raw") + "'";
        assertTrue(log.contains("Running command " + plugin + " '--timeout' '500' 'eth0' '" + RS1_IP + "' '" + VIP + "' '80'"),
                "tcp_raw with tcp_raw_real_server defaulting to the host address:\n" + runningCommands(log));
        assertTrue(log.contains("Running command " + plugin + " '--timeout' '500' 'eth0' '" + RS2_IP + "' '" + VIP + "' '80'"),
                runningCommands(log));
        String sudoLine = log.lines().filter(l -> l.contains("'/usr/bin/sudo' '-n' " + plugin))
                .findFirst().orElseThrow(() -> new AssertionError("no sudo command in\n" + runningCommands(log)));
        for (String pair : List.of("'--clean-close' ", "'--role-file' '" + work.resolve("lvs.role") + "'",
                "'--timeout' '500'", "'--warning' '250.5", "'--critical' '400'")) { // Icinga: 250.500000
            assertTrue(sudoLine.contains(pair), pair + " in " + sudoLine);
        }
        assertTrue(sudoLine.contains("' 'eth0' '" + RS1_IP + "' '" + VIP + "' '8080': PID"), "operands last: " + sudoLine);
    }

    // ------------------------------------------------------------------------------------ config

    private static Path shippedConf() {
        return lab.repoRoot().resolve("icinga-commands/check_tcp_raw.conf");
    }

    /** The commented "Example:" block of the shipped file, uncommented. */
    private static String commentedExample() throws IOException {
        List<String> lines = Files.readAllLines(shippedConf());
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("/* Example:")) {
                start = i + 1;
                break;
            }
        }
        assertTrue(start > 0, "no \"/* Example:\" comment in " + shippedConf());
        StringBuilder example = new StringBuilder();
        for (int i = start; i < lines.size() && !lines.get(i).startsWith(" */"); i++) {
            String line = lines.get(i);
            if (line.startsWith(" * tcp_raw_real_server defaults")) {
                break; // the prose after the example
            }
            example.append(line.replaceFirst("^ \\* ?", "")).append('\n');
        }
        return example.toString();
    }

    private static String daemonConfig() {
        Path perfdata = work.resolve("perfdata");
        return """
                /* IcingaIT: a self-contained Icinga 2 configuration; paths come from -DConfiguration.* */
                const PluginDir = @PLUGINS@
                include <itl>
                include @SHIPPED@

                object IcingaApplication "app" { }
                object CheckerComponent "checker" { }
                object FileLogger "main-log" {
                  severity = "notice"   /* notice logs every "Running command" with its arguments */
                  path = LogDir + "/icinga2.log"
                }
                object PerfdataWriter "results" {
                  service_perfdata_path = @PERFDATA@ + "/service-perfdata"
                  service_temp_path = @PERFDATA@ + "/service-perfdata.tmp"
                  host_perfdata_path = @PERFDATA@ + "/host-perfdata"
                  host_temp_path = @PERFDATA@ + "/host-perfdata.tmp"
                  /* Delimited records: a plugin's output may span lines (Icinga appends its stderr). */
                  service_format_template = "@@<$host.name$!$service.name$\\t$service.state$\\t$service.state_id$\\t$service.output$\\t$service.perfdata$>@@"
                  host_format_template = "$host.name$\\t$host.state$"
                  rotation_interval = 2s
                }

                template Host "lab-real-server" {
                  check_command = "dummy"
                  check_interval = 1m
                  vars.lvs_vip = "@VIP@"
                }
                object Host "rs1" {
                  import "lab-real-server"
                  address = "@RS1@"
                }
                object Host "rs2" {
                  import "lab-real-server"
                  address = "@RS2@"
                }

                /* tcp_raw_real_server is left to its default, the host's address. */
                apply Service "vip-http" {
                  check_command = "tcp_raw"
                  check_interval = 3s
                  retry_interval = 3s
                  vars.tcp_raw_interface = "eth0"
                  vars.tcp_raw_virtual_ip = host.vars.lvs_vip
                  vars.tcp_raw_port = 80
                  vars.tcp_raw_timeout = 500
                  assign where host.vars.lvs_vip
                }

                object Service "vip-8080-sudo" {
                  host_name = "rs1"
                  check_command = "tcp_raw_sudo"
                  check_interval = 3s
                  retry_interval = 3s
                  vars.tcp_raw_interface = "eth0"
                  vars.tcp_raw_real_server = "@RS1@"
                  vars.tcp_raw_virtual_ip = "@VIP@"
                  vars.tcp_raw_port = 8080
                  vars.tcp_raw_timeout = 500
                  vars.tcp_raw_warning = 250.5
                  vars.tcp_raw_critical = 400
                  vars.tcp_raw_clean_close = true
                  vars.tcp_raw_role_file = @ROLE@
                }
                """
                .replace("@PLUGINS@", icingaString(work.resolve("plugins")))
                .replace("@SHIPPED@", icingaString(shippedConf()))
                .replace("@PERFDATA@", icingaString(perfdata))
                .replace("@ROLE@", icingaString(work.resolve("lvs.role")))
                .replace("@VIP@", VIP)
                .replace("@RS1@", RS1_IP)
                .replace("@RS2@", RS2_IP);
    }

    /** {@code icinga2 daemon [-C] -c conf} with every state, log, cache and run path inside {@link #work}. */
    private static List<String> icinga2(Path conf, boolean validateOnly) {
        List<String> cmd = new ArrayList<>(List.of(ICINGA2.toString(), "daemon", "-c", conf.toString()));
        if (validateOnly) {
            cmd.add("-C");
        }
        Map<String, String> constants = new LinkedHashMap<>();
        constants.put("DataDir", work.resolve("data").toString());
        constants.put("LogDir", work.resolve("log").toString());
        constants.put("CacheDir", work.resolve("cache").toString());
        constants.put("SpoolDir", work.resolve("spool").toString());
        constants.put("InitRunDir", work.resolve("run").toString());
        constants.put("ZonesDir", work.resolve("etc/zones.d").toString());
        constants.put("RunAsUser", "root");
        constants.put("RunAsGroup", "root");
        constants.forEach((key, value) -> cmd.add("-DConfiguration." + key + "=" + value));
        return cmd;
    }

    /** A double-quoted Icinga 2 string literal. */
    private static String icingaString(Object value) {
        return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ------------------------------------------------------------------------------------ daemon

    private static Process startIcinga(Path conf) {
        return lab.start("dir", work.resolve("log/daemon.out"), icinga2(conf, false).toArray(String[]::new));
    }

    /**
     * SIGTERM to the daemon (it stops its workers), SIGKILL to anything of it still alive after 20 s;
     * returns what is alive even then (nothing, normally).
     */
    private static List<ProcessHandle> stop(Process icinga) {
        List<ProcessHandle> family = new ArrayList<>(icinga.descendants().toList());
        family.add(icinga.toHandle());
        boolean interrupted = false;
        icinga.destroy();
        try {
            if (!icinga.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                family.addAll(icinga.descendants().toList());
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        family.forEach(ProcessHandle::destroyForcibly); // no-op for those already gone
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
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

    // ----------------------------------------------------------------------------------- results

    record CheckResult(String service, String state, int stateId, String output, String perfdata) {
    }

    /** Waits (at most {@link #RESULT_WAIT}) until each service has {@link #RESULTS_PER_SERVICE} results. */
    private static Map<String, List<CheckResult>> awaitResults(Process icinga) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + RESULT_WAIT.toNanos();
        Map<String, List<CheckResult>> results = Map.of();
        while (System.nanoTime() < deadline) {
            if (!icinga.isAlive()) {
                fail("icinga2 exited with " + icinga.exitValue() + "\n" + diagnostics());
            }
            results = readResults();
            Map<String, List<CheckResult>> seen = results;
            if (Stream.of(GOOD, BAD, SUDO).allMatch(s -> seen.getOrDefault(s, List.of()).size() >= RESULTS_PER_SERVICE)) {
                return results;
            }
            Thread.sleep(250);
        }
        return fail("not " + RESULTS_PER_SERVICE + " results per service from Icinga within " + RESULT_WAIT.toSeconds()
                + " s: " + results + "\n" + diagnostics());
    }

    /** Every check result in the rotated perfdata files, per host!service, oldest first. */
    private static Map<String, List<CheckResult>> readResults() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(work.resolve("perfdata"))) {
            files = s.filter(p -> ROTATED.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(IcingaIT::rotationTime))
                    .toList();
        }
        Map<String, List<CheckResult>> results = new LinkedHashMap<>();
        for (Path file : files) {
            Matcher record = RECORD.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (record.find()) {
                String[] f = record.group(1).split("\t", 5);
                if (f.length != 5 || !f[2].matches("\\d+")) {
                    fail("unexpected record in " + file + ": " + record.group());
                }
                results.computeIfAbsent(f[0], k -> new ArrayList<>())
                        .add(new CheckResult(f[0], f[1], Integer.parseInt(f[2]), f[3].strip(), f[4].strip()));
            }
        }
        return results;
    }

    private static long rotationTime(Path file) {
        Matcher m = ROTATED.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Every result has the state, and the plugin's own status line up to the numbers that vary per run. */
    private static void assertResults(List<CheckResult> results, String state, int stateId, String pluginLine) {
        String[] direct = pluginLine.strip().split(" \\| ", 2);
        for (CheckResult r : results) {
            assertEquals(state, r.state(), r.toString());
            assertEquals(stateId, r.stateId(), r.toString());
            assertTrue(r.output().startsWith("TCP_RAW " + state + " - "), r.toString());
            assertEquals(Lab.numbersMasked(direct[0]), Lab.numbersMasked(r.output()), "Icinga's output vs the plugin's own: " + r);
            assertEquals(direct.length > 1 ? Lab.numbersMasked(direct[1]) : "", Lab.numbersMasked(r.perfdata()), "perfdata: " + r);
        }
    }

    private static String runningCommands(String log) {
        StringBuilder sb = new StringBuilder();
        log.lines().filter(l -> l.contains("Running command")).limit(20).forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    private static String diagnostics() {
        return "--- daemon output (tail)\n" + tail(work.resolve("log/daemon.out"), 30)
                + "--- icinga2.log (tail)\n" + tail(work.resolve("log/icinga2.log"), 40);
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.exists(file) ? Files.readAllLines(file) : List.of("(missing)");
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
        } catch (IOException e) {
            return "(unreadable: " + e + ")\n";
        }
    }
}
