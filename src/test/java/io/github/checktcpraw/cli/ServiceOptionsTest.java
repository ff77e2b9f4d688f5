package io.github.checktcpraw.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.checktcpraw.service.ServiceRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The service check's options: what they become, their defaults, and one line for each bad value. */
class ServiceOptionsTest {

    private static ServiceOptions serviceOf(String vip, String port, String... options) throws UsageException {
        List<String> args = new ArrayList<>(Arrays.asList(options));
        args.addAll(List.of("eth0", "198.51.100.42", vip, port));
        return assertInstanceOf(Command.RunCheck.class, ArgumentParser.parse(args)).options().service();
    }

    private static ServiceOptions service(String... options) throws UsageException {
        return serviceOf("198.51.100.100", "80", options);
    }

    private static String rejection(String... options) {
        List<String> args = new ArrayList<>(Arrays.asList(options));
        args.addAll(List.of("eth0", "198.51.100.42", "198.51.100.100", "80"));
        return assertThrows(UsageException.class, () -> ArgumentParser.parse(args)).getMessage();
    }

    @Test
    void withoutServiceOptionsThereIsNoConversation() throws UsageException {
        assertNull(service());
    }

    @Test
    void sendAndExpectDecodeTheirEscapes() throws UsageException {
        ServiceOptions options = service("--send", "EHLO x\\r\\n\\x00\\\\\\t", "--expect", "250", "--expect=\\xff");

        assertArrayEquals(new byte[] {'E', 'H', 'L', 'O', ' ', 'x', '\r', '\n', 0, '\\', '\t'}, options.request().send());
        assertEquals(List.of("250", "\\xff"), options.request().expected().stream().map(ServiceRequest.Expected::given)
                .toList(), "as given, for the report");
        assertArrayEquals(new byte[] {(byte) 0xff}, options.request().expected().get(1).bytes());
        assertEquals(ServiceOptions.DEFAULT_MAX_BYTES, options.request().maxBytes());
        assertNull(options.request().http());
        assertNull(options.request().tls());
    }

    @Test
    void textIsSentAsUtf8() throws UsageException {
        assertArrayEquals("grüß".getBytes(StandardCharsets.UTF_8), service("--expect", "grüß").request().expected()
                .getFirst().bytes());
    }

    @Test
    void httpTakesItsPathInEveryFormAndDefaultsToSlash() throws UsageException {
        assertEquals("/", service("--http").request().http().path());
        assertEquals("/health", service("--http=/health").request().http().path());
        assertEquals("/health", service("--http", "/health").request().http().path(), "as Icinga passes it");
        assertEquals("/", service("--http", "--expect", "x").request().http().path());
    }

    @Test
    void theHostHeaderIsTheVipAsGivenWithItsPortUnlessTheDefault() throws UsageException {
        assertEquals("198.51.100.100", service("--http").request().http().host());
        assertEquals("198.51.100.100:8080", serviceOf("198.51.100.100", "8080", "--http").request().http().host());
        assertEquals("vip.example", serviceOf("vip.example", "443", "--http", "--tls").request().http().host());
        assertEquals("vip.example:80", serviceOf("vip.example", "80", "--http", "--tls").request().http().host());
        assertEquals("[2001:db8::100]:8080", serviceOf("2001:db8::100", "8080", "--http").request().http().host());
        assertEquals("www.example:81", service("--http", "--http-host", "www.example:81").request().http().host());
        assertTrue(service("--http").request().http().userAgent().startsWith("check_tcp_raw"));
    }

    @Test
    void theTlsServerNameIsGivenOrTheHostsOrTheVipsButNeverAnAddress() throws UsageException {
        assertEquals("sni.example", service("--tls", "--sni", "sni.example").request().tls().serverName());
        assertEquals("www.example", service("--tls", "--http", "--http-host=www.example:8443").request().tls()
                .serverName());
        assertEquals("vip.example", serviceOf("vip.example", "443", "--tls").request().tls().serverName());
        ServiceRequest.Tls byAddress = service("--tls", "--http").request().tls();
        assertNull(byAddress.serverName());
        assertEquals("198.51.100.100", byAddress.peerName(), "what a verified certificate must name");
        assertFalse(byAddress.verify());
        assertTrue(service("--tls", "--tls-verify").request().tls().verify());
    }

