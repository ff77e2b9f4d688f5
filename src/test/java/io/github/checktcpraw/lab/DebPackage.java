package io.github.checktcpraw.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The .deb the package tests install: built when stale, and repacked as another version for upgrades. */
final class DebPackage {

    static final String NAME = "check-tcp-raw";
    private static final Duration BUILD = Duration.ofMinutes(4);

    private DebPackage() {
    }

    /** target/check-tcp-raw_*_amd64.deb, built by packaging/build-deb unless newer than everything in it. */
    static synchronized Path built(Path repo) throws IOException {
        Path jar = repo.resolve("target/check_tcp_raw.jar");
        assertTrue(Files.isRegularFile(jar), jar + " missing: the lab tests run after `mvn package`");
        Path deb = newestDeb(repo);
        if (deb == null || Files.getLastModifiedTime(deb).compareTo(newestInput(repo)) < 0) {
            Lab.Result build = Lab.run(BUILD, List.of("bash", repo.resolve("packaging/build-deb").toString()));
            assertEquals(0, build.exitCode(), "packaging/build-deb: " + build.describe());
            deb = newestDeb(repo);
        }
        assertTrue(deb != null && Files.isRegularFile(deb), "no target/" + NAME + "_*_amd64.deb after packaging/build-deb");
        return deb;
    }

    /** The package as another version (quickly: gzip -1), unpacked into {@code tree}, built beside it. */
    static Path repack(Path deb, Path tree, String version) throws IOException {
        DebRoot.must(Lab.run(BUILD, List.of("dpkg-deb", "-R", deb.toString(), tree.toString())), "dpkg-deb -R");
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: " + version));
        Path out = tree.resolveSibling(NAME + "_" + version + "_amd64.deb");
        DebRoot.must(Lab.run(BUILD, List.of("dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build", tree.toString(),
                out.toString())), "dpkg-deb --build " + version);
        return out;
    }

    static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new IllegalStateException("no mtime for " + p, e);
        }
    }

    private static Path newestDeb(Path repo) throws IOException {
        try (Stream<Path> s = Files.list(repo.resolve("target"))) {
            return s.filter(p -> p.getFileName().toString().matches(Pattern.quote(NAME) + "_[^_]+_amd64\\.deb"))
                    .max((a, b) -> mtime(a).compareTo(mtime(b))).orElse(null);
        }
    }

    /** The newest modification time among the package's inputs. */
    private static FileTime newestInput(Path repo) throws IOException {
        List<Path> inputs = new ArrayList<>(List.of(repo.resolve("target/check_tcp_raw.jar"), repo.resolve("README.md")));
        for (String d : List.of("debian", "packaging", "plugin-wrapper", "icinga-commands")) {
            try (Stream<Path> s = Files.walk(repo.resolve(d))) {
                s.filter(Files::isRegularFile).forEach(inputs::add);
            }
        }
        return inputs.stream().map(DebPackage::mtime).max(FileTime::compareTo).orElseThrow();
    }
}
