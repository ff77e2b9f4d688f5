package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.checktcpraw.lab.CheckRecords.CheckResult;

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
 * <p>The daemon gets a self-contained configuration in a temporary directory ({@link Icinga2}). It runs
 * as root, so the plain {@code tcp_raw} command can capture; the {@code tcp_raw_sudo} variant is run too
 * (root may sudo without a rule; the sudoers rule itself is tested by {@link NrpeIT} and {@link NagiosIT}).
 *
 * <p>Results are read from Icinga itself through a {@code PerfdataWriter} whose
 * {@code service_format_template} writes a {@link CheckRecords} record for every check result
 * ({@link Icinga2#perfdataWriter()}). It is the most reliable way out: no TLS certificates, API user,
 * port or HTTP client as the REST API would need, and the writer hangs on the same new-check-result
 * signal as every Icinga feature, with the state as Icinga derived it from the exit code.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class IcingaIT {

    /** Bound for each plugin run and each icinga2 -C. */
    private static final Duration RUN = Duration.ofSeconds(60);
    /** Bound for Icinga to deliver the results asserted on (check_interval is 3 s). */
    private static final Duration RESULT_WAIT = Duration.ofSeconds(60);
    private static final Duration STOP_WAIT = Duration.ofSeconds(20);
    private static final int RESULTS_PER_SERVICE = 2;
    private static final String GOOD = "rs1!vip-http";
    private static final String BAD = "rs2!vip-http";
    private static final String SUDO = "rs1!vip-8080-sudo";
    private static final String HTTPS = "rs1!vip-https";

    private static Lab lab;
    /** The daemon's configuration, state, logs, plugin directory and perfdata; JUnit deletes it after the class. */
    @TempDir
    static Path work;
    private static Icinga2 icinga2;

    @BeforeAll
    static void setUp() throws IOException {
        Lab.requireRoot();
        assertTrue(Files.isExecutable(Icinga2.BINARY), Icinga2.BINARY + " missing: run scripts/install-deps (package icinga2)");
        lab = Lab.up();
        icinga2 = Icinga2.in(work);
        Files.createDirectories(work.resolve("plugins"));
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
                """.formatted(Icinga2.string(shippedConf()), Icinga2.string(example)));

        Lab.Result r = Lab.run(RUN, icinga2.daemon(conf, true));

        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.stdout().contains("Finished validating the configuration file(s)."), r.describe());
        assertTrue(r.stdout().contains("Instantiated 2 Services."), "the example's apply for: " + r.describe());
    }

    @Test
    void icingaJudgesTheGoodRealServerOkAndTheMisconfiguredOneCritical() throws Exception {
        Path conf = Files.writeString(work.resolve("etc/icinga2.conf"), daemonConfig());
        Lab.Result validation = Lab.run(RUN, icinga2.daemon(conf, true));
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
            leftovers = Daemon.stop(icinga, STOP_WAIT);
        }
        assertEquals(List.of(), leftovers, "icinga2 processes still running after stop");

        CheckRecords.assertLikePlugin(results.get(GOOD), "OK", 0, good.stdout());
        CheckRecords.assertLikePlugin(results.get(BAD), "CRITICAL", 2, bad.stdout());
        for (CheckResult r : results.get(SUDO)) {
            assertEquals("OK", r.state(), r.toString());
            assertTrue(r.output().startsWith("TCP_RAW OK - " + VIP + ":8080 via " + RS1_IP + " (" + lab.mac("rs1") + ")"),
                    r.toString());
            assertTrue(r.output().contains(", closed cleanly"), "--clean-close reaches the plugin: " + r);
            // Icinga hands the numbers over as 250.500000 and 400; perfdata has them in seconds, digit for digit.
            assertTrue(r.perfdata().matches("time=\\d+\\.\\d+s;0\\.250500000;0\\.400;0;0\\.500000 arp=.*"),
                    "warning and critical reach the plugin: " + r);
        }
        for (CheckResult r : results.get(HTTPS)) {
            assertEquals("OK", r.state(), r.toString());
            assertTrue(r.output().contains(", HTTP/1.1 200 OK, ") && r.output().contains(", certificate expires "),
                    "the service asked through the VIP: " + r);
            assertTrue(r.perfdata().contains(" response=") && r.perfdata().contains(" tls="), r.toString());
        }
        assertTrue(results.get(GOOD).getFirst().output().contains("(" + lab.mac("rs1") + ")"), results.toString());
        assertTrue(results.get(BAD).getFirst().output().contains("(" + lab.mac("rs2") + ")"), results.toString());

        // The argument vectors Icinga built: options first, then the four operands in order.
        String log = Files.readString(work.resolve("log/icinga2.log"));
        String plugin = "'" + work.resolve("plugins/check_tcp_raw") + "'";
        assertTrue(log.contains("Running command " + plugin + " '--timeout' '500' 'eth0' '" + RS1_IP + "' '" + VIP + "' '80'"),
                "tcp_raw with tcp_raw_real_server defaulting to the host address:\n" + Icinga2.runningCommands(log));
        assertTrue(log.contains("Running command " + plugin + " '--timeout' '500' 'eth0' '" + RS2_IP + "' '" + VIP + "' '80'"),
                Icinga2.runningCommands(log));
        String sudoLine = log.lines().filter(l -> l.contains("'/usr/bin/sudo' '-n' " + plugin))
                .findFirst().orElseThrow(() -> new AssertionError("no sudo command in\n" + Icinga2.runningCommands(log)));
        for (String pair : List.of("'--clean-close' ", "'--role-file' '" + work.resolve("lvs.role") + "'",
                "'--timeout' '500'", "'--warning' '250.5", "'--critical' '400'")) { // Icinga: 250.500000
            assertTrue(sudoLine.contains(pair), pair + " in " + sudoLine);
        }
        assertTrue(sudoLine.contains("' 'eth0' '" + RS1_IP + "' '" + VIP + "' '8080': PID"), "operands last: " + sudoLine);
        String httpsLine = log.lines().filter(l -> l.contains("Running command " + plugin) && l.contains("'8443'"))
                .findFirst().orElseThrow(() -> new AssertionError("no HTTPS command in\n" + Icinga2.runningCommands(log)));
        for (String pair : List.of("'--http' '/'", "'--http-host' 'vip.lab.test'", "'--expect' 'Welcome' '--expect' 'VIP'",
                "'--tls' ", "'--cert-days' '10,5'")) {
            assertTrue(httpsLine.contains(pair), pair + " in " + httpsLine);
        }
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
                @WRITER@

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

                /* The service itself through the VIP: HTTPS to the VIP's virtual host. */
                object Service "vip-https" {
                  host_name = "rs1"
                  check_command = "tcp_raw"
                  check_interval = 3s
                  retry_interval = 3s
                  vars.tcp_raw_interface = "eth0"
                  vars.tcp_raw_virtual_ip = "@VIP@"
                  vars.tcp_raw_port = 8443
                  vars.tcp_raw_tls = true
                  vars.tcp_raw_http = "/"
                  vars.tcp_raw_http_host = "vip.lab.test"
                  vars.tcp_raw_expect = [ "Welcome", "VIP" ]
                  vars.tcp_raw_cert_days = "10,5"
                }
                """
                .replace("@WRITER@", icinga2.perfdataWriter())
                .replace("@PLUGINS@", Icinga2.string(work.resolve("plugins")))
                .replace("@SHIPPED@", Icinga2.string(shippedConf()))
                .replace("@ROLE@", Icinga2.string(work.resolve("lvs.role")))
                .replace("@VIP@", VIP)
                .replace("@RS1@", RS1_IP)
                .replace("@RS2@", RS2_IP);
    }

    // ------------------------------------------------------------------------------------ daemon

    private static Process startIcinga(Path conf) {
        return lab.start("dir", work.resolve("log/daemon.out"), icinga2.daemon(conf, false).toArray(String[]::new));
    }

    // ----------------------------------------------------------------------------------- results

    /** Waits (at most {@link #RESULT_WAIT}) until each service has {@link #RESULTS_PER_SERVICE} results. */
    private static Map<String, List<CheckResult>> awaitResults(Process icinga) {
        Optional<Map<String, List<CheckResult>>> done = Daemon.await(icinga, RESULT_WAIT, () -> {
            if (!icinga.isAlive()) {
                return Optional.empty(); // results or not, an icinga2 that exited by itself fails the test
            }
            Map<String, List<CheckResult>> results = icinga2.results();
            return Stream.of(GOOD, BAD, SUDO, HTTPS).allMatch(s -> results.getOrDefault(s, List.of()).size() >= RESULTS_PER_SERVICE)
                    ? Optional.of(results) : Optional.empty();
        });
        return done.orElseGet(() -> fail(icinga.isAlive()
                ? "not " + RESULTS_PER_SERVICE + " results per service from Icinga within " + RESULT_WAIT.toSeconds()
                        + " s: " + icinga2.results() + "\n" + diagnostics()
                : "icinga2 exited with " + icinga.exitValue() + "\n" + diagnostics()));
    }

    private static String diagnostics() {
        return icinga2.diagnostics();
    }
}
