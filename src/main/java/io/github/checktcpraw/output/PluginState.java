package io.github.checktcpraw.output;

/** The Monitoring Plugins' service states and their exit codes. */
public enum PluginState {
    OK(0), WARNING(1), CRITICAL(2), UNKNOWN(3);

    private final int exitCode;

    PluginState(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    PluginState worse(PluginState other) {
        return other.exitCode > exitCode && other != UNKNOWN ? other : this;
    }
}
