/**
 * The native seam, and the only native code: Linux system calls through {@code java.lang.foreign}.
 * {@link io.github.checktcpraw.linux.PacketSocket} is the check's {@code FrameChannel};
 * {@link io.github.checktcpraw.linux.ParentDeath} ties the process to the one that started it.
 * Callers see no {@code MemorySegment}; every failure is one {@link io.github.checktcpraw.linux.ErrnoException}
 * naming the call and the system's words for its errno. packet(7) is the contract of the socket.
 */
package io.github.checktcpraw.linux;
