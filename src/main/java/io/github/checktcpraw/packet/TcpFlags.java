package io.github.checktcpraw.packet;

/** TCP header flag bits, and their tcpdump spelling ({@code [S.]}) for the verbose trace. */
public final class TcpFlags {

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** tcpdump's order: F S R P, then '.' for ACK, then U E W. */
    private static final int[] ORDER = {FIN, SYN, RST, PSH, ACK, URG, ECE, CWR};
    private static final char[] LETTERS = {'F', 'S', 'R', 'P', '.', 'U', 'E', 'W'};

    private TcpFlags() {
    }

    public static boolean has(int flags, int flag) {
        return (flags & flag) == flag;
    }

    /** {@code [S.]}, {@code [R.]}, {@code [none]} as tcpdump prints them. */
    public static String format(int flags) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < ORDER.length; i++) {
            if ((flags & ORDER[i]) != 0) {
                text.append(LETTERS[i]);
            }
        }
        return text.length() == 1 ? "[none]" : text.append(']').toString();
    }
}
