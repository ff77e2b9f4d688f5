/**
 * What is said to the service over the check's connection once it is up: bytes sent and texts looked
 * for, an HTTP/1.1 request and its response, a TLS handshake and the server's certificate. Each is a
 * {@link io.github.checktcpraw.check.Conversation}: it reads and writes bytes, and the check moves
 * them through the real server's MAC to the VIP. No I/O and no clock of its own: the shell hands in
 * the time a certificate's expiry is measured against, and the TLS context.
 */
package io.github.checktcpraw.service;
