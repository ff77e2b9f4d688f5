package io.github.checktcpraw.lab;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading the lines tcpdump prints ({@link Lab#capture}): the TCP flags of each segment, as tcpdump
 * writes them ({@code "S"}, {@code "S."}, {@code "."}, {@code "F."}, {@code "R."}).
 *
 * <pre>{@code
 * assertEquals(List.of("S", "S.", ".", "R."), Wire.flags(lines));
 * }</pre>
 */
final class Wire {

    private static final Pattern FLAGS = Pattern.compile("Flags \\[([^\\]]*)\\]");

    private Wire() {
    }

    /** The TCP flags of one line, empty when it is not a TCP segment. */
    static Optional<String> flags(String line) {
        Matcher m = FLAGS.matcher(line);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The TCP flags of every TCP segment, in order. */
    static List<String> flags(List<String> lines) {
        return flags(lines, FLAGS);
    }

    /** The TCP flags of the segments sent from one address to another (any ports), in order. */
    static List<String> flags(List<String> lines, String from, String to) {
        return flags(lines, Pattern.compile(": " + Pattern.quote(from) + "\\.\\d+ > " + Pattern.quote(to) + "\\.\\d+: "
                + FLAGS.pattern()));
    }

    private static List<String> flags(List<String> lines, Pattern segment) {
        return lines.stream().map(segment::matcher).filter(Matcher::find).map(m -> m.group(1)).toList();
    }
}
