package io.github.checktcpraw.linux;

import java.io.IOException;

/**
 * A system call failed: its message names the call and what it was for, then gives the system's
 * words for the errno value ({@code bind to interface "eth0": No such device}).
 */
public final class ErrnoException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    ErrnoException(String what, int errno, String systemMessage) {
        super(what + ": " + systemMessage, null);
        this.errno = errno;
    }

    /** Whether the call was refused for want of privilege (EPERM, EACCES). */
    public boolean notPermitted() {
        return errno == Libc.EPERM || errno == Libc.EACCES;
    }
}
