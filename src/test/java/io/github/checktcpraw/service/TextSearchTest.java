package io.github.checktcpraw.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextSearchTest {

    private static TextSearch search(String... texts) {
        return new TextSearch(List.of(texts).stream()
                .map(t -> new ServiceRequest.Expected(t, t.getBytes(StandardCharsets.UTF_8))).toList());
    }

    private static void feed(TextSearch search, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        search.feed(bytes, 0, bytes.length);
    }

    @Test
    void aTextSplitOverPiecesIsFound() {
        TextSearch search = search("Welcome");

        feed(search, "<h1>Wel");
        assertFalse(search.allFound());
        feed(search, "c");
        feed(search, "ome</h1>");

        assertTrue(search.allFound());
    }

    @Test
    void aFalseStartThatOverlapsTheTextDoesNotHideIt() {
        TextSearch search = search("aab", "abab");

        feed(search, "aa");
        feed(search, "ab");
        feed(search, "aba");
        feed(search, "b");

        assertTrue(search.allFound(), search.missing().toString());
    }

    @Test
    void theMissingAreNamedAsGivenInOrder() {
        TextSearch search = search("one", "two", "three");

        feed(search, "three, one");

        assertEquals(List.of("two"), search.missing());
    }

    @Test
    void nothingToLookForIsAllFound() {
        assertTrue(search().allFound());
    }
}
