package io.github.checktcpraw.cli;

/** The C tool's help and usage texts, extended with the plugin's options; fixed text, no formatter to load. */
final class HelpText {

    static final String USAGE = """
            Usage: check_tcp_raw [-ch?Vv] [-r FILE] [-t MILLISECONDS] [-T MILLISECONDS] [-W RANGE]
                        [-C RANGE] [--clean-close] [--role-file=FILE] [--timeout=MILLISECONDS]
                        [--total-timeout=MILLISECONDS] [--vip-arp] [--vip-arp-wait=MILLISECONDS]
                        [--send=TEXT] [--expect=TEXT]... [--max-bytes=BYTES] [--http[=PATH]]
                        [--http-host=NAME] [--http-status=LIST] [--tls] [--sni=NAME]
                        [--cert-days=W[,C]] [--tls-verify] [--verbose] [--warning=RANGE]
                        [--critical=RANGE] [--compat] [--help] [--usage] [--version]
                        SOURCE_IFACE REAL_SERVER VIRTUAL_IP PORT
               or: check_tcp_raw --serve""";

    static final String HELP = """
            Usage: check_tcp_raw [OPTION...] SOURCE_IFACE REAL_SERVER VIRTUAL_IP PORT
              or: check_tcp_raw --serve
            check_tcp_raw -- a TCP/IP checker that sends raw Ethernet frames

            Performs a TCP check (SYN - SYN/ACK - ACK - RST/ACK) with raw Ethernet frames
            on a packet socket, sending them from the SOURCE_IFACE to the MAC address of
            the REAL_SERVER with the TCP/IP destination set to the VIRTUAL_IP and PORT.
            This is suitable to be used as a check for load balancers in direct routing
            mode (LVS-DR) to ensure that the real server is indeed answering to packets
            with the VIRTUAL_IP destination IP.
            Optionally a clean close can be performed (FIN/ACK - FIN/ACK - ACK) instead of
            the quick close (RST/ACK). Before it closes, it can ask the service itself the
            way clients' traffic travels: send and expect texts, make an HTTP request, a
            TLS handshake, and judge the answer and the certificate's expiry.

            Examples:
            check_tcp_raw -vv -t 500 -r /var/run/lvs.role eth0 10.0.0.42 10.0.0.100 80
            check_tcp_raw --tls --http=/health --expect=ok --cert-days=21,7 eth0 10.0.0.42 10.0.0.100 443

            ============================
            EXIT STATUS
            ----------------------------
            Nagios plugin codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, with one status
            line on stdout: TCP_RAW <STATE> - <text> | <perfdata>
            With --compat: EXIT_SUCCESS (0) when the real server answered, EXIT_FAILURE (1)
            otherwise, nothing on stdout and the reason on stderr.

            ============================
            PARAMETERS
            ----------------------------
            SOURCE_IFACE  the name of the network interface to use to send the packets
                          from (e.g. eth0).
            REAL_SERVER   IPv4 or IPv6 address or hostname of the real server to
                          check. Used to get its MAC address, and connected to on a
                          BACKUP director (e.g. 10.0.0.42 or 2001:db8::42).
            VIRTUAL_IP    IPv4 or IPv6 address or hostname of the virtual IP for
                          which the check should be performed, used as destination
                          IP in the TCP packets (e.g. 10.0.0.100), of the real
                          server's family
            PORT          TCP port number to use for the check (e.g. 80)

            ============================
            OPTIONS
            ----------------------------
              -c, --clean-close          Close the connection in a clean way (FIN/ACK -
                                         FIN/ACK - ACK) instead of sending an RST/ACK. Some
                                         software don't like to have the connection closed
                                         abruptly with an RST and might flood their logs.
              -r, --role-file=FILE       Path of the file that contains the current role of
                                         the load balancer. Only the first character is
                                         read, accepted values are: 1 => MASTER, anything
                                         else => BACKUP. When this parameter is set the
                                         checks on a BACKUP server are done using the real
                                         server IP instead of the VIRTUAL_IP with a
                                         standard TCP socket.
              -t, --timeout=MILLISECONDS Timeout for each REAL_SERVER reply in ms (the
                                         ARP reply, the SYN/ACK, the FIN of a clean close);
                                         requests are repeated meanwhile. To disable set
                                         to 0. [Default: 1000]
              -T, --total-timeout=MILLISECONDS
                                         Bound on the whole check: name resolution, every
                                         reply and the close. Keep it below the monitoring
                                         system's own check timeout. To disable set to 0.
                                         [Default: 9000]
                  --vip-arp              Also ask the real server directly whether it
                                         answers for the VIP: an ARP request (IPv6: a
                                         neighbour solicitation) for the VIP sent to its
                                         MAC alone. An answer is CRITICAL: routers and
                                         clients would send the VIP's traffic straight to
                                         it (set arp_ignore=1 and arp_announce=2 on it).
                  --vip-arp-wait=MILLISECONDS
                                         How long to listen for that answer, within -T.
                                         [Default: 200]
                  --send=TEXT            Once connected, send TEXT to the service, through
                                         the same MAC to the VIP. Escapes: \\r \\n \\t \\\\
                                         and \\xHH (any byte).
                  --expect=TEXT          TEXT (escapes as for --send) must occur in what
                                         the server sends, with --http in the body; may
                                         be repeated. Reading stops when all are found,
                                         at the server's close, or at --max-bytes. A
                                         missing text is CRITICAL. Without --send the
                                         server may speak first (SMTP, SSH banners).
                  --max-bytes=BYTES      The most of the server's bytes to read.
                                         [Default: 65536]
                  --http[=PATH]          Send an HTTP/1.1 GET for PATH (from "/") with
                                         Host, User-Agent and Connection: close, and read
                                         the response: 2xx and 3xx OK, 4xx WARNING, 5xx
                                         CRITICAL. [Default PATH: /]
                  --http-host=NAME       The Host: header. [Default: VIRTUAL_IP as given,
                                         with the port unless it is 80 (443 with --tls)]
                  --http-status=LIST     The only HTTP statuses that are OK (e.g.
                                         200,204); any other is CRITICAL.
                  --tls                  Make a TLS handshake first (HTTPS with --http)
                                         and report the server certificate's expiry.
                                         The certificate is not verified unless asked.
                  --sni=NAME             The TLS server name. [Default: the name of
                                         --http-host, or VIRTUAL_IP if it is a name]
                  --cert-days=W[,C]      WARNING when the certificate expires within W
                                         days, CRITICAL within C (fewer than W).
                  --tls-verify           The certificate must chain to a CA the system
                                         trusts and name the server: otherwise CRITICAL.
              -W, --warning=RANGE        Handshake latencies (SYN to SYN/ACK) that make
                                         the result WARNING, in milliseconds, in the
                                         Monitoring Plugins' range format: 10 (above 10),
                                         10: (below 10), ~:10 (above 10), 10:20 (outside
                                         10 to 20), @10:20 (inside); decimals allowed.
              -C, --critical=RANGE       The same for CRITICAL.
                  --compat               Exit codes of the C tool: 0 on success, 1 on any
                                         failure (a service's answer judged other than OK
                                         included), for keepalived's MISC_CHECK.
              -v, --verbose              Produce increasing verbose output to standard
                                         error based on the number of occurrences:
                                         -v) CLI parameters and all TCP packets
                                         -vv) Print also all ARP packets
              -h, -?, --help             Give this help list
                  --usage                Give a short usage message
              -V, --version              Print program version
                  --serve                Run a resident checker in the foreground (for
                                         systemd): the wrapper hands it checks, which then
                                         cost no JVM start. It serves the wrappers that can
                                         read $CHECK_TCP_RAW_RUNTIME_DIR/server (default
                                         /run/check_tcp_raw); the others start their own
                                         JVM. Must be the only argument.

            Mandatory or optional arguments to long options are also mandatory or optional
            for any corresponding short options.""";

    private HelpText() {
    }

    static String version() {
        String version = implementationVersion();
        return "check_tcp_raw " + (version == null ? "(development build)" : version);
    }

    /** The product token HTTP requests name us by: "check_tcp_raw/1.0.0". */
    static String userAgent() {
        String version = implementationVersion();
        return "check_tcp_raw" + (version == null ? "" : "/" + version);
    }

    private static String implementationVersion() {
        return HelpText.class.getPackage().getImplementationVersion();
    }
}
