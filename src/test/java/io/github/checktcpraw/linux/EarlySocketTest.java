package io.github.checktcpraw.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EarlySocketTest {

    /**
     * In a resident checker every MASTER check expects a socket: once retired, none is opened, and
     * none, nor any failure to open one, is handed to a check that did not ask for it.
     */
    @Test
    void aRetiredEarlySocketIsNeitherOpenedNorHandedOver() throws ErrnoException {
        EarlySocket.retire();
        EarlySocket.expect(); // a check that goes no further (its interface is missing, say)
        new EarlySocket().run(); // the calls are linked: an expected socket would be opened now
        EarlySocket.expect(); // the next check

        assertEquals(-1, EarlySocket.take(), "no early socket, and no failure of one");
    }
}
