package io.github.checktcpraw.check;

import io.github.checktcpraw.packet.Packet;
import java.util.List;

/** A trace that keeps why the check did not accept each packet it did not: what tests assert on. */
final class IgnoredReasons implements PacketTrace {

    private final List<String> reasons;

    /** @param reasons where the reasons go, in order */
    IgnoredReasons(List<String> reasons) {
        this.reasons = reasons;
    }

    @Override
    public void sent(Packet packet) {
    }

    @Override
    public void received(Packet packet, String ignoredBecause) {
        if (ignoredBecause != null) {
            reasons.add(ignoredBecause);
        }
    }

    @Override
    public void note(String tag, String text) {
    }
}
