package io.github.checktcpraw.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of {@code icinga-commands/nagios-commands.cfg}, uncommented as a user would, pass
 * {@code nagios4 -v} beside Debian's stock configuration: /etc/nagios4 is copied into a temporary
 * directory (read only, never changed) with its own paths pointed at the copy, Debian's
 * {@code illegal_object_name_chars} kept, and the shipped file and its examples added with
 * {@code cfg_file=}. No lab and no daemon: only the pre-flight check.
 */
class NagiosExamplesIT {

    private static final Path STOCK = Path.of("/etc/nagios4");

    @TempDir
    Path work;

    @Test
    void shippedExamplesPassNagiosVerifyWithDebiansStockConfiguration() throws IOException {
        Lab.requireCommand("nagios4", "nagios4-core");
        Path etc = copyOfStockConfiguration();
        String stock = Files.readString(etc.resolve("nagios.cfg"));
        String illegal = "illegal_object_name_chars=" + NagiosIT.DEBIAN_ILLEGAL_OBJECT_NAME_CHARS;
        assertTrue(stock.lines().anyMatch(illegal::equals), "Debian's nagios.cfg no longer says " + illegal + ": the test needs a look");
        Path example = Files.writeString(etc.resolve("example.cfg"), NagiosIT.uncommentedExample(Lab.findRepoRoot()));
        assertTrue(Files.readString(example).contains("define service {"), "no service in the example:\n" + Files.readString(example));
        Path conf = Files.writeString(etc.resolve("nagios.cfg"), stock.replace(STOCK.toString(), etc.toString())
                + "\n# NagiosExamplesIT: the shipped commands and their examples\n"
                + "cfg_file=" + Lab.findRepoRoot().resolve("icinga-commands/nagios-commands.cfg") + "\n"
                + "cfg_file=" + example + "\n");

        Lab.Result r = NagiosIT.verify(conf);

        NagiosIT.assertVerifiesClean(r);
        assertTrue(r.stdout().contains("Checked 2 hosts."), "the stock localhost and the example's web1: " + r.describe());
        assertEquals(List.of(), r.stdout().lines().filter(l -> l.contains("Error:") || l.contains("Warning:")).toList());
    }

    /** /etc/nagios4 copied file by file (it is small and flat: nagios.cfg, resource.cfg, objects/, conf.d/). */
    private Path copyOfStockConfiguration() throws IOException {
        // nagios4 -v drops root for nagios_user before it reads the object files: it must reach them.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path etc = Files.createDirectories(work.resolve("nagios4"));
        List<Path> files;
        try (Stream<Path> s = Files.walk(STOCK)) {
            files = s.toList();
        }
        for (Path source : files) {
            Path target = etc.resolve(STOCK.relativize(source).toString());
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return etc;
    }
}
