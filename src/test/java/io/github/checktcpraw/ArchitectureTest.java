package io.github.checktcpraw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture as jdeps sees it in the compiled classes: a pure core (check, packet) that uses
 * nothing but itself and the language's own packages, the service conversations beside it (the core
 * and the JDK's TLS, nothing of the shell), native code in one package, and no cycle between packages.
 */
class ArchitectureTest {

    private static final String BASE = "io.github.checktcpraw";
    private static final Set<String> CORE = Set.of(BASE + ".check", BASE + ".packet");
    /**
     * java.lang and java.util with their subpackages (java.lang.invoke and java.lang.runtime hold the
     * bootstraps of string concatenation and records' methods) but for java.lang.foreign.
     */
    private static boolean language(String name) {
        return (name.equals("java.lang") || name.startsWith("java.lang.") || name.equals("java.util")
                || name.startsWith("java.util.")) && !name.equals("java.lang.foreign");
    }
    /** What the core may name beyond the language: a channel's failures, and nothing else of java.io. */
    private static final Set<String> CORE_EXTRAS = Set.of("java.io.IOException", "java.time.Duration");

    private static Map<String, Set<String>> packageDependencies;
    private static List<String[]> classDependencies;

    @BeforeAll
    static void runJdeps() {
        Optional<ToolProvider> jdeps = ToolProvider.findFirst("jdeps");
        Assumptions.assumeTrue(jdeps.isPresent(), "needs jdeps (a JDK, not a JRE)");
        Path classes = Path.of("target/classes");
        Assumptions.assumeTrue(Files.isDirectory(classes), "needs the compiled classes in target/classes");
        packageDependencies = new TreeMap<>();
        for (String[] edge : edges(jdeps.get(), "-verbose:package", classes)) {
            packageDependencies.computeIfAbsent(edge[0], k -> new TreeSet<>()).add(edge[1]);
        }
        classDependencies = edges(jdeps.get(), "-verbose:class", classes);
    }

    @Test
    void theCoreUsesOnlyItselfAndTheLanguage() {
        for (String core : CORE) {
            Set<String> outside = new TreeSet<>(packageDependencies.getOrDefault(core, Set.of()));
            outside.removeAll(CORE);
            outside.removeIf(ArchitectureTest::language);
            outside.removeIf(p -> p.equals("java.io") || p.equals("java.time")); // checked class by class below
            assertEquals(Set.of(), outside, core + " depends on more than the core and the language");
        }
        for (String[] edge : classDependencies) {
            String target = edge[1];
            boolean fromCore = CORE.contains(packageOf(edge[0]));
            if (fromCore && (target.startsWith("java.io.") || target.startsWith("java.time."))) {
                assertTrue(CORE_EXTRAS.contains(target), edge[0] + " uses " + target);
            }
        }
    }

    /**
     * The conversations with a service only read and write bytes: they know the check's
     * {@code Conversation} and the JDK's TLS, and neither the shell, the command line, the reports nor
     * any I/O of their own; and the check never names them.
     */
    @Test
    void theServicePackageTalksThroughTheCheckAndDoesNoIo() {
        String service = BASE + ".service";
        Set<String> allowed = Set.of(service, BASE + ".check", "java.nio", "java.nio.charset", "java.security",
                "java.security.cert", "javax.net.ssl", "javax.security.auth.x500");
        Set<String> outside = new TreeSet<>(packageDependencies.getOrDefault(service, Set.of()));
        outside.removeIf(p -> language(p) || allowed.contains(p));
        assertEquals(Set.of(), outside, service + " depends on more than the check, the language and TLS");
        for (String[] edge : classDependencies) {
            boolean io = edge[1].startsWith("java.io.") || edge[1].startsWith("java.nio.file.")
                    || edge[1].startsWith("java.nio.channels.") || edge[1].startsWith("java.net.");
            assertTrue(!packageOf(edge[0]).equals(service) || !io, edge[0] + " uses " + edge[1]);
        }
        for (Map.Entry<String, Set<String>> entry : packageDependencies.entrySet()) {
            if (CORE.contains(entry.getKey())) {
                assertTrue(!entry.getValue().contains(service), entry.getKey() + " depends on the service package");
            }
        }
    }

    @Test
    void onlyTheLinuxPackageIsNative() {
        for (Map.Entry<String, Set<String>> entry : packageDependencies.entrySet()) {
            if (!entry.getKey().equals(BASE + ".linux")) {
                assertTrue(!entry.getValue().contains("java.lang.foreign"), entry.getKey() + " uses java.lang.foreign");
            }
        }
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        for (String start : packageDependencies.keySet()) {
            List<String> cycle = cycleFrom(start, start, new ArrayList<>(List.of(start)), new HashSet<>());
            assertEquals(List.of(), cycle, "a cycle between packages");
        }
    }

    private static List<String> cycleFrom(String start, String at, List<String> path, Set<String> seen) {
        for (String next : packageDependencies.getOrDefault(at, Set.of())) {
            if (!next.startsWith(BASE) || next.equals(at)) {
                continue;
            }
            if (next.equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(next);
                return cycle;
            }
            if (seen.add(next)) {
                path.add(next);
                List<String> found = cycleFrom(start, next, path, seen);
                if (!found.isEmpty()) {
                    return found;
                }
                path.removeLast();
            }
        }
        return List.of();
    }

    /** jdeps' "from -> to" lines, without the JDK's own classes as sources. */
    private static List<String[]> edges(ToolProvider jdeps, String verbosity, Path classes) {
        StringWriter out = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), verbosity, "-filter:none",
                "--ignore-missing-deps", classes.toString());
        assertEquals(0, status, out.toString());
        List<String[]> edges = new ArrayList<>();
        for (String line : out.toString().lines().toList()) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 3 && fields[1].equals("->") && fields[0].startsWith(BASE)) {
                edges.add(new String[] {fields[0], fields[2]});
            }
        }
        assertTrue(!edges.isEmpty(), "jdeps printed no dependencies:\n" + out);
        return edges;
    }

    private static String packageOf(String className) {
        int dot = className.lastIndexOf('.');
        String name = className.substring(0, dot);
        // A nested class's outer class is not a package.
        while (!name.equals(BASE) && Character.isUpperCase(name.charAt(name.lastIndexOf('.') + 1))) {
            name = name.substring(0, name.lastIndexOf('.'));
        }
        return name;
    }
}
