package io.github.checktcpraw.service;

import java.util.List;

/**
 * What to say to the service and what to look for, validated: what a conversation needs to start.
 *
 * @param send     the bytes to send once connected; empty: send nothing (the server may speak first)
 * @param expected the texts that must occur in what the server sends (the body, with HTTP)
 * @param http     the HTTP request to make; {@code null}: none
 * @param tls      the TLS handshake to make first; {@code null}: none
 * @param maxBytes the most of the server's bytes to read
 */
public record ServiceRequest(byte[] send, List<Expected> expected, Http http, Tls tls, long maxBytes) {

    /**
     * A text to look for.
     *
     * @param given as the operator wrote it, for the report
     * @param bytes what it stands for, escapes decoded
     */
    public record Expected(String given, byte[] bytes) {
    }

    /**
     * An HTTP/1.1 GET.
     *
     * @param host      the {@code Host:} header's value
     * @param userAgent the {@code User-Agent:} header's value
     */
    public record Http(String path, String host, String userAgent) {
    }

    /**
     * A TLS client handshake.
     *
     * @param serverName the SNI host name; {@code null}: none (an IP address is never one)
     * @param peerName   the name or address the certificate must name when verified
     * @param verify     whether the server's certificate must chain to a trusted CA and name the server
     */
    public record Tls(String serverName, String peerName, boolean verify) {
    }
}
