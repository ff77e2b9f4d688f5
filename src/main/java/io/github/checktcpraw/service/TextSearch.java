package io.github.checktcpraw.service;

import java.util.ArrayList;
import java.util.List;

/**
 * Byte strings searched for in a stream that arrives piece by piece, each with its own Knuth-Morris-
 * Pratt automaton: nothing of the stream is kept, and a text split over two segments is still found.
 */
final class TextSearch {

    private final List<ServiceRequest.Expected> expected;
    private final int[][] fallbacks;
    /** Per text: how many of its first bytes the stream ends with; {@link #FOUND} once found. */
    private final int[] matched;
    private int missing;

    private static final int FOUND = -1;

    TextSearch(List<ServiceRequest.Expected> expected) {
        this.expected = expected;
        this.fallbacks = new int[expected.size()][];
        this.matched = new int[expected.size()];
        this.missing = expected.size();
        for (int i = 0; i < fallbacks.length; i++) {
            fallbacks[i] = fallback(expected.get(i).bytes());
        }
    }

    void feed(byte[] bytes, int from, int to) {
        for (int i = 0; i < matched.length && missing > 0; i++) {
            int m = matched[i];
            if (m == FOUND) {
                continue;
            }
            byte[] text = expected.get(i).bytes();
            int[] fallback = fallbacks[i];
            for (int at = from; at < to; at++) {
                while (m > 0 && text[m] != bytes[at]) {
                    m = fallback[m - 1];
                }
                if (text[m] == bytes[at]) {
                    m++;
                }
                if (m == text.length) {
                    m = FOUND;
                    missing--;
                    break;
                }
            }
            matched[i] = m;
        }
    }

    boolean allFound() {
        return missing == 0;
    }

    /** The texts not found, as the operator gave them. */
    List<String> missing() {
        List<String> texts = new ArrayList<>(missing);
        for (int i = 0; i < matched.length; i++) {
            if (matched[i] != FOUND) {
                texts.add(expected.get(i).given());
            }
        }
        return texts;
    }

    /** For each prefix, the length of its longest proper prefix that is also its suffix. */
    private static int[] fallback(byte[] text) {
        int[] fallback = new int[text.length];
        for (int i = 1, k = 0; i < text.length; i++) {
            while (k > 0 && text[i] != text[k]) {
                k = fallback[k - 1];
            }
            if (text[i] == text[k]) {
                k++;
            }
            fallback[i] = k;
        }
        return fallback;
    }
}
