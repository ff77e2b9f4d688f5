package io.github.checktcpraw.service;

import io.github.checktcpraw.check.Digits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An HTTP/1.1 response read as its bytes arrive (RFC 9112): the status line and headers, bounded;
 * interim 1xx responses skipped; then the body by its Content-Length, its chunked coding or up to
 * the server's close, handed on to a {@link TextSearch} and counted, never kept.
 */
final class HttpResponseReader {

    /** The most of a status line and headers read (servers' own limits are 8 to 16 KiB). */
    static final int MAX_HEAD = 16 * 1024;
    /** The most of a chunk-size line, extensions included. */
    static final int MAX_CHUNK_LINE = 1024;

    private enum State { HEAD, BODY_LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, DONE, BROKEN }

    private final TextSearch body;
    private State state = State.HEAD;
    /** The head or line being read. */
    private byte[] line = new byte[256];
    private int lineLength;
    private int status = -1;
    private String statusLine;
    private long bodyBytes;
    /** What is left of the body (BODY_LENGTH) or of the chunk (CHUNK_DATA). */
    private long remaining;
    private String problem;

    HttpResponseReader(TextSearch body) {
        this.body = body;
    }

    /** Whether the response is over: its body read to the end, or it is none a client can use. */
    boolean done() {
        return state == State.DONE || state == State.BROKEN;
    }

    boolean hasStatus() {
        return status >= 0;
    }

    void feed(byte[] bytes) {
        int at = 0;
        while (at < bytes.length && !done()) {
            at = switch (state) {
                case HEAD -> head(bytes, at);
                case BODY_LENGTH, CHUNK_DATA -> counted(bytes, at);
                case CHUNK_SIZE, CHUNK_END, TRAILERS -> chunkLine(bytes, at);
                case UNTIL_CLOSE -> bodyPart(bytes, at, bytes.length);
                default -> bytes.length;
            };
        }
    }

    /** The server closed: a body that runs to the close ends here; anything else is cut short. */
    void serverClosed() {
        if (state == State.UNTIL_CLOSE) {
            state = State.DONE;
        } else if (state == State.HEAD && problem == null) {
            problem = lineLength == 0 && status < 0 ? "the server closed the connection without an answer"
                    : "the server closed the connection within the response's headers";
        }
    }

    Findings.HttpAnswer answer() {
        return new Findings.HttpAnswer(status, statusLine, bodyBytes, state == State.DONE, problem);
    }

    /** Reads head bytes up to the empty line that ends them. */
    private int head(byte[] bytes, int at) {
        while (at < bytes.length) {
            byte b = bytes[at++];
            append(b);
            if (lineLength == 5 && !startsWith("HTTP/")) {
                return broken("not an HTTP response: it begins \"" + printable(line, lineLength) + "\"");
            }
            if (b == '\n' && endsWithEmptyLine()) {
                return headRead(at);
            }
            if (lineLength > MAX_HEAD) {
                return broken("the response's headers are longer than " + MAX_HEAD + " bytes");
            }
        }
        return at;
    }

