package io.github.checktcpraw.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.github.checktcpraw.lab.CheckRecords.CheckResult;

/**
 * One Icinga 2 instance of Debian's icinga2 in a directory of its own: every path constant (DataDir,
 * LogDir, CacheDir, SpoolDir, InitRunDir, ZonesDir) is overridden with {@code -DConfiguration.*}, so
 * /etc/icinga2 and /var/lib/icinga2 are never read or written and the system service is never touched.
 * It runs as root ({@code RunAsUser=root}), so the directory needs no ownership games.
 */
final class Icinga2 {

    static final Path BINARY = Path.of("/usr/sbin/icinga2");
    private static final Pattern ROTATED = Pattern.compile("service-perfdata\\.(\\d+)");

    private final Path root;

    private Icinga2(Path root) {
        this.root = root;
    }

    /** An instance rooted at {@code root}, with etc, data, log, cache, spool and run made there. */
    static Icinga2 in(Path root) throws IOException {
        for (String dir : List.of("etc/zones.d", "data", "log", "cache", "spool", "run", "perfdata")) {
            Files.createDirectories(root.resolve(dir));
        }
        return new Icinga2(root);
    }

    Path root() {
        return root;
    }

    Path etc() {
        return root.resolve("etc");
    }

    Path data() {
        return root.resolve("data");
    }

    /** Where the configurations of the tests put their FileLogger ({@code LogDir + "/icinga2.log"}). */
    Path log() {
        return root.resolve("log/icinga2.log");
    }

    /** {@code icinga2 daemon [-C] -c conf} with this instance's paths. */
    List<String> daemon(Path conf, boolean validateOnly) {
        List<String> cmd = new ArrayList<>(List.of("daemon", "-c", conf.toString()));
        if (validateOnly) {
            cmd.add("-C");
        }
        return command(cmd.toArray(String[]::new));
    }

    /** {@code icinga2 args...} (a CLI command such as {@code pki new-ca}) with this instance's paths. */
    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY.toString());
        cmd.addAll(List.of(args));
        Map<String, String> constants = new LinkedHashMap<>();
        constants.put("DataDir", data().toString());
        constants.put("LogDir", root.resolve("log").toString());
        constants.put("CacheDir", root.resolve("cache").toString());
        constants.put("SpoolDir", root.resolve("spool").toString());
        constants.put("InitRunDir", root.resolve("run").toString());
        constants.put("ZonesDir", etc().resolve("zones.d").toString());
        constants.put("RunAsUser", "root");
        constants.put("RunAsGroup", "root");
        constants.forEach((key, value) -> cmd.add("-DConfiguration." + key + "=" + value));
        return cmd;
    }

    /**
     * A {@code PerfdataWriter} that writes a {@link CheckRecords} record for every service check result
     * to {@code perfdata/}. Lines go to a temporary file that is renamed to
     * {@code service-perfdata.<timestamp>} every 2 s (so two rotations never share a name); {@link #results()}
     * reads only renamed files, which are complete.
     */
    String perfdataWriter() {
        String dir = string(root.resolve("perfdata"));
        return """
                object PerfdataWriter "results" {
                  service_perfdata_path = @DIR@ + "/service-perfdata"
                  service_temp_path = @DIR@ + "/service-perfdata.tmp"
                  host_perfdata_path = @DIR@ + "/host-perfdata"
                  host_temp_path = @DIR@ + "/host-perfdata.tmp"
                  /* Delimited records: a plugin's output may span lines (Icinga appends its stderr). */
                  service_format_template = "@TEMPLATE@"
                  host_format_template = "$host.name$\\t$host.state$"
                  rotation_interval = 2s
                }
                """.replace("@DIR@", dir).replace("@TEMPLATE@", CheckRecords.ICINGA_TEMPLATE);
    }

    /** Every check result in the rotated perfdata files, per host!service, oldest first. */
    Map<String, List<CheckResult>> results() {
        List<Path> files;
        try (Stream<Path> s = Files.list(root.resolve("perfdata"))) {
            files = s.filter(p -> ROTATED.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(Icinga2::rotationTime))
                    .toList();
            Map<String, List<CheckResult>> results = new LinkedHashMap<>();
            for (Path file : files) {
                CheckRecords.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), results);
            }
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root.resolve("perfdata"), e);
        }
    }

    private static long rotationTime(Path file) {
        Matcher m = ROTATED.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : 0;
    }

    /** The tails of the daemon's own output ({@code log/daemon.out}) and of its log, for assertion messages. */
    String diagnostics() {
        return Daemon.tail(root.resolve("log/daemon.out"), 30) + Daemon.tail(log(), 40);
    }

    /** The first 20 "Running command" lines of an Icinga log, for assertion messages. */
    static String runningCommands(String log) {
        StringBuilder sb = new StringBuilder();
        log.lines().filter(l -> l.contains("Running command")).limit(20).forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }

    /** A double-quoted Icinga 2 string literal. */
    static String string(Object value) {
        return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
