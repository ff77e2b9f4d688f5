package io.github.checktcpraw.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DigitsTest {

    @Test
    void plainAsciiRunsUpToTheirLength() {
        assertEquals(8080, Digits.value("8080", 10, 10));
        assertEquals(7, Digits.value("007", 10, 3));
        assertEquals(0x1aF, Digits.value("1aF", 16, 15));
        assertEquals(9_999_999_999L, Digits.value("9999999999", 10, 10));
    }

    @Test
    void anythingElseIsMinusOne() {
        for (String text : new String[] {"", "12345678901", "-1", "+1", " 1", "1 ", "1e3", "0x10", "a",
                "\u0661\u0662" /* Arabic-Indic digits */, "\uff11" /* fullwidth 1 */}) {
            assertEquals(-1, Digits.value(text, 10, 10), text);
        }
        assertEquals(-1, Digits.value("g", 16, 15));
        assertEquals(-1, Digits.value("\uff41", 16, 15)); // fullwidth a
    }
}
