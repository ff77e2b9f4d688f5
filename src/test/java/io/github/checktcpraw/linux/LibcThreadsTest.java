package io.github.checktcpraw.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * A resident checker's threads come and go (pool threads expire, a watch thread per cancel), and every
 * one that calls the C library gets a place for its errno: it must go with the thread.
 */
class LibcThreadsTest {

    private static final int THREADS = 100_000;
    private static final Pattern OTHER = Pattern.compile("Other \\(reserved=(\\d+)KB");

    /** Native Memory Tracking counts what arenas allocate (as Other), in a JVM of its own started with it on. */
    @Test
    void aHundredThousandThreadsThatCallTheCLibraryLeaveNoNativeMemoryBehind() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process probe = new ProcessBuilder(java.toString(), "-XX:NativeMemoryTracking=summary", "-Xmx64m",
                "--enable-native-access=ALL-UNNAMED", "-cp", "target/classes" + ":" + "target/test-classes",
                Probe.class.getName()).redirectErrorStream(true).start();
        probe.getOutputStream().close();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, probe.exitValue(), out);
        Matcher growth = Pattern.compile("grew by (-?\\d+) KB").matcher(out);
        assertTrue(growth.find(), out);
        System.out.println("FIGURE libc-threads: " + out.strip());
        assertTrue(Long.parseLong(growth.group(1)) < 100, out);
    }

    /** Starts the threads, each calling getppid(2), and says how much Other grew once they are gone. */
    static final class Probe {
        public static void main(String[] args) throws Exception {
            Libc.getppid();
            long before = other();
            for (int started = 0; started < THREADS; started += 1000) {
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    // One in ten a platform thread, as the connection threads are; the rest virtual, as the watch threads.
                    threads.add(i % 10 == 0 ? Thread.ofPlatform().start(Libc::getppid) : Thread.ofVirtual().start(Libc::getppid));
                }
                for (Thread thread : threads) {
                    thread.join();
                }
            }
            long after = other();
            // Memory that dead threads held goes after a collection, on the cleaner's thread: bounded, not timed.
            for (int collection = 0; collection < 50 && after - before >= 100; collection++) {
                System.gc();
                Thread.sleep(20);
                after = other();
            }
            System.out.println(THREADS + " threads: Other " + before + " KB before, " + after + " KB after: grew by "
                    + (after - before) + " KB");
        }

        private static long other() throws Exception {
            String summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
            Matcher other = OTHER.matcher(summary);
            if (!other.find()) {
                throw new IllegalStateException("no Other in " + summary);
            }
            return Long.parseLong(other.group(1));
        }
    }
}
