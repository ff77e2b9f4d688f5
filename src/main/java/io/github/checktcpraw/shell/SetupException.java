package io.github.checktcpraw.shell;

/**
 * The check could not be run at all: bad input found late (an unresolvable host), or an unusable
 * environment (no such interface, no privilege). Its message is the one line the operator reads, and
 * it becomes an UNKNOWN result, never a stack trace.
 */
public final class SetupException extends Exception {

    private static final long serialVersionUID = 1L;

    public SetupException(String message) {
        super(message, null, false, false);
    }
}
