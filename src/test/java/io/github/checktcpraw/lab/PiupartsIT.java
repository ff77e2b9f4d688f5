package io.github.checktcpraw.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * piuparts, which Debian runs on every package of its archive, on this one: in a Debian 12 chroot from
 * deb.debian.org it installs and purges the package, then installs a previous build from a local
 * repository (the built package), upgrades it to its successor (the same package as a higher version),
 * purges it, and fails on a maintainer script error or anything left behind. The base tarball is kept in
 * target/piuparts/ for the next run. Skips, saying so, when the archive cannot be reached.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class PiupartsIT {

    private static final String MIRROR = "http://deb.debian.org/debian";
    private static final String SUITE = "bookworm";
    private static final Duration REACH = Duration.ofSeconds(10);
    private static final Duration PIUPARTS = Duration.ofMinutes(15);
    private static final Duration QUICK = Duration.ofSeconds(30);
    /** A line postinst prints when it could not build the AOT cache (piuparts indents command output). */
    private static final Pattern POSTINST_NOTICE = Pattern.compile("(?m)^\\s*" + DebPackage.NAME + ": \\S");

    @Test
    void installsUpgradesFromThePreviousBuildAndPurgesWithoutATrace() throws Exception {
        Lab.requireRoot();
        Lab.requireCommand("piuparts", "piuparts");
        assumeReachable(MIRROR + "/dists/" + SUITE + "/InRelease");
        Path repo = Lab.findRepoRoot();
        Path deb = DebPackage.built(repo);
        Path work = Files.createDirectories(repo.resolve("target/piuparts"));
        Path base = work.resolve(SUITE + ".tar.gz");
        Path newBase = work.resolve(SUITE + ".tar.gz.new");
        Path previous = work.resolve("previous");
        Path chroots = work.resolve("chroots");
        Path log = work.resolve("piuparts.log");
        Path scratch = Files.createTempDirectory("piuparts-it-");
        try {
            for (Path p : List.of(previous, chroots, newBase, log)) {
                deleteIfPresent(p);
            }
            Files.createDirectories(chroots);
            // The previous build as an apt repository, which piuparts installs from before upgrading.
            Files.copy(deb, Files.createDirectories(previous).resolve(deb.getFileName()));
            DebRoot.must(Lab.run(QUICK, List.of("sh", "-c", "cd \"$1\" && dpkg-scanpackages . >Packages", "sh",
                    previous.toString())), "dpkg-scanpackages");
            String version = DebRoot.must(Lab.run(QUICK, List.of("dpkg-deb", "-f", deb.toString(), "Version")),
                    "dpkg-deb -f").stdout().strip();
            Path successor = DebPackage.repack(deb, scratch.resolve("successor"), version + "+1");

            // A private mount namespace: what piuparts mounts in its chroots dies with it, even when killed.
            List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "piuparts",
                    "--distribution=" + SUITE, "--mirror=" + MIRROR, "--tmpdir=" + chroots, "--logfile=" + log,
                    "--bindmount=" + previous, "--extra-repo=deb [trusted=yes] file://" + previous + " ./"));
            cmd.addAll(Files.isRegularFile(base) ? List.of("--basetgz=" + base) : List.of("--save=" + newBase));
            cmd.add(successor.toString());
            Lab.Result r = Lab.run(PIUPARTS, cmd);
            String output = r.stdout() + r.stderr();
            assertEquals(0, r.exitCode(), "piuparts failed (full log: " + log + "), its end:\n" + tail(output, 40));
            if (Files.isRegularFile(newBase)) {
                Files.move(newBase, base, StandardCopyOption.REPLACE_EXISTING);
            }
            assertTrue(output.contains("PASS: Installation and purging test."), "no install-purge test: " + log);
            assertTrue(output.contains("PASS: Installation, upgrade and purging tests."), "no upgrade test: " + log);
            assertFalse(POSTINST_NOTICE.matcher(output).find(), "postinst could not build the AOT cache: " + log);
            System.out.println("FIGURE piuparts: " + deb.getFileName() + " installed, upgraded from the previous build and"
                    + " purged on " + SUITE + " in " + r.elapsed().toSeconds() + " s");
        } finally {
            deleteIfPresent(chroots);
            deleteIfPresent(newBase);
            DebRoot.deleteTree(scratch);
        }
    }

    /** Skips the test, naming the address, unless it answers 200 within {@link #REACH}. */
    private static void assumeReachable(String url) throws InterruptedException {
        String failure;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(REACH).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(REACH)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
            int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            failure = status == 200 ? null : "HTTP " + status;
        } catch (IOException e) {
            failure = e.toString();
        }
        Assumptions.assumeTrue(failure == null, "needs the Debian archive, which is out of reach: " + url + ": " + failure);
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static void deleteIfPresent(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            DebRoot.deleteTree(p);
        } else {
            Files.deleteIfExists(p);
        }
    }
}
