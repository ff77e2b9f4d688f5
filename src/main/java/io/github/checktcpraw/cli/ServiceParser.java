package io.github.checktcpraw.cli;

import io.github.checktcpraw.packet.Ipv4Address;
import io.github.checktcpraw.service.ServiceRequest;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;

/**
 * The service check's options ({@code --send}, {@code --expect}, {@code --http}, {@code --tls} and
 * theirs), validated into {@link ServiceOptions}; every rejection quotes the value.
 */
final class ServiceParser {

    static final String HTTP = "http";
    /** A gibibyte: far more than any check should read, and still an int's worth. */
    static final long MAX_BYTES = 1L << 30;
    /** A century: no certificate is issued for longer. */
    static final int MAX_CERT_DAYS = 36_500;
    private static final byte[] NOTHING = new byte[0];

    private ServiceParser() {
    }

    /**
     * @param virtualIp VIRTUAL_IP as given: the default {@code Host:} and TLS server name
     * @return {@code null} when no service check is asked for
     */
    static ServiceOptions parse(CommandLine line, String virtualIp, int port) throws UsageException {
        boolean http = line.hasOption(HTTP);
        boolean tls = line.hasOption("tls");
        String send = line.getOptionValue("send");
        String[] expect = line.getOptionValues("expect");
        boolean asked = http || tls || send != null || expect != null;
        onlyWith(line, "max-bytes", asked, "--send, --expect, --http or --tls");
        onlyWith(line, "http-host", http, "--http");
        onlyWith(line, "http-status", http, "--http");
        onlyWith(line, "sni", tls, "--tls");
        onlyWith(line, "cert-days", tls, "--tls");
        onlyWith(line, "tls-verify", tls, "--tls");
        if (!asked) {
            return null;
        }
        if (http && send != null) {
            throw new UsageException("--send and --http both say what to send: give one of them");
        }
        byte[] bytes = NOTHING;
        if (send != null) {
            bytes = Escapes.decode("--send", send);
            if (bytes.length == 0) {
                throw new UsageException("--send \"\" is empty: give the bytes to send, or leave it out");
            }
        }
        List<ServiceRequest.Expected> expected = new ArrayList<>();
        for (String text : expect == null ? new String[0] : expect) {
            byte[] decoded = Escapes.decode("--expect", text);
            if (decoded.length == 0) {
                throw new UsageException("--expect \"\" is empty: give a text to look for");
            }
            expected.add(new ServiceRequest.Expected(text, decoded));
        }
        long maxBytes = maxBytes(line.getOptionValue("max-bytes"));
        // The command line lets a ':' through in an IPv6 literal only.
        String literalHost = virtualIp.indexOf(':') >= 0 ? "[" + virtualIp + "]" : virtualIp;
        ServiceRequest.Http request = null;
        String sniFromHost = null;
        if (http) {
            String given = line.getOptionValue("http-host");
            String host = given != null ? httpHost(given)
                    : literalHost + (port == (tls ? 443 : 80) ? "" : ":" + port);
            sniFromHost = given != null ? withoutPort(given) : null;
            request = new ServiceRequest.Http(path(line.getOptionValue(HTTP)), host, HelpText.userAgent());
        }
        ServiceRequest.Tls handshake = null;
        if (tls) {
            String sni = line.getOptionValue("sni");
            if (sni != null && !isDnsName(sni)) {
                throw new UsageException("TLS server name \"" + Printable.escape(sni) + "\" is not a host name"
                        + " (an IP address is never one)");
            }
            String serverName = sni != null ? sni
                    : sniFromHost != null && isDnsName(sniFromHost) ? sniFromHost
                    : isDnsName(virtualIp) ? virtualIp : null;
            handshake = new ServiceRequest.Tls(serverName, serverName != null ? serverName : virtualIp,
                    line.hasOption("tls-verify"));
        }
        return new ServiceOptions(new ServiceRequest(bytes, List.copyOf(expected), request, handshake, maxBytes),
                statuses(line.getOptionValue("http-status")), certDays(line.getOptionValue("cert-days")));
    }

    private static void onlyWith(CommandLine line, String option, boolean given, String which) throws UsageException {
        if (line.hasOption(option) && !given) {
            throw new UsageException("--" + option + " is for " + which + ", which is not given");
        }
    }

