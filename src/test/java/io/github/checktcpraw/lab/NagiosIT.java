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
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.checktcpraw.lab.CheckRecords.CheckResult;

/**
 * A real Nagios 4 (Debian's nagios4-core) runs the shipped {@code icinga-commands/nagios-commands.cfg},
 * included as shipped, inside the lab's director namespace: as user nagios, through the shipped
 * {@code check_tcp_raw_sudo} command and the shipped sudoers rule ({@link SudoersRule}). It judges the
 * good real server OK, the misconfigured one and a closed port CRITICAL, and runs the shipped example's
 * check command with its options.
 *
 * <p>The daemon runs in the foreground from a self-contained configuration in a temporary directory:
 * every file it writes (status, log, lock, query socket, check results, perfdata) is in there, so
 * /etc/nagios4, /var/lib/nagios4 and the system service are never touched. {@code interval_length=1}
 * makes intervals seconds. Results are read back from what Nagios writes: {@code status.dat} (written
 * to a temporary file and renamed, so always whole) and a service perfdata file whose template writes
 * {@link CheckRecords} records, of which only complete ones are taken.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class NagiosIT extends OneLabPerClass {

    static final Path NAGIOS4 = Path.of("/usr/sbin/nagios4");
    /** Debian's nagios.cfg forbids these in object names (service descriptions too), parentheses included. */
    static final String DEBIAN_ILLEGAL_OBJECT_NAME_CHARS = "`~!$%^&*|'\"<>?,()=";
    /** ... and strips these from the macros that carry plugin output. */
    static final String DEBIAN_ILLEGAL_MACRO_OUTPUT_CHARS = "`~$&|'\"<>";
    private static final Duration RUN = Duration.ofSeconds(60);
    /** Bound for Nagios to deliver the results asserted on (check_interval is 3 s). */
    private static final Duration RESULT_WAIT = Duration.ofSeconds(90);
    private static final Duration STOP_WAIT = Duration.ofSeconds(20);
    private static final int RESULTS_PER_SERVICE = 2;
    private static final String GOOD = "rs1!vip-http";
    private static final String BAD = "rs2!vip-http";
    private static final String CLOSED = "rs1!closed-port";
    private static final String EXAMPLE = "rs1!shipped-example";
    private static final String HTTPS_EXAMPLE = "rs1!shipped-https-example";
    private static final List<String> SERVICES = List.of(GOOD, BAD, CLOSED, EXAMPLE, HTTPS_EXAMPLE);

    /** Nagios's configuration and everything it writes; JUnit deletes it after the class. */
    @TempDir
    static Path work;
    private static SudoersRule sudoers;

    @BeforeAll
    static void setUp() throws IOException {
        Lab.requireCommand("nagios4", "nagios4-core");
        SudoersRule.assertToolsInstalled();
        assertEquals(0, Lab.run(RUN, List.of("getent", "passwd", "nagios")).exitCode(),
                "no user nagios (Debian's nagios4-common creates it): run scripts/install-deps");
        sudoers = SudoersRule.install(lab.repoRoot(), work, lab.pluginWrapper().toString());
        // Nagios drops root for nagios_user before it writes anything: it needs to reach these.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        UserPrincipalLookupService users = work.getFileSystem().getUserPrincipalLookupService();
        for (String dir : List.of("var", "checkresults", "perfdata")) {
            Path d = Files.createDirectories(work.resolve(dir));
            Files.setOwner(d, users.lookupPrincipalByName("nagios"));
            Files.getFileAttributeView(d, PosixFileAttributeView.class)
                    .setGroup(users.lookupPrincipalByGroupName("nagios"));
        }
        Files.writeString(work.resolve("lvs.role"), "1\n"); // MASTER: the raw check proper
    }

    @AfterAll
    static void removeSudoers() throws IOException {
        if (sudoers != null) {
            sudoers.close();
            sudoers = null;
        }
    }

    @Test
    void nagiosJudgesTheGoodRealServerOkAndTheMisconfiguredOneAndAClosedPortCritical() throws IOException {
        Path conf = writeConfig();
        assertVerifiesClean(verify(conf));

        // What the plugin itself says, run directly with the arguments Nagios must build.
        Lab.Result good = lab.plugin(RUN, "-t", "500", "eth0", RS1_IP, VIP, "80");
        Lab.Result bad = lab.plugin(RUN, "-t", "500", "eth0", RS2_IP, VIP, "80");
        Lab.Result closed = lab.plugin(RUN, "-t", "500", "eth0", RS1_IP, VIP, "81");
        assertEquals(0, good.exitCode(), good.describe());
        assertEquals(2, bad.exitCode(), bad.describe());
        assertEquals(2, closed.exitCode(), closed.describe());
        assertTrue(closed.stdout().contains("connection refused"), closed.describe());
        Lab.Result shipped = runExample(exampleCheckCommands().get(0));
        assertEquals(0, shipped.exitCode(), shipped.describe());
        assertTrue(shipped.stdout().matches("(?s).* \\| time=[^;]+;[^;]+;[^;]+;.*"), "warning and critical in perfdata: "
                + shipped.describe());
        Lab.Result https = runExample(exampleCheckCommands().get(1));
        assertEquals(0, https.exitCode(), https.describe());
        assertTrue(https.stdout().contains(", certificate expires "), https.describe());

        Map<String, List<CheckResult>> results;
        Map<String, Map<String, String>> status;
        long nagiosUid;
        Process nagios = lab.start("dir", work.resolve("nagios.out"), NAGIOS4.toString(), conf.toString());
        try {
            results = awaitResults(nagios);
            status = serviceStatus();
            nagiosUid = Files.readAllLines(Path.of("/proc", Long.toString(nagios.pid()), "status")).stream()
                    .filter(l -> l.startsWith("Uid:")).map(l -> Long.parseLong(l.substring(4).trim().split("\\s+")[1]))
                    .findFirst().orElse(-1L);
        } finally {
            assertEquals(List.of(), Daemon.stop(nagios, STOP_WAIT), "nagios4 processes still running after stop");
        }

        assertEquals(uid("nagios"), nagiosUid, "nagios4 dropped root for nagios_user=nagios");
        CheckRecords.assertLikePlugin(results.get(GOOD), "OK", 0, good.stdout());
        CheckRecords.assertLikePlugin(results.get(BAD), "CRITICAL", 2, bad.stdout());
        CheckRecords.assertLikePlugin(results.get(CLOSED), "CRITICAL", 2, closed.stdout());
        assertTrue(results.get(GOOD).getFirst().output().contains("(" + lab.mac("rs1") + ")"), results.toString());
        assertTrue(results.get(BAD).getFirst().output().contains("(" + lab.mac("rs2") + ")"), results.toString());
        CheckRecords.assertLikePlugin(results.get(EXAMPLE), "OK", 0, shipped.stdout()); // its options reached the plugin
        CheckRecords.assertLikePlugin(results.get(HTTPS_EXAMPLE), "OK", 0, https.stdout());

        // status.dat holds the last result of each service, as Nagios keeps it.
        Map<String, Lab.Result> direct = Map.of(GOOD, good, BAD, bad, CLOSED, closed);
        direct.forEach((service, plugin) -> {
            Map<String, String> s = status.get(service);
            assertTrue(s != null, "no servicestatus for " + service + " in status.dat: " + status.keySet());
            String[] line = plugin.stdout().strip().split(" \\| ", 2);
            assertEquals(Integer.toString(plugin.exitCode()), s.get("current_state"), service + ": " + s);
            assertEquals("1", s.get("has_been_checked"), service + ": " + s);
            assertEquals(Lab.numbersMasked(line[0]), Lab.numbersMasked(s.get("plugin_output")), service + ": " + s);
            assertEquals(line.length > 1 ? Lab.numbersMasked(line[1]) : "", Lab.numbersMasked(s.get("performance_data")),
                    service + ": " + s);
        });
    }

    // ------------------------------------------------------------------------------------ config

    /** Runs {@code nagios4 -v} on a configuration. */
    static Lab.Result verify(Path conf) {
        return Lab.run(RUN, List.of(NAGIOS4.toString(), "-v", conf.toString()));
    }

    /** Asserts that {@code nagios4 -v} passed without a single warning or error. */
    static void assertVerifiesClean(Lab.Result r) {
        assertEquals(0, r.exitCode(), "nagios4 -v: " + r.describe());
        assertTrue(r.stdout().contains("Total Warnings: 0"), "nagios4 -v: " + r.describe());
        assertTrue(r.stdout().matches("(?s).*Total Errors: +0\\n.*"), "nagios4 -v: " + r.describe());
    }

    /** The commented-out {@code define} blocks after the shipped file's "# Example:", uncommented as a user would. */
    static String uncommentedExample(Path repoRoot) throws IOException {
        List<String> lines = Files.readAllLines(repoRoot.resolve("icinga-commands/nagios-commands.cfg"));
        int start = -1;
        for (int i = 0; i < lines.size() && start < 0; i++) {
            if (lines.get(i).startsWith("# Example:")) {
                start = i + 1;
            }
        }
        assertTrue(start > 0, "no \"# Example:\" comment in icinga-commands/nagios-commands.cfg");
        StringBuilder example = new StringBuilder();
        boolean inDefine = false;
        for (int i = start; i < lines.size() && lines.get(i).startsWith("#"); i++) {
            String line = lines.get(i).replaceFirst("^# ?", "");
            inDefine |= line.startsWith("define ");
            if (inDefine) {
                example.append(line).append('\n');
            }
            inDefine &= !line.strip().equals("}");
        }
        return example.toString();
    }

    /**
     * The example services' check_commands (the plain check, then HTTPS), for the lab: the VIP and role
     * file replaced by the lab's, and HTTPS's port 443 by the lab's 8443.
     */
    private static List<String> exampleCheckCommands() throws IOException {
        List<String> commands = uncommentedExample(lab.repoRoot()).lines()
                .filter(l -> l.strip().startsWith("check_command") && l.contains("check_tcp_raw_sudo!"))
                .map(l -> l.strip().substring("check_command".length()).strip()).toList();
        assertEquals(2, commands.size(), "the plain and the HTTPS example: " + commands);
        for (String command : commands) {
            for (String text : List.of("10.0.0.100", "/var/run/lvs.role")) {
                assertTrue(command.contains(text), "an example's check_command no longer contains " + text + ": " + command);
            }
        }
        assertTrue(commands.get(1).contains("!443!"), commands.get(1));
        return commands.stream().map(c -> c.replace("10.0.0.100", VIP).replace("!443!", "!8443!")
                .replace("/var/run/lvs.role", work.resolve("lvs.role").toString())).toList();
    }

    /** The plugin run directly as an example's check_command has Nagios run it. */
    private static Lab.Result runExample(String command) {
        String[] example = command.split("!"); // command!iface!vip!port!options
        List<String> args = new ArrayList<>(List.of(example[4].split(" ")));
        args.addAll(List.of(example[1], RS1_IP, example[2], example[3]));
        return lab.plugin(RUN, args.toArray(String[]::new));
    }

    private static Path writeConfig() throws IOException {
        Path objects = Files.writeString(work.resolve("lab-objects.cfg"), """
                # NagiosIT: the lab's hosts and services; the commands are the shipped nagios-commands.cfg
                define timeperiod {
                    timeperiod_name     always
                    alias               always
                    sunday              00:00-24:00
                    monday              00:00-24:00
                    tuesday             00:00-24:00
                    wednesday           00:00-24:00
                    thursday            00:00-24:00
                    friday              00:00-24:00
                    saturday            00:00-24:00
                }
                define command {
                    command_name        notify-nobody
                    command_line        /bin/true
                }
                define contact {
                    contact_name                    nobody
                    host_notifications_enabled      0
                    service_notifications_enabled   0
                    host_notification_period        always
                    service_notification_period     always
                    host_notification_options       n
                    service_notification_options    n
                    host_notification_commands      notify-nobody
                    service_notification_commands   notify-nobody
                }
                define host {
                    name                    lab-real-server
                    register                0
                    max_check_attempts      1
                    check_period            always
                    contacts                nobody
                    notification_period     always
                    notifications_enabled   0
                }
                define host {
                    use                     lab-real-server
                    host_name               rs1
                    address                 @RS1@
                }
                define host {
                    use                     lab-real-server
                    host_name               rs2
                    address                 @RS2@
                }
                define service {
                    name                    lab-service
                    register                0
                    max_check_attempts      1
                    check_interval          3
                    retry_interval          3
                    check_period            always
                    contacts                nobody
                    notification_period     always
                    notifications_enabled   0
                }
                define service {
                    use                     lab-service
                    host_name               rs1,rs2
                    service_description     vip-http
                    check_command           check_tcp_raw_sudo!eth0!@VIP@!80!-t 500
                }
                define service {
                    use                     lab-service
                    host_name               rs1
                    service_description     closed-port
                    check_command           check_tcp_raw_sudo!eth0!@VIP@!81!-t 500
                }
                define service {
                    use                     lab-service
                    host_name               rs1
                    service_description     shipped-example
                    check_command           @EXAMPLE@
                }
                define service {
                    use                     lab-service
                    host_name               rs1
                    service_description     shipped-https-example
                    check_command           @HTTPS_EXAMPLE@
                }
                """.replace("@RS1@", RS1_IP).replace("@RS2@", RS2_IP).replace("@VIP@", VIP)
                .replace("@EXAMPLE@", exampleCheckCommands().get(0)).replace("@HTTPS_EXAMPLE@", exampleCheckCommands().get(1)));
        // $USER1$ is the wrapper's directory, so $USER1$/check_tcp_raw is the path the sudoers rule names.
        Path resources = Files.writeString(work.resolve("resource.cfg"),
                "$USER1$=" + lab.pluginWrapper().getParent() + "\n");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("cfg_file", lab.repoRoot().resolve("icinga-commands/nagios-commands.cfg") + "\ncfg_file=" + objects);
        settings.put("resource_file", resources.toString());
        settings.put("nagios_user", "nagios");
        settings.put("nagios_group", "nagios");
        settings.put("log_file", work.resolve("var/nagios.log").toString());
        settings.put("status_file", work.resolve("var/status.dat").toString());
        settings.put("status_update_interval", "1");
        settings.put("object_cache_file", work.resolve("var/objects.cache").toString());
        settings.put("precached_object_file", work.resolve("var/objects.precache").toString());
        settings.put("temp_file", work.resolve("var/nagios.tmp").toString());
        settings.put("temp_path", work.resolve("var").toString());
        settings.put("lock_file", work.resolve("var/nagios.pid").toString());
        settings.put("query_socket", work.resolve("var/nagios.qh").toString());
        settings.put("command_file", work.resolve("var/nagios.cmd").toString());
        settings.put("check_external_commands", "0");
        settings.put("check_result_path", work.resolve("checkresults").toString());
        settings.put("check_result_reaper_frequency", "1");
        settings.put("retain_state_information", "0");
        settings.put("use_syslog", "0");
        settings.put("enable_notifications", "0");
        settings.put("check_for_updates", "0");
        settings.put("illegal_object_name_chars", DEBIAN_ILLEGAL_OBJECT_NAME_CHARS);
        settings.put("illegal_macro_output_chars", DEBIAN_ILLEGAL_MACRO_OUTPUT_CHARS);
        settings.put("interval_length", "1");
        settings.put("service_inter_check_delay_method", "n");
        settings.put("host_inter_check_delay_method", "n");
        settings.put("max_service_check_spread", "1");
        settings.put("max_host_check_spread", "1");
        settings.put("process_performance_data", "1");
        settings.put("service_perfdata_file", work.resolve("perfdata/service-perfdata").toString());
        settings.put("service_perfdata_file_template", CheckRecords.NAGIOS_TEMPLATE);
        settings.put("service_perfdata_file_mode", "a");
        settings.put("service_perfdata_file_processing_interval", "0");
        StringBuilder conf = new StringBuilder("# NagiosIT: a self-contained Nagios 4 configuration\n");
        settings.forEach((key, value) -> conf.append(key).append('=').append(value).append('\n'));
        return Files.writeString(work.resolve("nagios.cfg"), conf);
    }

    // ----------------------------------------------------------------------------------- results

    /** Waits (at most {@link #RESULT_WAIT}) until the perfdata file has {@link #RESULTS_PER_SERVICE} results per service. */
    private static Map<String, List<CheckResult>> awaitResults(Process nagios) {
        Path file = work.resolve("perfdata/service-perfdata");
        Optional<Map<String, List<CheckResult>>> done = Daemon.await(nagios, RESULT_WAIT, () -> {
            Map<String, List<CheckResult>> results = CheckRecords.parse(read(file), file.toString());
            return SERVICES.stream().allMatch(s -> results.getOrDefault(s, List.of()).size() >= RESULTS_PER_SERVICE)
                    ? Optional.of(results) : Optional.empty();
        });
        return done.orElseGet(() -> fail("not " + RESULTS_PER_SERVICE + " results per service from Nagios within "
                + RESULT_WAIT.toSeconds() + " s (alive: " + nagios.isAlive() + ")\n" + read(file) + "\n"
                + Daemon.tail(work.resolve("nagios.out"), 30) + Daemon.tail(work.resolve("var/nagios.log"), 30)));
    }

    /** The servicestatus blocks of status.dat, per host!service, each as its key=value lines. */
    private static Map<String, Map<String, String>> serviceStatus() {
        Map<String, Map<String, String>> services = new HashMap<>();
        Map<String, String> block = null;
        for (String line : read(work.resolve("var/status.dat")).lines().toList()) {
            String l = line.strip();
            if (l.equals("servicestatus {")) {
                block = new HashMap<>();
            } else if (block != null && l.equals("}")) {
                services.put(block.get("host_name") + "!" + block.get("service_description"), block);
                block = null;
            } else if (block != null && l.contains("=")) {
                block.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
        return services;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return fail("cannot read " + file, e);
        }
    }

    private static long uid(String user) {
        Lab.Result r = Lab.run(RUN, List.of("id", "-u", user));
        assertEquals(0, r.exitCode(), r.describe());
        return Long.parseLong(r.stdout().strip());
    }
}
