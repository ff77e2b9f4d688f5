package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.CLIENT_IP;
import static io.github.checktcpraw.lab.Lab.DIRECTOR_CLIENT_IP;
import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.checktcpraw.lab.CheckRecords.CheckResult;

/**
 * Distributed Icinga 2 as {@code icinga-commands/icinga2-distributed.conf} describes it: a master in the
 * lab's client namespace (203.0.113.20) schedules {@code tcp_raw_sudo} with a {@code command_endpoint},
 * an agent in the director's namespace (203.0.113.10) runs it, and the master judges the good real
 * server OK and the misconfigured one CRITICAL.
 *
 * <p>Two icinga2 daemons, each with directories of its own ({@link Icinga2}), joined with Icinga's own
 * PKI over the lab's network: the master gets a CA and a certificate ({@code pki new-ca},
 * {@code pki new-cert}, {@code pki sign-csr}: what {@code node setup --master} does), the agent a key
 * and a self-signed certificate, saves the master's certificate ({@code pki save-cert}) and has its own
 * signed with a ticket the master generated ({@code pki request}). The three parts of the shipped file
 * are used as shipped, with only the example's addresses, the host check and the role file replaced by
 * the lab's (each replacement must find its text). Results come from the master's PerfdataWriter.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IcingaDistributedIT extends OneLabPerClass {

    private static final String MASTER = "master1.example.com";
    private static final String AGENT = "director1.example.com";
    private static final String SALT = "lab-ticket-salt";
    private static final int API_PORT = 5665;
    private static final Duration RUN = Duration.ofSeconds(60);
    private static final Duration LISTEN_WAIT = Duration.ofSeconds(30);
    /** Bound for the master to deliver the results asserted on (the example's intervals: 10 s, retry 5 s). */
    private static final Duration RESULT_WAIT = Duration.ofSeconds(120);
    private static final Duration STOP_WAIT = Duration.ofSeconds(20);
    private static final int RESULTS_PER_SERVICE = 2;
    private static final String GOOD = "web1!lvs-http";
    private static final String BAD = "web2!lvs-http";
    private static final Pattern PART = Pattern.compile("(?m)^/\\* == (.+) == \\*/$");

    @TempDir
    static Path work;
    private static Icinga2 master;
    private static Icinga2 agent;

    @BeforeAll
    static void setUp() throws IOException {
        Lab.requireCommand("icinga2", "icinga2");
        master = Icinga2.in(work.resolve("master"));
        agent = Icinga2.in(work.resolve("agent"));
        Files.createDirectories(work.resolve("plugins"));
        Files.createSymbolicLink(work.resolve("plugins/check_tcp_raw"), lab.pluginWrapper());
    }

    @Test
    void theMasterSeesTheAgentsResultsOkForTheGoodRealServerAndCriticalForTheMisconfiguredOne() throws IOException {
        Map<String, String> parts = shippedParts();
        Path masterConf = writeMasterConfig(parts);
        Path agentConf = writeAgentConfig(parts);
        masterPki(); // an ApiListener does not validate without its certificate
        assertValid(master, masterConf);

        Lab.Result good = lab.plugin(RUN, "-t", "500", "-W", "50", "-C", "200", "eth0", RS1_IP, VIP, "80");
        Lab.Result bad = lab.plugin(RUN, "-t", "500", "-W", "50", "-C", "200", "eth0", RS2_IP, VIP, "80");
        assertEquals(0, good.exitCode(), good.describe());
        assertEquals(2, bad.exitCode(), bad.describe());

        Map<String, List<CheckResult>> results;
        List<ProcessHandle> leftovers = new ArrayList<>();
        Process masterDaemon = lab.start("cli", master.root().resolve("log/daemon.out"),
                master.daemon(masterConf, false).toArray(String[]::new));
        Process agentDaemon = null;
        try {
            // ss shows Icinga's default listener, [::] with IPv4 mapped, as *.
            assertTrue(Daemon.awaitListening(lab, "cli", "*", API_PORT, masterDaemon, LISTEN_WAIT),
                    "the master's API not listening\n" + master.diagnostics());
            agentJoins();
            assertValid(agent, agentConf);
            agentDaemon = lab.start("dir", agent.root().resolve("log/daemon.out"),
                    agent.daemon(agentConf, false).toArray(String[]::new));
            results = awaitResults(masterDaemon);
        } finally {
            if (agentDaemon != null) {
                leftovers.addAll(Daemon.stop(agentDaemon, STOP_WAIT));
            }
            leftovers.addAll(Daemon.stop(masterDaemon, STOP_WAIT));
        }
        assertEquals(List.of(), leftovers, "icinga2 processes still running after stop");

        CheckRecords.assertLikePlugin(fromAgent(results.get(GOOD)), "OK", 0, good.stdout());
        CheckRecords.assertLikePlugin(fromAgent(results.get(BAD)), "CRITICAL", 2, bad.stdout());

        // The agent ran the plugin; the master, which has no plugin at its PluginDir, never did.
        String plugin = "'" + work.resolve("plugins/check_tcp_raw") + "'";
        String agentLog = Files.readString(agent.log());
        String masterLog = Files.readString(master.log());
        for (String realServer : List.of(RS1_IP, RS2_IP)) {
            String operands = "'eth0' '" + realServer + "' '" + VIP + "' '80': PID";
            String line = agentLog.lines().filter(l -> l.contains("Running command '/usr/bin/sudo' '-n' " + plugin)
                            && l.contains(operands)).findFirst()
                    .orElseThrow(() -> new AssertionError(operands + " not run by the agent:\n" + Icinga2.runningCommands(agentLog)));
            for (String pair : List.of("'--timeout' '500'", "'--warning' '50'", "'--critical' '200'")) {
                assertTrue(line.contains(pair), pair + " in " + line);
            }
        }
        assertFalse(masterLog.contains("check_tcp_raw"), "the master ran the plugin itself:\n" + Icinga2.runningCommands(masterLog));
        assertTrue(masterLog.contains("Finished syncing endpoint '" + AGENT + "'"), master.diagnostics());
    }

    // ------------------------------------------------------------------------------------ config

    /** The shipped file's parts by heading: zones.conf, the director's api.conf, the master's zones.d file. */
    private static Map<String, String> shippedParts() throws IOException {
        String text = Files.readString(lab.repoRoot().resolve("icinga-commands/icinga2-distributed.conf"));
        Map<String, String> replace = new LinkedHashMap<>();
        replace.put("\"10.0.0.5\"", "\"" + CLIENT_IP + "\"");
        replace.put("\"10.0.0.21\"", "\"" + DIRECTOR_CLIENT_IP + "\"");
        replace.put("\"10.0.0.42\"", "\"" + RS1_IP + "\"");
        replace.put("\"10.0.0.43\"", "\"" + RS2_IP + "\"");
        replace.put("\"10.0.0.100\"", "\"" + VIP + "\"");
        replace.put("check_command = \"hostalive\"", "check_command = \"dummy\""); // the master has no route to them
        for (Map.Entry<String, String> e : replace.entrySet()) {
            assertTrue(text.contains(e.getKey()), "icinga-commands/icinga2-distributed.conf no longer contains " + e.getKey());
            text = text.replace(e.getKey(), e.getValue());
        }
        Map<String, String> parts = new LinkedHashMap<>();
        Matcher m = PART.matcher(text);
        String heading = null;
        int from = 0;
        while (m.find()) {
            if (heading != null) {
                parts.put(heading, text.substring(from, m.start()));
            }
            heading = m.group(1);
            from = m.end();
        }
        if (heading != null) {
            parts.put(heading, text.substring(from));
        }
        assertEquals(List.of("zones.conf, the same on the master and on the director",
                        "the director: features-enabled/api.conf",
                        "the master: zones.d/master/lvs.conf (objects with a command_endpoint must be in a zone)"),
                List.copyOf(parts.keySet()), "the parts of icinga-commands/icinga2-distributed.conf");
        return parts;
    }

    private static String part(Map<String, String> parts, String headingStart) {
        return parts.entrySet().stream().filter(e -> e.getKey().startsWith(headingStart)).map(Map.Entry::getValue)
                .findFirst().orElseThrow();
    }

    private static Path writeMasterConfig(Map<String, String> parts) throws IOException {
        Files.writeString(Files.createDirectories(master.etc().resolve("zones.d/master")).resolve("lvs.conf"),
                part(parts, "the master:"));
        Path zones = Files.writeString(master.etc().resolve("zones.conf"), part(parts, "zones.conf"));
        return Files.writeString(master.etc().resolve("icinga2.conf"), """
                /* IcingaDistributedIT master: the api feature as node setup --master writes it */
                const NodeName = @MASTER@
                const ZoneName = "master"
                const TicketSalt = @SALT@
                const PluginDir = "/usr/lib/nagios/plugins"
                include <itl>
                include @SHIPPED@
                include @ZONES@
                object IcingaApplication "app" { }
                object CheckerComponent "checker" { }
                object FileLogger "main-log" {
                  severity = "notice"
                  path = LogDir + "/icinga2.log"
                }
                object ApiListener "api" {
                  ticket_salt = TicketSalt
                }
                @WRITER@
                """.replace("@MASTER@", Icinga2.string(MASTER)).replace("@SALT@", Icinga2.string(SALT))
                .replace("@SHIPPED@", Icinga2.string(lab.repoRoot().resolve("icinga-commands/check_tcp_raw.conf")))
                .replace("@ZONES@", Icinga2.string(zones)).replace("@WRITER@", master.perfdataWriter()));
    }

    private static Path writeAgentConfig(Map<String, String> parts) throws IOException {
        Path zones = Files.writeString(agent.etc().resolve("zones.conf"), part(parts, "zones.conf"));
        Path api = Files.writeString(agent.etc().resolve("api.conf"), part(parts, "the director:"));
        return Files.writeString(agent.etc().resolve("icinga2.conf"), """
                /* IcingaDistributedIT agent: no checker, no objects of its own; it runs what the master sends */
                const NodeName = @AGENT@
                const ZoneName = @AGENT@
                const PluginDir = @PLUGINS@
                include <itl>
                include @SHIPPED@
                include @ZONES@
                include @API@
                object IcingaApplication "app" { }
                object FileLogger "main-log" {
                  severity = "notice"   /* notice logs every "Running command" with its arguments */
                  path = LogDir + "/icinga2.log"
                }
                """.replace("@AGENT@", Icinga2.string(AGENT)).replace("@PLUGINS@", Icinga2.string(work.resolve("plugins")))
                .replace("@SHIPPED@", Icinga2.string(lab.repoRoot().resolve("icinga-commands/check_tcp_raw.conf")))
                .replace("@ZONES@", Icinga2.string(zones)).replace("@API@", Icinga2.string(api)));
    }

    private static void assertValid(Icinga2 node, Path conf) {
        Lab.Result validation = Lab.run(RUN, node.daemon(conf, true));
        assertEquals(0, validation.exitCode(), "icinga2 daemon -C, " + node.root() + ": " + validation.describe());
    }

    // ------------------------------------------------------------------------------------ PKI

    /** The master's CA and its own certificate, signed by it, where its ApiListener looks for them. */
    private static void masterPki() throws IOException {
        Path certs = Files.createDirectories(master.data().resolve("certs"));
        String key = certs.resolve(MASTER + ".key").toString();
        String csr = certs.resolve(MASTER + ".csr").toString();
        pki(master, null, "pki", "new-ca");
        pki(master, null, "pki", "new-cert", "--cn", MASTER, "--key", key, "--csr", csr);
        pki(master, null, "pki", "sign-csr", "--csr", csr, "--cert", certs.resolve(MASTER + ".crt").toString());
        Files.copy(master.data().resolve("ca/ca.crt"), certs.resolve("ca.crt"));
    }

    /** The agent's key and certificate, signed by the master's CA through a ticket request over the lab's network. */
    private static void agentJoins() throws IOException {
        Path certs = Files.createDirectories(agent.data().resolve("certs"));
        String key = certs.resolve(AGENT + ".key").toString();
        String cert = certs.resolve(AGENT + ".crt").toString();
        String trusted = certs.resolve("trusted-parent.crt").toString();
        String host = CLIENT_IP;
        String port = Integer.toString(API_PORT);
        pki(agent, "dir", "pki", "new-cert", "--cn", AGENT, "--key", key, "--cert", cert);
        pki(agent, "dir", "pki", "save-cert", "--host", host, "--port", port, "--trustedcert", trusted);
        String ticket = pki(master, "cli", "pki", "ticket", "--cn", AGENT, "--salt", SALT).stdout().strip();
        assertTrue(ticket.matches("[0-9a-f]{40}"), "a ticket: " + ticket);
        pki(agent, "dir", "pki", "request", "--host", host, "--port", port, "--ticket", ticket, "--key", key,
                "--cert", cert, "--trustedcert", trusted, "--ca", certs.resolve("ca.crt").toString());
        Lab.Result verify = Lab.run(RUN, agent.command("pki", "verify", "--cn", AGENT, "--cert", cert,
                "--cacert", certs.resolve("ca.crt").toString()));
        assertEquals(0, verify.exitCode(), "the agent's certificate is signed by the master's CA: " + verify.describe());
    }

    /** An icinga2 CLI command of a node, in a role's namespace (or this JVM's when {@code role} is null). */
    private static Lab.Result pki(Icinga2 node, String role, String... args) {
        List<String> cmd = node.command(args);
        Lab.Result r = role == null ? Lab.run(RUN, cmd) : lab.exec(role, RUN, cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.describe());
        return r;
    }

    // ----------------------------------------------------------------------------------- results

    /** Waits (at most {@link #RESULT_WAIT}) until the master has {@link #RESULTS_PER_SERVICE} agent results per service. */
    private static Map<String, List<CheckResult>> awaitResults(Process masterDaemon) {
        Optional<Map<String, List<CheckResult>>> done = Daemon.await(masterDaemon, RESULT_WAIT, () -> {
            Map<String, List<CheckResult>> results = master.results();
            return List.of(GOOD, BAD).stream()
                    .allMatch(s -> fromAgent(results.getOrDefault(s, List.of())).size() >= RESULTS_PER_SERVICE)
                    ? Optional.of(results) : Optional.empty();
        });
        return done.orElseGet(() -> fail("not " + RESULTS_PER_SERVICE + " results per service from the agent within "
                + RESULT_WAIT.toSeconds() + " s: " + master.results() + "\n" + master.diagnostics() + agent.diagnostics()));
    }

    /** The results the agent delivered: without those the master made up before it was connected. */
    private static List<CheckResult> fromAgent(List<CheckResult> results) {
        return results.stream().filter(r -> !r.output().contains("is not connected")).toList();
    }
}
