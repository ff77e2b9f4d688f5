package io.github.checktcpraw.packet;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Whatever arrives on the wire, decoding yields a packet or a named rejection and never throws:
 * random frames, and captured frames truncated, bit-flipped and with their length fields forged.
 */
class PacketDecoderFuzzTest {

    private static final byte[][] SEEDS = {
        CapturedFrames.ARP_REQUEST, CapturedFrames.ARP_REPLY, CapturedFrames.SYN, CapturedFrames.SYN_ACK,
        CapturedFrames.DATA,
    };
    /** Offsets of the fields that steer the decoder: EtherType, ARP sizes, IHL, total length, protocol, data offset. */
    private static final int[] LENGTH_FIELDS = {12, 13, 18, 19, 14, 16, 17, 23, 46};

    @Test
    void randomFramesNeverThrow() {
        Random random = new Random(20261128);
        for (int i = 0; i < 50_000; i++) {
            byte[] frame = new byte[random.nextInt(200)];
            random.nextBytes(frame);
            if (frame.length > 13 && random.nextBoolean()) {
                frame[12] = random.nextBoolean() ? (byte) 0x08 : (byte) 0x81;
                frame[13] = (byte) (random.nextBoolean() ? 0x00 : 0x06);
            }
            decodes(frame, frame.length);
        }
    }

    @Test
    void mutatedCapturedFramesNeverThrow() {
        Random random = new Random(4242);
        for (int i = 0; i < 100_000; i++) {
            byte[] seed = SEEDS[random.nextInt(SEEDS.length)];
            byte[] frame = Arrays.copyOf(seed, seed.length);
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                if (frame.length == 0) {
                    break;
                }
                switch (random.nextInt(3)) {
                    case 0 -> frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> {
                        int field = LENGTH_FIELDS[random.nextInt(LENGTH_FIELDS.length)];
                        if (field < frame.length) {
                            frame[field] = (byte) random.nextInt(256);
                        }
                    }
                    default -> frame = Arrays.copyOf(frame, random.nextInt(frame.length + 1));
                }
            }
            decodes(frame, frame.length);
            decodes(frame, random.nextInt(frame.length + 10) - 5);
        }
    }

    private static void decodes(byte[] frame, int length) {
        try {
            assertNotNull(PacketDecoder.decode(frame, length));
        } catch (RuntimeException e) {
            fail("decoding " + HexFormat.of().formatHex(frame) + " (length " + length + ") threw " + e, e);
        }
    }
}
