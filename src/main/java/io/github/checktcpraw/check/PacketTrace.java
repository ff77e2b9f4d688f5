package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.Packet;

/**
 * Sees the course of a check: every packet it sends and receives, and notes on the way (the role it
 * found). The verbose trace ({@code -v}, {@code -vv}) implements it.
 */
public interface PacketTrace {

    PacketTrace NONE = new PacketTrace() {
        @Override
        public void sent(Packet packet) {
        }

        @Override
        public void received(Packet packet, String ignoredBecause) {
        }

        @Override
        public void note(String tag, String text) {
        }
    };

    void sent(Packet packet);

    /** @param ignoredBecause why the check did not accept it, or {@code null} when it did */
    void received(Packet packet, String ignoredBecause);

    /** A line about the check's course that is not a packet, e.g. {@code [ROLE] BACKUP}. */
    void note(String tag, String text);
}
