package io.github.checktcpraw.lab;

import static io.github.checktcpraw.lab.Lab.RS1_IP;
import static io.github.checktcpraw.lab.Lab.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The reported handshake latency is the wire's: it agrees with what tcpdump on the director's
 * interface saw between our SYN and the real server's SYN/ACK, within 0.2 ms.
 */
class LatencyAccuracyIT extends OneLabPerClass {

    private static final Pattern TIME = Pattern.compile("\\| time=(\\d+\\.\\d{6})s");
    private static final Pattern STAMP = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{6}) ");
    private static final long TOLERANCE_MICROS = 200;
    private static final int RUNS = 5;

    @Test
    void handshakeLatencyMatchesTcpdumpWithinAFifthOfAMillisecond() {
        for (int run = 0; run < RUNS; run++) {
            Lab.Result[] ran = new Lab.Result[1];
            List<String> wire = lab.captureWhile("dir", "tcp port 80 and host " + VIP,
                    () -> ran[0] = lab.plugin(Duration.ofSeconds(30), "eth0", RS1_IP, VIP, "80"));

            Lab.Result result = ran[0];
            assertEquals(0, result.exitCode(), result.describe());
            Matcher reported = TIME.matcher(result.stdout());
            assertTrue(reported.find(), result.stdout());
            long pluginMicros = Math.round(Double.parseDouble(reported.group(1)) * 1_000_000);
            long tcpdumpMicros = between(wire, "S", "S.");
            System.out.println("FIGURE latency: plugin " + pluginMicros + " us, tcpdump " + tcpdumpMicros + " us");
            assertTrue(Math.abs(pluginMicros - tcpdumpMicros) <= TOLERANCE_MICROS,
                    "plugin " + pluginMicros + " us vs tcpdump " + tcpdumpMicros + " us:\n" + String.join("\n", wire));
        }
    }

    /** Microseconds from the first frame with flags {@code from} to the first with flags {@code to}. */
    private static long between(List<String> wire, String from, String to) {
        LocalTime start = null;
        for (String line : wire) {
            Optional<String> flags = Wire.flags(line);
            Matcher stamp = STAMP.matcher(line);
            if (flags.isEmpty() || !stamp.find()) {
                continue;
            }
            LocalTime at = LocalTime.parse(stamp.group(1));
            if (start == null && flags.get().equals(from)) {
                start = at;
            } else if (start != null && flags.get().equals(to)) {
                return Duration.between(start, at).toNanos() / 1000;
            }
        }
        throw new AssertionError("no " + from + " then " + to + " in:\n" + String.join("\n", wire));
    }
}
