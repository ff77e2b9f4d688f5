package io.github.checktcpraw.packet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A classic BPF program ({@code struct sock_filter[]}, linux/filter.h), the kernel's packet filter
 * for a packet socket: it runs on every frame the interface sees and returns how many bytes of it to
 * queue for us, 0 meaning none. Built with {@link Builder}, whose jumps name labels, so that a filter
 * reads like tcpdump's {@code -d} listing.
 *
 * <p>Each instruction is {@code {u16 code; u8 jt; u8 jf; u32 k;}}; a conditional jump skips
 * {@code jt} or {@code jf} instructions forward (classic BPF never jumps back, so it always ends).
 */
public final class BpfProgram {

    // Opcodes from linux/bpf_common.h and linux/filter.h, composed as tcpdump -d prints them.
    static final int LD_W_ABS = 0x20;   // ld  [k]
    static final int LD_H_ABS = 0x28;   // ldh [k]
    static final int LD_B_ABS = 0x30;   // ldb [k]
    static final int LD_H_IND = 0x48;   // ldh [x + k]
    static final int LDX_B_MSH = 0xb1;  // ldxb 4*([k]&0xf)
    static final int JEQ_K = 0x15;      // jeq #k
    static final int JSET_K = 0x45;     // jset #k
    static final int RET_K = 0x06;      // ret #k

    /** The kernel's limit on a classic program (BPF_MAXINSNS). */
    static final int MAX_INSTRUCTIONS = 4096;

    private final int[] codes;
    private final int[] jumpsIfTrue;
    private final int[] jumpsIfFalse;
    private final int[] constants;

    private BpfProgram(int[] codes, int[] jumpsIfTrue, int[] jumpsIfFalse, int[] constants) {
        this.codes = codes;
        this.jumpsIfTrue = jumpsIfTrue;
        this.jumpsIfFalse = jumpsIfFalse;
        this.constants = constants;
    }

    public int length() {
        return codes.length;
    }

    public int code(int index) {
        return codes[index];
    }

    public int jumpIfTrue(int index) {
        return jumpsIfTrue[index];
    }

    public int jumpIfFalse(int index) {
        return jumpsIfFalse[index];
    }

    public int constant(int index) {
        return constants[index];
    }

    /** Instructions are appended in order; labels may only be jumped to from before them. */
    public static final class Builder {

        private record Instruction(int code, String ifTrue, String ifFalse, int constant) {
        }

        private final List<Instruction> instructions = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        /** The next instruction is {@code name}. */
        public Builder label(String name) {
            if (labels.putIfAbsent(name, instructions.size()) != null) {
                throw new IllegalArgumentException("label " + name + " defined twice");
            }
            return this;
        }

        /** A = the 32-bit word at byte {@code offset} of the frame. */
        public Builder loadWord(int offset) {
            return add(LD_W_ABS, offset);
        }

        /** A = the 16-bit half-word at byte {@code offset}. */
        public Builder loadHalf(int offset) {
            return add(LD_H_ABS, offset);
        }

        /** A = the byte at {@code offset}. */
        public Builder loadByte(int offset) {
            return add(LD_B_ABS, offset);
        }

        /** X = the length in bytes of the IPv4 header at {@code offset} (its IHL field times 4). */
        public Builder loadIpv4HeaderLength(int offset) {
            return add(LDX_B_MSH, offset);
        }

        /** A = the 16-bit half-word at byte X + {@code offset}. */
        public Builder loadHalfAfterX(int offset) {
            return add(LD_H_IND, offset);
        }

        /** Goes on at {@code ifTrue} when A == {@code value}, else at {@code ifFalse}; {@code null} is the next instruction. */
        public Builder jumpIfEqual(int value, String ifTrue, String ifFalse) {
            instructions.add(new Instruction(JEQ_K, ifTrue, ifFalse, value));
            return this;
        }

        /** Goes on at {@code ifAnySet} when A has any bit of {@code bits}, else at {@code ifNoneSet}. */
        public Builder jumpIfAnySet(int bits, String ifAnySet, String ifNoneSet) {
            instructions.add(new Instruction(JSET_K, ifAnySet, ifNoneSet, bits));
            return this;
        }

        /** Ends the program: queue the first {@code bytes} of the frame (0: drop it). */
        public Builder accept(int bytes) {
            return add(RET_K, bytes);
        }

        public BpfProgram build() {
            int count = instructions.size();
            if (count == 0 || count > MAX_INSTRUCTIONS) {
                throw new IllegalStateException("a classic BPF program has 1 to " + MAX_INSTRUCTIONS + " instructions");
            }
            int[] codes = new int[count];
            int[] ifTrue = new int[count];
            int[] ifFalse = new int[count];
            int[] constants = new int[count];
            for (int i = 0; i < count; i++) {
                Instruction instruction = instructions.get(i);
                codes[i] = instruction.code;
                constants[i] = instruction.constant;
                ifTrue[i] = skip(i, instruction.ifTrue);
                ifFalse[i] = skip(i, instruction.ifFalse);
            }
            if (codes[count - 1] != RET_K) {
                throw new IllegalStateException("a classic BPF program must end with a return");
            }
            return new BpfProgram(codes, ifTrue, ifFalse, constants);
        }

        private Builder add(int code, int constant) {
            instructions.add(new Instruction(code, null, null, constant));
            return this;
        }

        /** How many instructions a jump from {@code from} to {@code label} skips. */
        private int skip(int from, String label) {
            if (label == null) {
                return 0;
            }
            Integer target = labels.get(label);
            if (target == null || target <= from || target - from - 1 > 255) {
                throw new IllegalStateException("jump from " + from + " to " + label + " is not a short forward jump");
            }
            return target - from - 1;
        }
    }
}
