package io.github.checktcpraw.cli;

/**
 * Text from outside (arguments, file names, the system's messages) made safe for a one-line status:
 * control characters are shown escaped, so that no value can end the line, overwrite it with a
 * carriage return or colour a terminal.
 */
public final class Printable {

    private Printable() {
    }

    public static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < ' ' || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
