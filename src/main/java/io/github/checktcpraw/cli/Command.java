package io.github.checktcpraw.cli;

/** What the command line asks for: a check, or one of the texts that answer without checking. */
public sealed interface Command {

    record RunCheck(CheckOptions options) implements Command {
    }

    /** {@code --help}, {@code --usage} or {@code --version}: print {@code text} and exit OK. */
    record PrintText(String text) implements Command {
    }
}