    private static long maxBytes(String text) throws UsageException {
        if (text == null) {
            return ServiceOptions.DEFAULT_MAX_BYTES;
        }
        long bytes = ArgumentParser.decimal(text);
        if (bytes < 1 || bytes > MAX_BYTES) {
            throw new UsageException("--max-bytes \"" + Printable.escape(text) + "\" is not a number of bytes from 1 to "
                    + MAX_BYTES);
        }
        return bytes;
    }

    /** An origin-form request target (RFC 9112 3.2.1): from "/", visible ASCII only (percent-encode the rest). */
    private static String path(String path) throws UsageException {
        if (!path.startsWith("/")) {
            throw new UsageException("HTTP path \"" + ArgumentParser.abbreviate(path)
                    + "\" does not start with \"/\"");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new UsageException("HTTP path \"" + ArgumentParser.abbreviate(path)
                        + "\" contains '" + Printable.escape(String.valueOf(c)) + "' (percent-encode it)");
            }
        }
        return path;
    }

    /** A Host header's value: a name or address, with a port if need be; nothing that could end the header. */
    private static String httpHost(String host) throws UsageException {
        boolean valid = !host.isEmpty() && host.length() <= 260;
        for (int i = 0; i < host.length() && valid; i++) {
            char c = host.charAt(i);
            valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
                    || c == '_' || c == ':' || c == '[' || c == ']';
        }
        if (!valid) {
            throw new UsageException("HTTP host \"" + ArgumentParser.abbreviate(host)
                    + "\" is not a host name or address with an optional port");
        }
        return host;
    }

    /** "name:8080" is "name"; "[2001:db8::1]:443" and bare addresses are no names. */
    private static String withoutPort(String host) {
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.indexOf(':', colon + 1) < 0 ? host.substring(0, colon) : null;
    }

    /** A DNS host name as TLS's server name takes it (RFC 6066 3): letters, digits and hyphens in dotted labels. */
    static boolean isDnsName(String name) {
        if (name == null || name.isEmpty() || name.length() > 253 || Ipv4Address.parseLiteral(name) != null) {
            return false;
        }
        int label = 0;
        boolean digitsOnly = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (label == 0 || name.charAt(i - 1) == '-') {
                    return false;
                }
                label = 0;
                digitsOnly = true;
                continue;
            }
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            boolean digit = c >= '0' && c <= '9';
            if (!(letter || digit || c == '-') || (c == '-' && label == 0) || ++label > 63) {
                return false;
            }
            digitsOnly &= digit;
        }
        return label > 0 && name.charAt(name.length() - 1) != '-' && !digitsOnly;
    }

    private static List<Integer> statuses(String text) throws UsageException {
        if (text == null) {
            return null;
        }
        List<Integer> statuses = new ArrayList<>();
        for (String code : text.split(",", -1)) {
            long status = code.length() == 3 ? ArgumentParser.decimal(code) : -1;
            if (status < 100 || status > 599) {
                throw new UsageException("HTTP status list \"" + ArgumentParser.abbreviate(text)
                        + "\" is not a list of status codes from 100 to 599 (like 200,204)");
            }
            statuses.add((int) status);
        }
        return List.copyOf(statuses);
    }

    private static ServiceOptions.CertDays certDays(String text) throws UsageException {
        if (text == null) {
            return null;
        }
        int comma = text.indexOf(',');
        long warning = ArgumentParser.decimal(comma < 0 ? text : text.substring(0, comma));
        long critical = comma < 0 ? ServiceOptions.CertDays.NONE : ArgumentParser.decimal(text.substring(comma + 1));
        if (warning < 0 || warning > MAX_CERT_DAYS || (comma >= 0 && (critical < 0 || critical > MAX_CERT_DAYS))) {
            throw new UsageException("--cert-days \"" + ArgumentParser.abbreviate(text)
                    + "\" is not W or W,C: whole days from 0 to " + MAX_CERT_DAYS);
        }
        if (comma >= 0 && critical >= warning) {
            throw new UsageException("--cert-days \"" + text + "\": the CRITICAL days (" + critical
                    + ") must be fewer than the WARNING days (" + warning + ")");
        }
        return new ServiceOptions.CertDays((int) warning, (int) critical);
    }
}
