package io.github.checktcpraw.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * debian/check-tcp-raw.service, the resident checker's unit: hardened like the packaged probes that
 * need raw sockets, in the runtime directory the wrapper looks in, and accepted by
 * {@code systemd-analyze verify}.
 */
class SystemdUnitTest {

    private static final Path UNIT = Lab.findRepoRoot().resolve("debian/check-tcp-raw.service");
    private static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for \\S+: ([0-9.]+)");

    @TempDir
    Path tmp;

    @Test
    void theUnitRunsTheWrapperAsADynamicUserWithCapNetRawAlone() throws IOException {
        List<String> lines = Files.readAllLines(UNIT);
        for (String directive : List.of("ExecStart=/usr/lib/check-tcp-raw/check_tcp_raw --serve", "DynamicUser=yes",
                "AmbientCapabilities=CAP_NET_RAW", "CapabilityBoundingSet=CAP_NET_RAW", "NoNewPrivileges=yes",
                "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                "RestrictAddressFamilies=AF_INET AF_INET6 AF_PACKET AF_UNIX AF_NETLINK")) {
            assertTrue(lines.contains(directive), "the unit lacks " + directive);
        }
        // The wrapper's default runtime directory is the one systemd makes for the unit.
        String wrapper = Files.readString(Lab.findRepoRoot().resolve("plugin-wrapper/check_tcp_raw"));
        assertTrue(lines.contains("RuntimeDirectory=check_tcp_raw"));
        assertTrue(wrapper.contains("RUNTIME_DIR=${CHECK_TCP_RAW_RUNTIME_DIR:-/run/check_tcp_raw}"));
    }

    /** With ExecStart pointed at this checkout's wrapper: verify checks that the command exists. */
    @Test
    void systemdAnalyzeVerifiesItAndRatesItsExposure() throws IOException {
        Lab.requireCommand("systemd-analyze", "systemd");
        String unit = Files.readString(UNIT).replace("ExecStart=/usr/lib/check-tcp-raw/check_tcp_raw",
                "ExecStart=" + Lab.findRepoRoot().resolve("plugin-wrapper/check_tcp_raw"));
        Path copy = Files.writeString(tmp.resolve("check-tcp-raw.service"), unit);

        Lab.Result verify = Lab.run(Duration.ofSeconds(60), List.of("systemd-analyze", "verify", copy.toString()));
        assertEquals(0, verify.exitCode(), verify.describe());
        assertEquals("", verify.stderr().strip(), verify.describe());

        Lab.Result security = Lab.run(Duration.ofSeconds(60), List.of("systemd-analyze", "security", "--offline=yes",
                copy.toString()));
        Matcher exposure = EXPOSURE.matcher(security.stdout() + security.stderr());
        assertTrue(exposure.find(), security.describe());
        System.out.println("FIGURE systemd-unit: systemd-analyze security --offline rates the unit's exposure "
                + exposure.group(1) + " (0 safest, 10 unprotected)");
        assertTrue(Double.parseDouble(exposure.group(1)) <= 4.0, security.describe());
    }
}
