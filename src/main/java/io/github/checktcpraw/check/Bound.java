package io.github.checktcpraw.check;

/**
 * The limit a wait ran into: the timeout for one reply ({@code -t}), or the check's overall bound
 * ({@code -T}) when that came first.
 */
public record Bound(long millis, boolean overall) {
}
