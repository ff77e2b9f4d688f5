package io.github.checktcpraw.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Monitoring Plugins' range format, as their guidelines define it, in milliseconds. */
class ThresholdTest {

    private static final long MS = 1_000_000;

    private static Threshold range(String text) {
        return assertDoesNotThrowUsage(text);
    }

    private static Threshold assertDoesNotThrowUsage(String text) {
        try {
            return Threshold.parse("warning", text);
        } catch (UsageException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    @Test
    void aPlainNumberAlertsAboveItOrBelowZero() {
        Threshold ten = range("10");
        assertFalse(ten.alerts(0));
        assertFalse(ten.alerts(10 * MS), "the end belongs to the range");
        assertTrue(ten.alerts(10 * MS + 1));
        assertTrue(ten.isUpperBound());
    }

    @Test
    void theOtherFormsOfTheGuidelines() {
        assertTrue(range("10:").alerts(10 * MS - 1), "10: alerts below 10");
        assertFalse(range("10:").alerts(Long.MAX_VALUE / 2));
        assertTrue(range("~:10").alerts(11 * MS), "~:10 alerts above 10");
        assertTrue(range("~:10").isUpperBound());
        assertTrue(range("10:20").alerts(9 * MS) && range("10:20").alerts(21 * MS), "10:20 alerts outside");
        assertFalse(range("10:20").alerts(15 * MS));
        assertTrue(range("@10:20").alerts(15 * MS), "@10:20 alerts inside");
        assertFalse(range("@10:20").alerts(21 * MS));
        assertFalse(range("@10:20").isUpperBound());
    }

    @Test
    void decimalsAreKeptToTheNanosecond() {
        Threshold tiny = range("0.000001");
        assertEquals(1, tiny.endNanos());
        assertEquals("0.000001", tiny.endText());
        assertEquals(400, range("0.0004").endNanos());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-5", "10:5", "1:2:3", "@", "~", "1.", ".5", "0.0000001", "3600001", "1e3",
            " 10", "10 "})
    void anythingElseIsNamedInOneLine(String text) {
        UsageException e = assertThrows(UsageException.class, () -> Threshold.parse("critical", text));
        assertTrue(e.getMessage().startsWith("critical threshold \"" + text + "\" is not a range of milliseconds"),
                e.getMessage());
    }
}
