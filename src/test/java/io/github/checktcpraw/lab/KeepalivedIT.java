package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.RS2_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code icinga-commands/keepalived.conf}: keepalived accepts it, and its {@code MISC_CHECK}
 * command lines, run in the lab's director as keepalived would run them, give keepalived's contract
 * (exit 0 up, 1 down). keepalived's own checker cannot run them here: on a kernel without IPVS it stops
 * at start-up ("IPVS: Can't initialize ipvs"), which the last test shows, so the contract is proven by
 * exit codes.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KeepalivedIT extends OneLabPerClass {

    private static final Duration RUN = Duration.ofSeconds(60);
    private static final Pattern MISC_PATH = Pattern.compile("(?m)^\\s*misc_path \"(.*)\"$");

    @TempDir
    Path work;

    @Test
    void shippedConfigurationPassesKeepalivedsConfigTestAndABrokenCopyDoesNot() throws IOException {
        Lab.requireCommand("keepalived", "keepalived");
        Path shipped = lab.repoRoot().resolve("icinga-commands/keepalived.conf");
        Path broken = Files.writeString(work.resolve("broken.conf"), Files.readString(shipped).replace("delay_loop", "delay_lop"));

        Lab.Result ok = configTest(shipped);
        Lab.Result bad = configTest(broken);

        assertEquals(0, ok.exitCode(), ok.describe());
        assertNotEquals(0, bad.exitCode(), "the config test can fail: " + bad.describe());
        assertTrue((bad.stdout() + bad.stderr()).contains("Unknown keyword 'delay_lop'"), bad.describe());
    }

    @Test
    void shippedMiscCheckCommandsExitZeroForTheGoodRealServerAndOneForTheMisconfiguredOne() throws IOException {
        Files.writeString(work.resolve("lvs.role"), "1\n"); // MASTER, as the example's notify script writes it
        List<List<String>> commands = shippedMiscChecks();
        assertEquals(3, commands.size(), "the example's two real servers on 80 and the HTTPS one: " + commands);

        // keepalived splits misc_path on spaces and runs it without a shell, as here.
        Lab.Result good = lab.exec("dir", RUN, commands.get(0).toArray(String[]::new));
        Lab.Result bad = lab.exec("dir", RUN, commands.get(1).toArray(String[]::new));
        Lab.Result https = lab.exec("dir", RUN, commands.get(2).toArray(String[]::new));

        assertEquals(0, good.exitCode(), good.describe());
        assertEquals("", good.stdout() + good.stderr(), "nothing on stdout or stderr when up");
        assertEquals(0, https.exitCode(), "HTTPS through the VIP: " + https.describe());
        assertEquals("", https.stdout() + https.stderr());
        assertEquals(1, bad.exitCode(), bad.describe());
        assertEquals("", bad.stdout());
        assertTrue(bad.stderr().startsWith("check_tcp_raw: no SYN/ACK for VIP " + VIP + ":80"), bad.describe());
    }

    @Test
    void keepalivedsCheckerStopsOnAKernelWithoutIpvs() throws IOException {
        Lab.requireCommand("keepalived", "keepalived");
        Lab.requireCommand("unshare", "util-linux");
        Assumptions.assumeFalse(Files.exists(Path.of("/proc/net/ip_vs")), "this kernel has IPVS: keepalived's checker can run");
        Path conf = Files.writeString(work.resolve("keepalived.conf"), """
                # KeepalivedIT: one virtual server with a MISC_CHECK, nothing else (no VRRP)
                global_defs {
                    router_id lab
                }
                virtual_server %s 80 {
                    delay_loop 5
                    lb_algo wlc
                    lb_kind DR
                    protocol TCP
                    real_server %s 80 {
                        MISC_CHECK {
                            misc_path "/bin/true"
                            misc_timeout 5
                        }
                    }
                }
                """.formatted(VIP, RS1_IP));
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                // A private /run: keepalived writes pid files there by default.
                "mount -t tmpfs -o mode=0755 tmpfs /run && exec keepalived \"$@\"", "sh",
                "--dont-fork", "--log-console", "--log-detail", "-f", conf.toString()));
        cmd.addAll(pidFileOptions());

        Lab.Result r = lab.exec("dir", RUN, cmd.toArray(String[]::new));

        String log = r.stdout() + r.stderr();
        System.out.println("FIGURE keepalived: exit " + r.exitCode() + ", "
                + log.lines().filter(l -> l.contains("IPVS")).map(String::strip).toList());
        assertEquals(1, r.exitCode(), r.describe());
        assertTrue(log.contains("IPVS: Can't initialize ipvs"), r.describe());
        assertTrue(log.contains("exited with permanent error FATAL"), r.describe());
    }

    /** keepalived --config-test on a file, its pid files kept out of /run. */
    private Lab.Result configTest(Path conf) {
        List<String> cmd = new ArrayList<>(List.of("keepalived", "--config-test", "--log-console", "-f", conf.toString()));
        cmd.addAll(pidFileOptions());
        return Lab.run(RUN, cmd);
    }

    /** keepalived's options for its pid files, all in {@link #work} rather than /run. */
    private List<String> pidFileOptions() {
        return Stream.of("pid", "checkers_pid", "vrrp_pid", "bfd_pid")
                .map(name -> "--" + name + "=" + work.resolve(name + ".pid"))
                .toList();
    }

    /** The example's misc_path command lines, split on spaces, with the lab's plugin, addresses and role file. */
    private List<List<String>> shippedMiscChecks() throws IOException {
        String text = Files.readString(lab.repoRoot().resolve("icinga-commands/keepalived.conf"));
        Map<String, String> replace = new LinkedHashMap<>();
        replace.put(SudoersRule.SHIPPED_PLUGIN, lab.pluginWrapper().toString());
        replace.put("/var/run/lvs.role", work.resolve("lvs.role").toString());
        replace.put(" 10.0.0.100 ", " " + VIP + " ");
        List<List<String>> commands = new ArrayList<>();
        Matcher m = MISC_PATH.matcher(text);
        while (m.find()) {
            String line = m.group(1);
            for (Map.Entry<String, String> e : replace.entrySet()) {
                assertTrue(line.contains(e.getKey()), "misc_path no longer contains \"" + e.getKey() + "\": " + line);
                line = line.replace(e.getKey(), e.getValue());
            }
            line = line.replace(" 10.0.0.42 ", " " + RS1_IP + " ").replace(" 10.0.0.43 ", " " + RS2_IP + " ")
                    .replaceFirst(" 443$", " 8443"); // the lab's HTTPS port
            assertTrue(!line.contains("10.0.0."), "an example address the lab has no counterpart for: " + line);
            commands.add(Arrays.asList(line.split(" ")));
        }
        return commands;
    }
}
