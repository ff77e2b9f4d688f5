package io.github.checktcpraw.output;

import io.github.checktcpraw.check.Outcome;

/** What an {@link Outcome} means for the real server, before thresholds: the base of both reports. */
enum Verdict {
    /** It answered for the VIP as it should. */
    ANSWERED,
    /** It answered, but something about the exchange was wrong (it did not finish a clean close). */
    ANSWERED_BADLY,
    /** It did not answer for the VIP: the check's real finding of a broken real server. */
    FAILED,
    /** No answer about the real server at all: bad input, an unusable environment, a signal. */
    UNKNOWN;

    static Verdict of(Outcome outcome) {
        if (outcome instanceof Outcome.Answered answered) {
            return answered.close() == Outcome.Close.UNFINISHED ? ANSWERED_BADLY : ANSWERED;
        }
        if (outcome instanceof Outcome.BackupConnected) {
            return ANSWERED;
        }
        if (outcome instanceof Outcome.NotChecked || outcome instanceof Outcome.Interrupted) {
            return UNKNOWN;
        }
        return FAILED;
    }

    boolean answered() {
        return this == ANSWERED || this == ANSWERED_BADLY;
    }
}
