package io.github.checktcpraw.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The escapes of {@code --send} and {@code --expect}: {@code \r}, {@code \n}, {@code \t}, {@code \\}, {@code \xHH}. */
final class Escapes {

    private Escapes() {
    }

    /** The bytes {@code text} stands for: characters as UTF-8, {@code \xHH} as the byte itself. */
    static byte[] decode(String option, String text) throws UsageException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        StringBuilder plain = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                plain.append(c);
                continue;
            }
            bytes.writeBytes(plain.toString().getBytes(StandardCharsets.UTF_8));
            plain.setLength(0);
            if (i + 1 == text.length()) {
                throw new UsageException(option + " \"" + Printable.escape(text) + "\" ends in a lone backslash (write \\\\)");
            }
            char escape = text.charAt(++i);
            switch (escape) {
                case 'r' -> bytes.write('\r');
                case 'n' -> bytes.write('\n');
                case 't' -> bytes.write('\t');
                case '\\' -> bytes.write('\\');
                case 'x' -> {
                    int high = i + 1 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                    int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
                    if (high < 0 || low < 0) {
                        throw new UsageException(option + " \"" + Printable.escape(text) + "\": \\x needs two hex digits, as in \\x0d");
                    }
                    bytes.write(high * 16 + low);
                    i += 2;
                }
                default -> throw new UsageException(option + " \"" + Printable.escape(text) + "\": '\\' before '"
                        + Printable.escape(String.valueOf(escape)) + "' is no escape (\\r, \\n, \\t, \\\\ and \\xHH are)");
            }
        }
        bytes.writeBytes(plain.toString().getBytes(StandardCharsets.UTF_8));
        return bytes.toByteArray();
    }
}
