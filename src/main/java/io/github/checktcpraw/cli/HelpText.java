package io.github.checktcpraw.cli;

/** The C tool's help and usage texts, extended with the plugin's options; fixed text, no formatter to load. */
final class HelpText {

    static final String USAGE = """
            Usage: check_tcp_raw [-c?Vv] [-r FILE] [-t MILLISECONDS] [-T MILLISECONDS] [-W MILLISECONDS]
                        [-C MILLISECONDS] [--clean-close] [--role-file=FILE] [--timeout=MILLISECONDS]
                        [--total-timeout=MILLISECONDS] [--verbose] [--warning=MILLISECONDS]
                        [--critical=MILLISECONDS] [--compat] [--help] [--usage] [--version]
                        SOURCE_IFACE REAL_SERVER VIRTUAL_IP PORT""";

    static final String HELP = """
            Usage: check_tcp_raw [OPTION...] SOURCE_IFACE REAL_SERVER VIRTUAL_IP PORT
            check_tcp_raw -- a TCP/IPv4 checker with RAW sockets

            Performs a TCP check (SYN - SYN/ACK - ACK - RST/ACK) using a RAW socket,
            sending the packets from the SOURCE_INTERFACE to the MAC address of the
            REAL_SERVER with the TCP/IP destination set to the VIRTUAL_IP and PORT.
            This is suitable to be used as a check for load balancers in direct routing
            mode (LVS-DR) to ensure that the real server is indeed answering to packets
            with the VIRTUAL_IP destination IP.
            Optionally a clean close can be performed (FIN/ACK - FIN/ACK - ACK) instead of
            the quick close (RST/ACK).

            Example:
            check_tcp_raw -vv -t 500 -r /var/run/lvs.role eth0 10.0.0.42 10.0.0.100 80

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
                          from (i.e. eth0).
            REAL_SERVER   IPv4 or hostname of the real server to check. Only used to
                          get it's MAC address (i.e. 10.0.0.42).
            VIRTUAL_IP    IPv4 or hostname of the virtual IP for which the check
                          should be performed, used as destination IP in the TCP
                          packets (i.e. 10.0.0.100)
            PORT          TCP port number to use for the check (i.e. 80)

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
              -W, --warning=MILLISECONDS Handshake latency (SYN to SYN/ACK) above which the
                                         result is WARNING; decimals allowed (0.5).
              -C, --critical=MILLISECONDS
                                         Handshake latency above which the result is
                                         CRITICAL; decimals allowed.
                  --compat               Exit codes of the C tool: 0 on success, 1 on any
                                         failure, for keepalived's MISC_CHECK.
              -v, --verbose              Produce increasing verbose output to standard
                                         error based on the number of occurrences:
                                         -v) CLI parameters and all TCP packets
                                         -vv) Print also all ARP packets
              -?, --help                 Give this help list
                  --usage                Give a short usage message
              -V, --version              Print program version

            Mandatory or optional arguments to long options are also mandatory or optional
            for any corresponding short options.""";

    private HelpText() {
    }

    static String version() {
        String version = HelpText.class.getPackage().getImplementationVersion();
        return "check_tcp_raw " + (version == null ? "(development build)" : version);
    }
}
