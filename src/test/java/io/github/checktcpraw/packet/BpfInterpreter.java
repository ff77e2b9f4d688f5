package io.github.checktcpraw.packet;

/**
 * Runs a {@link BpfProgram} over a frame as the kernel's classic BPF does (net/core/filter.c, the
 * instructions this project emits): so that a filter's logic is tested without privilege, and the
 * lab tests prove the kernel agrees.
 */
public final class BpfInterpreter {

    private BpfInterpreter() {
    }

    /** @return how many bytes of {@code frame} the program keeps; 0: dropped */
    public static int run(BpfProgram program, byte[] frame) {
        int a = 0;
        int x = 0;
        for (int pc = 0; pc < program.length(); pc++) {
            int k = program.constant(pc);
            switch (program.code(pc)) {
                case BpfProgram.LD_W_ABS -> {
                    if (k < 0 || k + 4 > frame.length) {
                        return 0; // a load beyond the frame ends the program: drop
                    }
                    a = Bytes.readInt(frame, k);
                }
                case BpfProgram.LD_H_ABS -> {
                    if (k < 0 || k + 2 > frame.length) {
                        return 0;
                    }
                    a = Bytes.readShort(frame, k);
                }
                case BpfProgram.LD_B_ABS -> {
                    if (k < 0 || k + 1 > frame.length) {
                        return 0;
                    }
                    a = frame[k] & 0xff;
                }
                case BpfProgram.LD_H_IND -> {
                    if (x + k < 0 || x + k + 2 > frame.length) {
                        return 0;
                    }
                    a = Bytes.readShort(frame, x + k);
                }
                case BpfProgram.LDX_B_MSH -> {
                    if (k < 0 || k + 1 > frame.length) {
                        return 0;
                    }
                    x = (frame[k] & 0xf) * 4;
                }
                case BpfProgram.JEQ_K -> pc += a == k ? program.jumpIfTrue(pc) : program.jumpIfFalse(pc);
                case BpfProgram.JSET_K -> pc += (a & k) != 0 ? program.jumpIfTrue(pc) : program.jumpIfFalse(pc);
                case BpfProgram.RET_K -> {
                    return k;
                }
                default -> throw new IllegalArgumentException("opcode 0x" + Integer.toHexString(program.code(pc)));
            }
        }
        throw new IllegalStateException("the program ran off its end");
    }
}
