package io.github.checktcpraw.cli;

/** The command line is wrong; the message names the offending value in one line. */
public final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message, null, false, false);
    }
}
