package io.github.checktcpraw.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The AOT cache the build trained (pom.xml, execution aot-cache) works with the JVM the wrapper starts:
 * both read their options from plugin-wrapper/check_tcp_raw.jvm-options, and {@code -XX:AOTMode=on}
 * makes the JVM refuse to start unless it can use the cache. Needs no root; runs after {@code package}.
 */
class AotCacheIT {

    private static final Duration RUN = Duration.ofSeconds(30);

    @Test
    void theWrappersJvmStartsWithTheCacheTheBuildTrained() throws IOException {
        Path repo = Lab.findRepoRoot();
        Path jar = repo.resolve("target/check_tcp_raw.jar");
        Path aot = repo.resolve("target/check_tcp_raw.aot");
        assertTrue(Files.isRegularFile(aot), aot + " missing: the build trains it in the package phase");
        assertTrue(Files.getLastModifiedTime(aot).compareTo(Files.getLastModifiedTime(jar)) > 0,
                aot + " is not newer than " + jar + ": the wrapper would not use it");

        Lab.Result required = wrapper(repo, "-XX:AOTMode=on");
        assertEquals(0, required.exitCode(), "the wrapper with the AOT cache required: " + required.describe());
        assertTrue(required.stdout().startsWith("check_tcp_raw "), required.describe());

        // The control: an option the cache records, changed, and the same JVM refuses the cache.
        Lab.Result other = wrapper(repo, "-XX:AOTMode=on -XX:-UseCompressedOops");
        assertNotEquals(0, other.exitCode(), "a JVM with other options accepted the cache: " + other.describe());
        assertTrue(other.stderr().contains("Unable to use AOT cache"), other.describe());
    }

    /** plugin-wrapper/check_tcp_raw --version on this JDK, with {@code toolOptions} as JAVA_TOOL_OPTIONS. */
    private static Lab.Result wrapper(Path repo, String toolOptions) {
        return Lab.run(RUN, List.of("env", "-i", "PATH=/usr/bin:/bin", "JAVA_HOME=" + System.getProperty("java.home"),
                "JAVA_TOOL_OPTIONS=" + toolOptions, repo.resolve("plugin-wrapper/check_tcp_raw").toString(), "--version"));
    }
}