    @Test
    void statusesAndCertificateDays() throws UsageException {
        assertEquals(List.of(200, 204), service("--http", "--http-status=200,204").httpStatuses());
        assertNull(service("--http").httpStatuses(), "check_http's judgement");
        assertEquals(new ServiceOptions.CertDays(21, 7), service("--tls", "--cert-days", "21,7").certDays());
        assertEquals(new ServiceOptions.CertDays(30, ServiceOptions.CertDays.NONE), service("--tls", "--cert-days=30")
                .certDays());
        assertEquals(2_000_000, service("--http", "--max-bytes", "2000000").request().maxBytes());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "bad hex escape;        --send \\xZZ;--send \"\\xZZ\": \\x needs two hex digits, as in \\x0d",
        "short hex escape;      --expect a\\x4;--expect \"a\\x4\": \\x needs two hex digits",
        "unknown escape;        --send a\\qb;--send \"a\\qb\": '\\' before 'q' is no escape",
        "lone backslash;        --expect ab\\;--expect \"ab\\\" ends in a lone backslash",
        "critical above warning;--tls --cert-days 5,10;--cert-days \"5,10\": the CRITICAL days (10) must be fewer than the WARNING days (5)",
        "critical equal;        --tls --cert-days 5,5;--cert-days \"5,5\": the CRITICAL days (5) must be fewer",
        "cert days not days;    --tls --cert-days 5d;--cert-days \"5d\" is not W or W,C",
        "path nope;             --http=nope;HTTP path \"nope\" does not start with \"/\"",
        "empty path;            --http=;HTTP path \"\" does not start with \"/\"",
        "status 99x;            --http --http-status 99x;HTTP status list \"99x\" is not a list of status codes from 100 to 599",
        "status 600;            --http --http-status 200,600;HTTP status list \"200,600\" is not a list",
        "status list empty end; --http --http-status 200,;HTTP status list \"200,\" is not a list",
        "max bytes 0;           --http --max-bytes 0;--max-bytes \"0\" is not a number of bytes from 1 to 1073741824",
        "max bytes alone;       --max-bytes 10;--max-bytes is for --send, --expect, --http or --tls, which is not given",
        "host without http;     --http-host x;--http-host is for --http, which is not given",
        "status without http;   --http-status 200;--http-status is for --http, which is not given",
        "sni without tls;       --sni x.example;--sni is for --tls, which is not given",
        "verify without tls;    --tls-verify;--tls-verify is for --tls, which is not given",
        "cert days without tls; --cert-days 5;--cert-days is for --tls, which is not given",
        "sni an address;        --tls --sni 198.51.100.100;TLS server name \"198.51.100.100\" is not a host name",
        "sni with underscore;   --tls --sni a_b.example;TLS server name \"a_b.example\" is not a host name",
        "host with a slash;     --http --http-host a/b;HTTP host \"a/b\" is not a host name or address",
        "send and http;         --http --send x;--send and --http both say what to send: give one of them",
    })
    void badValuesAreOneLineNamingThem(String name, String line, String expected) {
        String message = rejection(line.trim().split("\\s+"));

        assertTrue(message.startsWith(expected.trim()), name + ": " + message);
        assertFalse(message.contains("\n"), name);
    }

    @Test
    void emptyTextsAreRejected() {
        assertEquals("--expect \"\" is empty: give a text to look for", rejection("--expect", ""));
        assertEquals("--send \"\" is empty: give the bytes to send, or leave it out", rejection("--send", ""));
        assertTrue(rejection("--http", "/a b").startsWith("HTTP path \"/a b\" contains ' '"), rejection("--http", "/a b"));
        assertEquals("HTTP path \"/\\x0d\" contains '\\x0d' (percent-encode it)", rejection("--http=/\r"));
    }

    @Test
    void anOperandIsNeverTakenForTheHttpPath() throws UsageException {
        CheckOptions options = assertInstanceOf(Command.RunCheck.class, ArgumentParser.parse(
                List.of("--http", "eth0", "198.51.100.42", "198.51.100.100", "80"))).options();

        assertEquals("eth0", options.sourceInterface());
        assertEquals("/", options.service().request().http().path());
    }

    @Test
    void theHelpNamesEveryServiceOption() throws UsageException {
        String help = assertInstanceOf(Command.PrintText.class, ArgumentParser.parse(List.of("--help"))).text();
        String usage = assertInstanceOf(Command.PrintText.class, ArgumentParser.parse(List.of("--usage"))).text();
        for (String option : List.of("--send=TEXT", "--expect=TEXT", "--max-bytes=BYTES", "--http[=PATH]",
                "--http-host=NAME", "--http-status=LIST", "--tls", "--sni=NAME", "--cert-days=W[,C]", "--tls-verify")) {
            assertTrue(help.contains(option), option + " in --help");
            assertTrue(usage.contains(option), option + " in --usage");
        }
    }
}
