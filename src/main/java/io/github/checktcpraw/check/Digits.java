package io.github.checktcpraw.check;

/**
 * Numbers as command lines and protocol headers write them: a plain run of ASCII digits, no sign,
 * space or suffix. Shared by the command line and the service conversations, which may not know each
 * other.
 */
public final class Digits {

    private Digits() {
    }

    /** The value of 1 to {@code maxDigits} digits of {@code radix} 10 or 16 (either case), or -1. */
    public static long value(String text, int radix, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = digit(text.charAt(i), radix);
            if (digit < 0) {
                return -1;
            }
            value = value * radix + digit;
        }
        return value;
    }

    /** Not Character.digit, which takes any Unicode digit. */
    private static int digit(char c, int radix) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (radix == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            return (c | 0x20) - 'a' + 10;
        }
        return -1;
    }
}
