package io.github.checktcpraw.cli;

import io.github.checktcpraw.check.Digits;
import io.github.checktcpraw.packet.Ipv4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.AlreadySelectedException;
import org.apache.commons.cli.AmbiguousOptionException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

/**
 * The C tool's command line ({@code [OPTION...] SOURCE_IFACE REAL_SERVER VIRTUAL_IP PORT}) plus the
 * plugin's own options, parsed once into a validated {@link CheckOptions}. Every rejection is a
 * {@link UsageException} whose message quotes the offending value.
 */
public final class ArgumentParser {

    /** Linux's IFNAMSIZ less the terminating NUL. */
    static final int MAX_INTERFACE_NAME = 15;
    /** An hour: far beyond any monitoring system's own check timeout. */
    static final long MAX_TIMEOUT_MILLIS = 3_600_000;
    static final String COMPAT = "compat";
    static final String SERVE = "serve";

    private ArgumentParser() {
    }

    public static Command parse(List<String> args) throws UsageException {
        CommandLine line;
        try {
            line = DefaultParser.builder().get().parse(options(), optionalHttpPath(args).toArray(String[]::new));
        } catch (ParseException e) {
            throw new UsageException(describe(e));
        }
        if (line.hasOption(SERVE)) {
            // main takes the one spelling that serves (asksToServe) before anything is parsed.
            throw new UsageException("--serve must be the only argument, spelled out in full");
        }
        if (line.hasOption("help") || line.hasOption("?")) {
            return new Command.PrintText(HelpText.HELP);
        }
        if (line.hasOption("usage")) {
            return new Command.PrintText(HelpText.USAGE);
        }
        if (line.hasOption("version")) {
            return new Command.PrintText(HelpText.version());
        }
        List<String> operands = line.getArgList();
        if (operands.size() != 4) {
            throw new UsageException(operands.size() < 4
                    ? "missing arguments: expected SOURCE_IFACE REAL_SERVER VIRTUAL_IP PORT, got " + operands.size()
                    : "too many arguments: expected 4 (SOURCE_IFACE REAL_SERVER VIRTUAL_IP PORT), got "
                            + operands.size() + ", starting at \"" + operands.get(4) + "\"");
        }
        Threshold warning = threshold(line, "warning");
        Threshold critical = threshold(line, "critical");
        if (warning != null && critical != null && warning.isUpperBound() && critical.isUpperBound()
                && warning.endNanos() > critical.endNanos()) {
            throw new UsageException("warning threshold " + warning.given() + " ms is above the critical threshold "
                    + critical.given() + " ms");
        }
        String roleFile = line.getOptionValue("role-file");
        String virtualIp = host("VIRTUAL_IP", operands.get(2));
        int port = port(operands.get(3));
        return new Command.RunCheck(new CheckOptions(
                interfaceName(operands.get(0)),
                host("REAL_SERVER", operands.get(1)),
                virtualIp,
                port,
                roleFile == null ? null : rolePath(roleFile),
                timeout("timeout", line.getOptionValue("timeout"), CheckOptions.DEFAULT_TIMEOUT_MILLIS),
                timeout("total timeout", line.getOptionValue("total-timeout"), CheckOptions.DEFAULT_TOTAL_TIMEOUT_MILLIS),
                vipArpWait(line),
                line.hasOption("clean-close"),
                verbosity(line),
                line.hasOption(COMPAT),
                warning,
                critical,
                ServiceParser.parse(line, virtualIp, port)));
    }

