package io.github.checktcpraw.pcap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A compiled BPF program ({@code struct bpf_program}) from {@link Pcap#compile}, to hand to
 * {@link Pcap#setFilter}. Closing frees it. Use and close it on the thread that compiled it.
 */
public final class BpFilter implements AutoCloseable {

    /** struct bpf_program {u_int bf_len; struct bpf_insn *bf_insns;}: 16 bytes on LP64. */
    static final long PROGRAM_SIZE = 16;

    private final Arena arena;
    private final MemorySegment program;
    private final String expression;
    private boolean compiled;
    private boolean closed;

    BpFilter(Arena arena, String expression) {
        this.arena = arena;
        this.program = arena.allocate(PROGRAM_SIZE, 8);
        this.expression = expression;
    }

    MemorySegment program() {
        if (closed) {
            throw new IllegalStateException("filter \"" + expression + "\" is closed");
        }
        return program;
    }

    void markCompiled() {
        compiled = true;
    }

    /** @return the filter expression this program was compiled from */
    public String expression() {
        return expression;
    }

    /**
     * Frees the program: {@code void pcap_freecode(struct bpf_program *fp)}, libpcap 0.6.
     * Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (compiled) {
                Libpcap.free(Libpcap.Symbol.PCAP_FREECODE, program);
            }
        } finally {
            arena.close();
        }
    }
}
