/**
 * libpcap, bound with java.lang.foreign: the only package that touches native code.
 *
 * <p>{@link io.github.checktcpraw.pcap.Pcap} mirrors the slice of jnetpcap v2's API the plugin uses
 * (one method per libpcap function, named after it), so jnetpcap could replace this package alone.
 * {@link io.github.checktcpraw.pcap.PcapFrameChannel} is the check's
 * {@link io.github.checktcpraw.check.FrameChannel} on top of it. Failures are
 * {@link io.github.checktcpraw.pcap.PcapException}s with one-line messages in libpcap's words.
 *
 * <p>The runtime needs only {@code libpcap.so.0.8} (Debian's libpcap0.8 package) and native access
 * ({@code --enable-native-access=ALL-UNNAMED}, or {@code Enable-Native-Access} in the jar manifest).
 */
package io.github.checktcpraw.pcap;