    /**
     * {@code --http[=PATH]} as GNU getopt reads an optional argument: {@code --http=PATH}, or
     * {@code --http} alone for "/". A PATH as the next word is taken too, since no operand begins with
     * "/" (Icinga and Nagios pass a key and its value as two words).
     */
    private static List<String> optionalHttpPath(List<String> args) {
        List<String> words = new ArrayList<>(args.size());
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                words.addAll(args.subList(i, args.size()));
                break;
            }
            if (arg.equals("--" + ServiceParser.HTTP)) {
                boolean path = i + 1 < args.size() && args.get(i + 1).startsWith("/");
                words.add(arg + "=" + (path ? args.get(++i) : "/"));
            } else {
                words.add(arg);
            }
        }
        return words;
    }

    /**
     * Whether the operator asked for {@code --compat}, read from the raw arguments: a command line
     * that failed to parse must still be answered in the form its caller (keepalived) understands.
     */
    public static boolean asksForCompat(List<String> args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.length() >= 4 && ("--" + COMPAT).startsWith(arg)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the command line asks for a resident checker: {@code --serve} alone, as the wrapper and the unit write it. */
    public static boolean asksToServe(List<String> args) {
        return args.size() == 1 && args.getFirst().equals("--" + SERVE);
    }

    /** How each option parses; what it means is written once, in {@link HelpText}. */
    static Options options() {
        return new Options()
                .addOption(Option.builder("c").longOpt("clean-close").get())
                .addOption(Option.builder("r").longOpt("role-file").hasArg().argName("FILE").get())
                .addOption(Option.builder("t").longOpt("timeout").hasArg().argName("MILLISECONDS").get())
                .addOption(Option.builder("T").longOpt("total-timeout").hasArg().argName("MILLISECONDS").get())
                .addOption(Option.builder().longOpt("vip-arp").get())
                .addOption(Option.builder().longOpt("vip-arp-wait").hasArg().argName("MILLISECONDS").get())
                .addOption(Option.builder("v").longOpt("verbose").get())
                .addOption(Option.builder("W").longOpt("warning").hasArg().argName("RANGE").get())
                .addOption(Option.builder("C").longOpt("critical").hasArg().argName("RANGE").get())
                .addOption(Option.builder().longOpt("send").hasArg().argName("TEXT").get())
                .addOption(Option.builder().longOpt("expect").hasArg().argName("TEXT").get())
                .addOption(Option.builder().longOpt("max-bytes").hasArg().argName("BYTES").get())
                .addOption(Option.builder().longOpt(ServiceParser.HTTP).hasArg().argName("PATH").get())
                .addOption(Option.builder().longOpt("http-host").hasArg().argName("NAME").get())
                .addOption(Option.builder().longOpt("http-status").hasArg().argName("LIST").get())
                .addOption(Option.builder().longOpt("tls").get())
                .addOption(Option.builder().longOpt("sni").hasArg().argName("NAME").get())
                .addOption(Option.builder().longOpt("cert-days").hasArg().argName("W[,C]").get())
                .addOption(Option.builder().longOpt("tls-verify").get())
                .addOption(Option.builder().longOpt(COMPAT).get())
                .addOption(Option.builder("h").longOpt("help").get())
                .addOption(Option.builder("?").get())
                .addOption(Option.builder().longOpt("usage").get())
                .addOption(Option.builder().longOpt(SERVE).get())
                .addOption(Option.builder("V").longOpt("version").get());
    }

    private static String describe(ParseException e) {
        return switch (e) {
            case AmbiguousOptionException a -> "option \"" + a.getOption() + "\" is ambiguous: it could be "
                    + String.join(", ", a.getMatchingOptions().stream().map(o -> "--" + o).toList());
            case UnrecognizedOptionException u when isNegativeNumber(u.getOption()) ->
                    "PORT \"" + u.getOption() + "\" is not a number from 1 to 65535"; // the only numeric operand
            case UnrecognizedOptionException u -> "unknown option \"" + Printable.escape(u.getOption()) + "\"";
            case MissingArgumentException m -> "option " + name(m.getOption()) + " needs a value ("
                    + m.getOption().getArgName() + ")";
            case AlreadySelectedException a -> "option " + name(a.getOption()) + " conflicts with another";
            default -> e.getMessage();
        };
    }

    private static boolean isNegativeNumber(String token) {
        return token.length() > 1 && token.charAt(0) == '-' && decimal(token.substring(1)) >= 0;
    }

    private static String name(Option option) {
        return option.getOpt() == null ? "--" + option.getLongOpt()
                : option.getLongOpt() == null ? "-" + option.getOpt()
                : "-" + option.getOpt() + "/--" + option.getLongOpt();
    }

    private static int verbosity(CommandLine line) {
        int count = 0;
        for (Option option : line.getOptions()) {
            if ("v".equals(option.getOpt())) {
                count++;
            }
        }
        return count;
    }

    private static String interfaceName(String name) throws UsageException {
        if (name.isEmpty()) {
            throw new UsageException("SOURCE_IFACE is empty");
        }
        if (name.length() > MAX_INTERFACE_NAME) {
            throw new UsageException("interface name \"" + abbreviate(name) + "\" is longer than "
                    + MAX_INTERFACE_NAME + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            // Non-ASCII too: Linux allows it, but under the C locale of sudo and cron it is no file name.
            if (c == '/' || c <= ' ' || c >= 0x7f) {
                throw new UsageException("interface name \"" + Printable.escape(name) + "\" contains '"
                        + Printable.escape(String.valueOf(c)) + "'");
            }
        }
        if (name.equals(".") || name.equals("..")) {
            throw new UsageException("interface name \"" + name + "\" is not an interface");
        }
        return name;
    }

    private static String host(String what, String host) throws UsageException {
        if (host.isBlank()) {
            throw new UsageException(what + " is empty");
        }
        if (host.length() > 253) {
            throw new UsageException(what + " \"" + abbreviate(host) + "\" is longer than a host name can be");
        }
        boolean digitsAndDots = true;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '/') {
                throw new UsageException(what + " \"" + Printable.escape(host) + "\" is not an IP address or host name");
            }
            digitsAndDots &= c == '.' || (c >= '0' && c <= '9');
        }
        // The resolver would take inet_aton's shorthands ("10.42" is 10.0.0.42) and send "300.1.2.3" to DNS.
        if (digitsAndDots && Ipv4Address.parseLiteral(host) == null) {
            throw new UsageException(what + " \"" + host + "\" is not an IPv4 address (four numbers from 0 to 255)");
        }
        if (host.indexOf(':') >= 0 && !isIpv6Literal(host)) {
            throw new UsageException(what + " \"" + Printable.escape(host) + "\" is not an IPv6 address"
                    + (host.indexOf('%') >= 0 ? " (without a zone: the interface is SOURCE_IFACE)" : ""));
        }
        return host;
    }

    private static boolean isIpv6Literal(String host) {
        if (host.indexOf('%') >= 0) {
            return false;
        }
        try {
            return InetAddress.ofLiteral(host) instanceof Inet6Address;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(String text) throws UsageException {
        long port = decimal(text);
        if (port < 1 || port > 65535) {
            throw new UsageException("PORT \"" + Printable.escape(text) + "\" is not a number from 1 to 65535");
        }
        return (int) port;
    }

    private static long timeout(String what, String text, long byDefault) throws UsageException {
        if (text == null) {
            return byDefault;
        }
        long millis = decimal(text);
        if (millis < 0 || millis > MAX_TIMEOUT_MILLIS) {
            throw new UsageException(what + " \"" + Printable.escape(text) + "\" is not a number of milliseconds from 0 to "
                    + MAX_TIMEOUT_MILLIS);
        }
        return millis;
    }

    private static long vipArpWait(CommandLine line) throws UsageException {
        String wait = line.getOptionValue("vip-arp-wait");
        if (!line.hasOption("vip-arp")) {
            if (wait != null) {
                throw new UsageException("--vip-arp-wait is for --vip-arp, which is not given");
            }
            return 0;
        }
        long millis = timeout("VIP ARP wait", wait, CheckOptions.DEFAULT_VIP_ARP_WAIT_MILLIS);
        if (millis == 0) {
            throw new UsageException("VIP ARP wait \"0\" would ask without listening: give at least 1 ms");
        }
        return millis;
    }

    private static Threshold threshold(CommandLine line, String option) throws UsageException {
        String text = line.getOptionValue(option);
        return text == null ? null : Threshold.parse(option, text);
    }

    private static Path rolePath(String text) throws UsageException {
        try {
            if (!text.isEmpty()) {
                return Path.of(text);
            }
        } catch (InvalidPathException e) {
            // a NUL, or a character the platform's file-name encoding (the C locale: ASCII) cannot hold
        }
        throw new UsageException("role file \"" + Printable.escape(text) + "\" is not a file name");
    }

    /** The value of a plain run of at most 10 decimal digits, or -1: no signs, spaces or suffixes. */
    static long decimal(String text) {
        return Digits.value(text, 10, 10);
    }

    static String abbreviate(String text) {
        return text.length() <= 40 ? Printable.escape(text) : Printable.escape(text.substring(0, 37)) + "...";
    }

}
