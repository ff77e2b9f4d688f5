package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.CLIENT_IP;
import static io.github.checktcpraw.lab.Lab.DIRECTOR_CLIENT_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's NRPE runs the shipped {@code icinga-commands/nrpe.cfg} commands as user nagios, through sudo
 * as allowed by the shipped {@code icinga-commands/sudoers}, in the lab's director namespace; check_nrpe
 * in the client namespace gets the plugin's own status line and exit code.
 *
 * <p>Both shipped files are tested as shipped, with only their example paths and addresses replaced by
 * the lab's (each replacement must find its text, so a changed file fails loudly instead of being
 * skipped). The sudoers rule is installed for the duration of the class by {@link SudoersRule}. NRPE runs in the foreground
 * ({@code -f}) from a configuration in a temporary directory, with SSL on both sides (the default of
 * Debian's nrpe and check_nrpe).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class NrpeIT {

    private static final Path NRPE = Path.of("/usr/sbin/nrpe");
    private static final Path CHECK_NRPE = Path.of("/usr/lib/nagios/plugins/check_nrpe");
    private static final int PORT = 5666;
    private static final Duration RUN = Duration.ofSeconds(60);
    private static final Duration LISTEN_WAIT = Duration.ofSeconds(10);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private static Lab lab;
    /** NRPE's configuration, log and the role file; JUnit deletes it after the class. */
    @TempDir
    static Path work;
    private static SudoersRule sudoers;
    private static Process nrpe;

    @BeforeAll
    static void setUp() throws IOException {
        Lab.requireRoot();
        for (Path tool : List.of(NRPE, CHECK_NRPE)) {
            assertTrue(Files.isExecutable(tool), tool + " missing: run scripts/install-deps (nagios-nrpe-server, nagios-nrpe-plugin)");
        }
        SudoersRule.assertToolsInstalled();
        assertEquals(0, Lab.run(RUN, List.of("getent", "passwd", "nagios")).exitCode(),
                "no user nagios (Debian's nagios-nrpe-server creates it): run scripts/install-deps");
        lab = Lab.up();
        Files.writeString(work.resolve("lvs.role"), "1\n"); // MASTER: the raw check proper

        String wrapper = lab.pluginWrapper().toString();
        sudoers = SudoersRule.install(lab.repoRoot(), work, wrapper);
        Path commands = Files.writeString(work.resolve("check_tcp_raw.cfg"), labCommands(wrapper));
        Path conf = Files.writeString(work.resolve("nrpe.cfg"), """
                # NrpeIT: NRPE in the lab's director namespace; the commands are the shipped nrpe.cfg's
                log_facility=daemon
                disable_syslog=1
                log_file=@WORK@/nrpe.log
                debug=1
                server_address=@ADDRESS@
                server_port=@PORT@
                nrpe_user=nagios
                nrpe_group=nagios
                allowed_hosts=@CLIENT@
                dont_blame_nrpe=0
                allow_bash_command_substitution=0
                command_timeout=30
                connection_timeout=30
                include=@COMMANDS@
                """.replace("@WORK@", work.toString()).replace("@ADDRESS@", DIRECTOR_CLIENT_IP)
                .replace("@PORT@", Integer.toString(PORT)).replace("@CLIENT@", CLIENT_IP)
                .replace("@COMMANDS@", commands.toString()));
        nrpe = startNrpe(conf);
    }

    @AfterAll
    static void tearDown() throws IOException {
        try {
            stopNrpe();
        } finally {
            try {
                if (sudoers != null) {
                    sudoers.close();
                }
            } finally {
                if (lab != null) {
                    assertEquals(List.of(), lab.closeAndListLeftovers(), "namespaces left by " + lab.prefix());
                }
            }
        }
    }

    @Test
    void goodRealServerIsOkThroughNrpeAndSudo() {
        Lab.Result direct = lab.plugin(RUN, "-t", "500", "eth0", RS1_IP, VIP, "80");
        Lab.Result remote = checkNrpe("check_tcp_raw_web1_http");

        assertEquals(0, direct.exitCode(), "the plugin itself: " + direct.describe());
        assertEquals(0, remote.exitCode(), remote.describe() + "\n" + nrpeLog());
        assertTrue(remote.stdout().startsWith("TCP_RAW OK - " + VIP + ":80 via " + RS1_IP + " (" + lab.mac("rs1") + ")"),
                remote.describe());
        assertEquals(Lab.numbersMasked(direct.stdout()), Lab.numbersMasked(remote.stdout()), "check_nrpe vs the plugin's own line");
        assertEquals(1, remote.stdoutLines().size(), remote.describe());
    }

    @Test
    void misconfiguredRealServerIsCriticalThroughNrpeAndSudo() {
        Lab.Result direct = lab.plugin(RUN, "-t", "500", "eth0", RS2_IP, VIP, "80");
        Lab.Result remote = checkNrpe("check_tcp_raw_web2_http");

        assertEquals(2, direct.exitCode(), "the plugin itself: " + direct.describe());
        assertEquals(2, remote.exitCode(), remote.describe() + "\n" + nrpeLog());
        assertTrue(remote.stdout().startsWith("TCP_RAW CRITICAL - "), remote.describe());
        assertTrue(remote.stdout().contains(RS2_IP + " (" + lab.mac("rs2") + ")"), remote.describe());
        assertEquals(direct.stdout().strip().split(" \\| ")[0], remote.stdout().strip().split(" \\| ")[0],
                "the same status text as the plugin's own");
        assertEquals(Lab.numbersMasked(direct.stdout()), Lab.numbersMasked(remote.stdout()), "and the same perfdata up to the numbers");
    }

    @Test
    void optionsOfTheShippedExampleReachThePlugin() {
        Lab.Result remote = checkNrpe("check_tcp_raw_web1_https"); // -W 50 -C 200 -r ROLE --clean-close, :8080 here

        assertEquals(0, remote.exitCode(), remote.describe() + "\n" + nrpeLog());
        assertTrue(remote.stdout().startsWith("TCP_RAW OK - " + VIP + ":8080 via " + RS1_IP), remote.describe());
        assertTrue(remote.stdout().matches("(?s).* \\| time=\\d+\\.\\d+s;0\\.050;0\\.200;0;0\\.500000 arp=.*"),
                "thresholds in the perfdata: " + remote.describe());
    }

    @Test
    void nrpeRunsAsNagiosWhichCannotCheckWithoutSudo() throws IOException {
        assertEquals(uid("nagios"), effectiveUid(nrpe.pid()), "NRPE dropped root for nrpe_user=nagios");

        Lab.Result remote = checkNrpe("check_tcp_raw_without_sudo");

        assertNotEquals(0, remote.exitCode(), "without sudo the raw capture must fail: " + remote.describe());
        assertFalse(remote.stdout().contains("TCP_RAW OK"), remote.describe());
    }

    // ------------------------------------------------------------------------------------ config

    /** The shipped NRPE commands with the lab's plugin path, addresses and role file, plus one without sudo. */
    private static String labCommands(String wrapper) throws IOException {
        String shipped = Files.readString(lab.repoRoot().resolve("icinga-commands/nrpe.cfg"));
        Map<String, String> replace = new LinkedHashMap<>();
        replace.put(SudoersRule.SHIPPED_PLUGIN, wrapper);
        replace.put("/var/run/lvs.role", work.resolve("lvs.role").toString());
        replace.put("10.0.0.100 443", VIP + " 8080"); // the lab's real servers have no :443
        replace.put("10.0.0.42", RS1_IP);
        replace.put("10.0.0.43", RS2_IP);
        replace.put("10.0.0.100", VIP);
        String text = shipped;
        for (Map.Entry<String, String> e : replace.entrySet()) {
            assertTrue(text.contains(e.getKey()), "icinga-commands/nrpe.cfg no longer contains " + e.getKey());
            text = text.replace(e.getKey(), e.getValue());
        }
        for (String name : List.of("check_tcp_raw_web1_http", "check_tcp_raw_web2_http", "check_tcp_raw_web1_https")) {
            assertTrue(text.lines().anyMatch(l -> l.startsWith("command[" + name + "]=/usr/bin/sudo -n " + wrapper + " ")),
                    "icinga-commands/nrpe.cfg: no sudo command " + name);
        }
        return text + "\n# NrpeIT only: the same check without sudo, as user nagios\n"
                + "command[check_tcp_raw_without_sudo]=" + wrapper + " -t 500 eth0 " + RS1_IP + " " + VIP + " 80\n";
    }

    // ------------------------------------------------------------------------------------ daemon

    private static Process startNrpe(Path conf) throws IOException {
        Process p = lab.start("dir", work.resolve("nrpe.out"), NRPE.toString(), "-c", conf.toString(), "-4", "-f");
        if (Daemon.awaitListening(lab, "dir", DIRECTOR_CLIENT_IP, PORT, p, LISTEN_WAIT)) {
            return p;
        }
        nrpe = p;
        stopNrpe();
        return fail("NRPE not listening on " + DIRECTOR_CLIENT_IP + ":" + PORT + " within " + LISTEN_WAIT.toSeconds() + " s\n"
                + Files.readString(work.resolve("nrpe.out")) + nrpeLog());
    }

    private static void stopNrpe() {
        Process p = nrpe;
        if (p == null) {
            return;
        }
        nrpe = null;
        assertEquals(List.of(), Daemon.stop(p, STOP_WAIT), "nrpe or its children still running");
    }

    // ----------------------------------------------------------------------------------- helpers

    private static Lab.Result checkNrpe(String command) {
        return lab.exec("cli", RUN, CHECK_NRPE.toString(), "-4", "-H", DIRECTOR_CLIENT_IP, "-p", Integer.toString(PORT),
                "-t", "30", "-c", command);
    }

    private static String nrpeLog() {
        try {
            Path log = work.resolve("nrpe.log");
            List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of("(no nrpe.log)");
            return "--- nrpe.log (tail)\n" + String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(nrpe.log unreadable: " + e + ")";
        }
    }

    private static int uid(String user) {
        Lab.Result r = Lab.run(RUN, List.of("id", "-u", user));
        assertEquals(0, r.exitCode(), r.describe());
        return Integer.parseInt(r.stdout().strip());
    }

    private static int effectiveUid(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        return fail("no Uid line for pid " + pid);
    }
}
