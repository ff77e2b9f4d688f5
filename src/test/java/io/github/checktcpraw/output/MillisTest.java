package io.github.checktcpraw.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MillisTest {

    @Test
    void formatsWithPrecisionFittingTheMagnitude() {
        assertEquals("0.00 ms", Millis.format(0));
        assertEquals("0.41 ms", Millis.format(412_000));
        assertEquals("0.05 ms", Millis.format(49_999));
        assertEquals("9.99 ms", Millis.format(9_990_000));
        assertEquals("12.3 ms", Millis.format(12_340_000));
        assertEquals("999.9 ms", Millis.format(999_940_000));
        assertEquals("1500 ms", Millis.format(1_500_000_000));
    }
}
