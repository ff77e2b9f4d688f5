package io.github.checktcpraw.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArgumentParserTest {

    private static CheckOptions parse(String... args) throws UsageException {
        return assertInstanceOf(Command.RunCheck.class, ArgumentParser.parse(List.of(args))).options();
    }

    private static String rejection(String... args) {
        return assertThrows(UsageException.class, () -> ArgumentParser.parse(List.of(args))).getMessage();
    }

    @Test
    void theSeedsExampleParses() throws UsageException {
        CheckOptions options = parse("-vv", "-t", "500", "-r", "/var/run/lvs.role", "eth0", "10.0.0.42",
                "10.0.0.100", "80");

        assertEquals(new CheckOptions("eth0", "10.0.0.42", "10.0.0.100", 80, Path.of("/var/run/lvs.role"), 500,
                CheckOptions.DEFAULT_TOTAL_TIMEOUT_MILLIS, 0, false, 2, false, null, null, null), options);
    }

    @Test
    void defaults() throws UsageException {
        CheckOptions options = parse("eth0", "rs.example", "vip.example", "443");

        assertEquals(1000, options.timeoutMillis());
        assertEquals(9000, options.totalTimeoutMillis());
        assertEquals(0, options.verbosity());
        assertFalse(options.cleanClose());
        assertFalse(options.compat());
        assertEquals(null, options.roleFile());
    }

    @Test
    void longFormsAndJoinedValues() throws UsageException {
        CheckOptions options = parse("--clean-close", "--timeout=250", "--role-file=/run/role", "--verbose",
                "--verbose", "-v", "--compat", "-W", "0.5", "--critical=12", "eth0", "a", "b", "1");

        assertTrue(options.cleanClose());
        assertEquals(250, options.timeoutMillis());
        assertEquals(Path.of("/run/role"), options.roleFile());
        assertEquals(3, options.verbosity());
        assertTrue(options.compat());
        assertEquals(500_000, options.warning().endNanos());
        assertEquals(12_000_000, options.critical().endNanos());
        assertEquals(0, parse("-t0", "eth0", "a", "b", "1").timeoutMillis(), "0 disables the timeout");
        assertEquals(0, parse("-T", "0", "eth0", "a", "b", "1").totalTimeoutMillis(), "0 disables the overall bound");
        assertEquals(4000, parse("--total-timeout=4000", "eth0", "a", "b", "1").totalTimeoutMillis());
    }

    @Test
    void textsThatAnswerWithoutChecking() throws UsageException {
        assertTrue(text("--help").startsWith("Usage: check_tcp_raw [OPTION...] SOURCE_IFACE"));
        assertTrue(text("-?").contains("--clean-close"));
        assertEquals(text("--help"), text("-h"), "-h as every Nagios plugin has it");
        assertTrue(text("--usage").startsWith("Usage: check_tcp_raw [-ch?Vv]"));
        assertTrue(text("-V").startsWith("check_tcp_raw "));
    }

    private static String text(String arg) throws UsageException {
        return assertInstanceOf(Command.PrintText.class, ArgumentParser.parse(List.of(arg))).text();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "no arguments;                  ;missing arguments: expected SOURCE_IFACE REAL_SERVER VIRTUAL_IP PORT, got 0",
        "three arguments;   eth0 a b    ;missing arguments",
        "five arguments;    eth0 a b 80 x;too many arguments: expected 4 (SOURCE_IFACE REAL_SERVER VIRTUAL_IP PORT), got 5, starting at \"x\"",
        "port 0;            eth0 a b 0  ;PORT \"0\" is not a number from 1 to 65535",
        "port 65536;        eth0 a b 65536;PORT \"65536\" is not a number from 1 to 65535",
        "port 80x;          eth0 a b 80x;PORT \"80x\" is not a number from 1 to 65535",
        "port -1;           eth0 a b -1 ;PORT \"-1\" is not a number from 1 to 65535",
        "port +80;          eth0 a b +80;PORT \"+80\" is not a number from 1 to 65535",
        "timeout abc;       -t abc eth0 a b 80;timeout \"abc\" is not a number of milliseconds from 0 to 3600000",
        "timeout -1;        -t -1 eth0 a b 80;timeout \"-1\" is not a number of milliseconds from 0 to 3600000",
        "timeout huge;      -t 99999999999999 eth0 a b 80;timeout \"99999999999999\" is not a number",
        "timeout no value;  eth0 a b 80 -t;option -t/--timeout needs a value (MILLISECONDS)",
        "unknown long;      --bogus eth0 a b 80;unknown option \"--bogus\"",
        "unknown short;     -x eth0 a b 80;unknown option \"-x\"",
        "ambiguous;         --ver eth0 a b 80;option \"--ver\" is ambiguous",
        "warning abc;       -W abc eth0 a b 80;warning threshold \"abc\" is not a range of milliseconds",
        "warning 1.;        -W 1. eth0 a b 80;warning threshold \"1.\" is not a range of milliseconds",
        "critical -5;       -C -5 eth0 a b 80;critical threshold \"-5\" is not a range of milliseconds",
        "warning > critical;-W 10 -C 5 eth0 a b 80;warning threshold 10 ms is above the critical threshold 5 ms",
        "long interface;    abcdefghijklmnop a b 80;interface name \"abcdefghijklmnop\" is longer than 15 characters",
        "slash interface;   ../x a b 80;interface name \"../x\" contains '/'",
        "dot interface;     .. a b 80;interface name \"..\" is not an interface",
        "non-ASCII interface;éth0 a b 80;interface name \"éth0\" contains 'é'",
        "IPv4 shorthand;    eth0 10.42 b 80;REAL_SERVER \"10.42\" is not an IPv4 address (four numbers from 0 to 255)",
        "IPv4 out of range; eth0 a 300.1.2.3 80;VIRTUAL_IP \"300.1.2.3\" is not an IPv4 address",
    })
    void rejectsWithOneLineNamingTheValue(String name, String line, String expected) {
        String[] args = line == null ? new String[0] : line.trim().split("\\s+");

        String message = rejection(args);

        assertTrue(message.startsWith(expected.trim()), name + ": " + message);
        assertFalse(message.contains("\n"), name);
    }

    @Test
    void emptyAndHostileOperandsAreRejected() {
        assertEquals("SOURCE_IFACE is empty", rejection("", "a", "b", "80"));
        assertEquals("REAL_SERVER is empty", rejection("eth0", "", "b", "80"));
        assertEquals("VIRTUAL_IP is empty", rejection("eth0", "a", " ", "80"));
        assertEquals("REAL_SERVER \"a\\x0ab\" is not an IP address or host name", rejection("eth0", "a\nb", "b", "80"));
        assertTrue(rejection("x".repeat(300), "a", "b", "80").startsWith("interface name \"xxxxx"));
        assertEquals("role file \"\" is not a file name", rejection("-r", "", "eth0", "a", "b", "80"));
    }

    @Test
    void compatIsRecognisedEvenWhenTheRestFailsToParse() {
        assertTrue(ArgumentParser.asksForCompat(List.of("--bogus", "--compat")));
        assertTrue(ArgumentParser.asksForCompat(List.of("--comp")));
        assertFalse(ArgumentParser.asksForCompat(List.of("--", "--compat")));
        assertFalse(ArgumentParser.asksForCompat(List.of("-c", "eth0")));
    }

    @Test
    void serveIsTheOnlyArgumentSpelledOutOrAUsageError() {
        assertTrue(ArgumentParser.asksToServe(List.of("--serve")));
        assertFalse(ArgumentParser.asksToServe(List.of("--serv")));
        assertFalse(ArgumentParser.asksToServe(List.of("--serve", "-v")));
        assertEquals("--serve must be the only argument, spelled out in full", rejection("--serv"));
        assertEquals("--serve must be the only argument, spelled out in full", rejection("--serve", "eth0", "a", "b", "80"));
    }
}
