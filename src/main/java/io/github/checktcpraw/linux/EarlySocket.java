package io.github.checktcpraw.linux;

/**
 * The packet socket of a fresh process's one check, opened as soon as the native calls are linked
 * and the check is known to need it (on the linking thread, or on the caller's when linking is done). Its {@code SO_TIMESTAMPNS} turns the
 * kernel's receive stamping on, which the kernel does lazily (a deferred static-key flip) when no
 * socket had it on; a reply that arrives before that is stamped only when it is read. Opened early,
 * the socket receives nothing until {@link PacketSocket#open} gives it its filter and binds it.
 *
 * <p>A long-lived process keeps stamping on with a socket of its own and {@link #retire}s this: its
 * checks, many and at once, open their sockets when they need them, so that none is handed a socket,
 * or a failure, that another check asked for.
 */
final class EarlySocket implements Runnable {

    private static final Object LOCK = new Object();
    /** Guarded by LOCK. */
    private static boolean linked;
    private static boolean expected;
    private static boolean retired;
    private static int fd = -1;
    private static ErrnoException failure;

    EarlySocket() {
    }

    /** Links the native calls on a thread of its own (see {@link PacketSocket#prepareInBackground}). */
    static void linkInBackground() {
        Thread linker = new Thread(new EarlySocket(), "ffm-link");
        linker.setDaemon(true);
        try {
            linker.start();
        } catch (OutOfMemoryError noThreadLeft) {
            // A limit on tasks leaves no room for it: the first call links instead.
        }
    }

    @Override
    public void run() {
        try {
            Libc.link();
        } catch (RuntimeException | Error e) {
            return; // the check's own first call fails the same way, and says so in one line
        }
        synchronized (LOCK) {
            linked = true;
            if (expected) {
                openLocked();
            }
        }
    }

    /** A raw check will follow: open its socket as soon as the calls are linked (now, if they are). */
    static void expect() {
        synchronized (LOCK) {
            if (retired) {
                return;
            }
            expected = true;
            if (linked) {
                openLocked();
            }
        }
    }

    /**
     * The early socket, handed over once; -1 when there is none (none was expected, or this was
     * retired), in which case the caller opens its own.
     *
     * @throws ErrnoException the early socket could not be opened: the caller's would fail alike
     */
    static int take() throws ErrnoException {
        synchronized (LOCK) {
            ErrnoException failed = failure;
            int taken = fd;
            failure = null;
            fd = -1;
            expected = false;
            if (failed != null) {
                throw failed;
            }
            return taken;
        }
    }

    /** From now on there is no early socket: each check opens its own (see the class comment). */
    static void retire() {
        synchronized (LOCK) {
            retired = true;
            expected = false;
            failure = null;
            if (fd >= 0) {
                Libc.close(fd);
                fd = -1;
            }
        }
    }

    private static void openLocked() {
        if (fd >= 0 || failure != null) {
            return;
        }
        try {
            fd = PacketSocket.unboundWithTimestamps();
        } catch (ErrnoException e) {
            failure = e;
        }
    }
}
