package io.github.checktcpraw.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * nftables tables loaded into one lab namespace for the length of a test: {@link #load} applies a
 * ruleset ({@code nft -f}), {@link #droppedPackets} reads its counters, {@link #close} deletes
 * every table the ruleset declared. The tables die with the namespace anyway; closing them keeps
 * one test's rules from leaking into the next test of the same lab.
 *
 * <pre>{@code
 * try (NftTables loss = NftTables.load(lab, "rs1", "table inet qaloss { ... }")) { ... }
 * }</pre>
 */
final class NftTables implements AutoCloseable {

    private static final Duration NFT = Duration.ofSeconds(10);
    private static final Pattern TABLE = Pattern.compile("(?m)^\\s*table\\s+(\\w+)\\s+(\\w+)\\s*\\{");
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes \\d+");

    private final Lab lab;
    private final String role;
    /** "family name" of each table the ruleset declared, e.g. "inet qaloss". */
    private final List<String> tables;
    private boolean closed;

    /**
     * Makes rs1 never send a FIN from {@code port} (for the class's lab, for good): a clean close there
     * then waits until something else ends it, a signal or a timeout.
     */
    static void dropFinsFrom(Lab lab, int port) {
        Lab.Result nft = lab.exec("rs1", NFT, "nft", "add table inet nofin ; "
                + "add chain inet nofin out { type filter hook output priority 0 ; } ; "
                + "add rule inet nofin out tcp sport " + port + " tcp flags & fin == fin drop");
        if (nft.exitCode() != 0) {
            throw new IllegalStateException("cannot drop rs1's FINs: " + nft.describe());
        }
    }

    private NftTables(Lab lab, String role, List<String> tables) {
        this.lab = lab;
        this.role = role;
        this.tables = tables;
    }

    /** Whether the nft binary exists (scripts/install-deps installs it with the lab's tools). */
    static boolean available() {
        return Files.isExecutable(Path.of("/usr/sbin/nft")) || Files.isExecutable(Path.of("/sbin/nft"));
    }

    /** Applies {@code ruleset} (nft -f syntax, whole tables) in a role's namespace. */
    static NftTables load(Lab lab, String role, String ruleset) {
        List<String> tables = new ArrayList<>();
        Matcher m = TABLE.matcher(ruleset);
        while (m.find()) {
            tables.add(m.group(1) + " " + m.group(2));
        }
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("the ruleset declares no table: " + ruleset);
        }
        Path file;
        try {
            // The lab's state directory dies with the lab, so the file needs no cleanup of its own.
            file = Files.createTempFile(lab.stateDir(), "nft-" + role + "-", ".nft");
            Files.writeString(file, ruleset);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the nft ruleset for " + role, e);
        }
        Lab.Result r = lab.exec(role, NFT, "nft", "-f", file.toString());
        if (r.exitCode() != 0) {
            throw new IllegalStateException("nft -f in " + lab.namespace(role) + " failed: " + r.describe()
                    + "\nruleset:\n" + ruleset);
        }
        return new NftTables(lab, role, List.copyOf(tables));
    }

    /** The sum of the packet counters of one table ({@code family name}, e.g. {@code "inet qaloss"}). */
    long droppedPackets(String table) {
        if (!tables.contains(table)) {
            throw new IllegalArgumentException("not one of ours: " + table + " (ours: " + tables + ")");
        }
        String[] familyAndName = table.split(" ");
        Lab.Result r = lab.exec(role, NFT, "nft", "list", "table", familyAndName[0], familyAndName[1]);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("nft list table " + table + " failed: " + r.describe());
        }
        long sum = 0;
        Matcher m = COUNTER.matcher(r.stdout());
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    /** Deletes the tables; idempotent. A table already gone (the lab torn down) is no error. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Lab.existingNamespaces(lab.prefix()).contains(lab.namespace(role))) {
            for (String table : tables) {
                String[] familyAndName = table.split(" ");
                lab.exec(role, NFT, "nft", "delete", "table", familyAndName[0], familyAndName[1]);
            }
        }
    }
}
