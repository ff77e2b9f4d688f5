package io.github.checktcpraw.check;

/** The director's role in its keepalived pair, as the role file says (only its first byte counts). */
public enum Role {
    /** Holds the VIP: check through the raw path. */
    MASTER,
    /** Does not hold the VIP: a raw check's replies would be answered with RSTs, so connect() instead. */
    BACKUP;

    /** {@code '1'} means MASTER; anything else, an empty file ({@code -1}) included, means BACKUP. */
    public static Role ofFirstByte(int firstByte) {
        return firstByte == '1' ? MASTER : BACKUP;
    }
}
