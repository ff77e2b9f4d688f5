package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.Packet;

/** Sees every packet the check sends and receives: the verbose trace ({@code -v}, {@code -vv}) implements it. */
public interface PacketTrace {

    PacketTrace NONE = new PacketTrace() {
        @Override
        public void sent(Packet packet) {
        }

        @Override
        public void received(Packet packet, String ignoredBecause) {
        }
    };

    void sent(Packet packet);

    /** @param ignoredBecause why the check did not accept it, or {@code null} when it did */
    void received(Packet packet, String ignoredBecause);
}