    private int headRead(int at) {
        List<String> lines = lines(new String(line, 0, lineLength, StandardCharsets.ISO_8859_1));
        lineLength = 0;
        String first = lines.getFirst();
        int code = statusCode(first);
        if (code < 0) {
            return broken("not an HTTP response: its status line is \"" + printable(first) + "\"");
        }
        if (code >= 100 && code < 200 && code != 101) {
            return at; // interim (100 Continue, 103 Early Hints): the final response follows
        }
        status = code;
        statusLine = printable(first.strip(), 100);
        long length = -1;
        boolean chunked = false;
        boolean otherCoding = false;
        for (String header : lines.subList(1, lines.size())) {
            int colon = header.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).strip();
            if (name.equals("transfer-encoding")) {
                String last = value.substring(value.lastIndexOf(',') + 1).strip().toLowerCase(Locale.ROOT);
                chunked = last.equals("chunked");
                otherCoding = !chunked;
            } else if (name.equals("content-length")) {
                long given = decimal(value);
                if (given < 0 || (length >= 0 && given != length)) {
                    return broken("its Content-Length \"" + printable(value) + "\" is not one length");
                }
                length = given;
            }
        }
        if (code < 200 || code == 204 || code == 304) {
            state = State.DONE;
        } else if (chunked) {
            state = State.CHUNK_SIZE; // RFC 9112 6.3: chunked wins over any length
        } else if (otherCoding || length < 0) {
            state = State.UNTIL_CLOSE;
        } else {
            remaining = length;
            state = length == 0 ? State.DONE : State.BODY_LENGTH;
        }
        return at;
    }

    /** Body bytes of a known length: the rest of a Content-Length body or of a chunk. */
    private int counted(byte[] bytes, int at) {
        int end = (int) Math.min(bytes.length, at + remaining);
        bodyPart(bytes, at, end);
        remaining -= end - at;
        if (remaining == 0) {
            state = state == State.BODY_LENGTH ? State.DONE : State.CHUNK_END;
        }
        return end;
    }

    private int bodyPart(byte[] bytes, int from, int to) {
        body.feed(bytes, from, to);
        bodyBytes += to - from;
        return to;
    }

    /** A line of the chunked coding: a chunk's size, the CRLF after its data, or a trailer. */
    private int chunkLine(byte[] bytes, int at) {
        while (at < bytes.length) {
            byte b = bytes[at++];
            if (b != '\n') {
                append(b);
                if (lineLength > MAX_CHUNK_LINE) {
                    return broken("a line of its chunked body is longer than " + MAX_CHUNK_LINE + " bytes");
                }
                continue;
            }
            String text = new String(line, 0, lineLength, StandardCharsets.ISO_8859_1).strip();
            lineLength = 0;
            if (state == State.CHUNK_END) {
                if (!text.isEmpty()) {
                    return broken("a chunk of its body does not end where its size says");
                }
                state = State.CHUNK_SIZE;
            } else if (state == State.TRAILERS) {
                if (text.isEmpty()) {
                    state = State.DONE;
                }
            } else {
                long size = hexadecimal(text);
                if (size < 0) {
                    return broken("its chunk size \"" + printable(text) + "\" is not a number");
                }
                remaining = size;
                state = size == 0 ? State.TRAILERS : State.CHUNK_DATA;
            }
            return at;
        }
        return at;
    }

    /** The head's lines, each without its CR LF (or bare LF, which RFC 9112 2.2 lets a recipient accept). */
    private static List<String> lines(String head) {
        List<String> lines = new ArrayList<>();
        for (int from = 0, to; (to = head.indexOf('\n', from)) >= 0; from = to + 1) {
            lines.add(head.substring(from, to > from && head.charAt(to - 1) == '\r' ? to - 1 : to));
        }
        return lines;
    }

    private int broken(String why) {
        problem = why;
        state = State.BROKEN;
        return Integer.MAX_VALUE;
    }

    private void append(byte b) {
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, line.length * 2);
        }
        line[lineLength++] = b;
    }

    private boolean startsWith(String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (line[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean endsWithEmptyLine() {
        return (lineLength >= 2 && line[lineLength - 2] == '\n')
                || (lineLength >= 3 && line[lineLength - 2] == '\r' && line[lineLength - 3] == '\n');
    }

    /** The code of a status line "HTTP/1.1 200 OK", or -1. */
    private static int statusCode(String line) {
        if (!line.startsWith("HTTP/") || line.length() < 12 || line.charAt(8) != ' '
                || (line.length() > 12 && line.charAt(12) != ' ')) {
            return -1;
        }
        long code = decimal(line.substring(9, 12));
        return code < 100 ? -1 : (int) code;
    }

    /** A run of 1 to 18 decimal digits, or -1. */
    private static long decimal(String text) {
        return Digits.value(text, 10, 18);
    }

    /** A chunk size: 1 to 15 hex digits before any extension, or -1. */
    private static long hexadecimal(String line) {
        int semicolon = line.indexOf(';');
        return Digits.value((semicolon < 0 ? line : line.substring(0, semicolon)).strip(), 16, 15);
    }

    private static String printable(byte[] bytes, int length) {
        return printable(new String(bytes, 0, length, StandardCharsets.ISO_8859_1));
    }

    /** A quote of what the server sent, short, without line breaks (the report escapes what else is left). */
    private static String printable(String text) {
        return printable(text, 40);
    }

    private static String printable(String text, int most) {
        String cut = text.length() > most ? text.substring(0, most) + "..." : text;
        return cut.replace('\r', ' ').replace('\n', ' ');
    }
}
