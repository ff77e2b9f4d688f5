package io.github.checktcpraw.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.checktcpraw.check.CheckStep;
import io.github.checktcpraw.packet.Ipv4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class HostResolverTest {

    private static final byte[] RS1 = {(byte) 198, 51, 100, 42};

    /**
     * A resolver that never answers in time leaves each check's lookup behind on its thread; beyond
     * {@value HostResolver#MAX_LOOKUPS} of them a check is refused at once, in one line, until they end.
     */
    @Test
    void lookupsLeftWaitingForTheResolverAreBoundedAndTheCheckBeyondThemSaysSo() throws Exception {
        CountDownLatch resolverAnswers = new CountDownLatch(1);
        HostResolver.Lookup late = host -> {
            try {
                resolverAnswers.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] {InetAddress.getByAddress(host, RS1)};
        };
        try {
            for (int check = 0; check < HostResolver.MAX_LOOKUPS; check++) {
                assertEquals("cannot resolve real server \"rs1.example\" within the check's overall bound of 1 ms (-T)",
                        assertThrows(SetupException.class, () -> HostResolver.resolve("rs1.example", "198.51.100.100",
                                System.nanoTime() + 1_000_000, 1, late)).getMessage());
            }
            assertEquals("cannot resolve real server \"rs1.example\": 64 earlier lookups still wait for the resolver",
                    assertThrows(SetupException.class, () -> HostResolver.resolve("rs1.example", "198.51.100.100",
                            System.nanoTime() + 1_000_000_000L, 1000, late)).getMessage());
        } finally {
            resolverAnswers.countDown();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (HostResolver.lookupsInFlight() > 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait(); // until the 64 lookups have returned
        }
        assertEquals(0, HostResolver.lookupsInFlight());
        assertEquals(Ipv4Address.parseLiteral("198.51.100.42"), HostResolver.resolve("rs1.example", "198.51.100.100",
                System.nanoTime() + 1_000_000_000L, 1000, host -> new InetAddress[] {InetAddress.getByAddress(host, RS1)})
                .realServer());
    }

    @Test
    void withoutAnOverallBoundTheLookupRunsOnTheChecksOwnThreadAndIsNotCounted() throws SetupException {
        Thread checking = Thread.currentThread();
        HostResolver.Lookup here = host -> {
            if (Thread.currentThread() != checking) {
                throw new UnknownHostException("looked up on another thread");
            }
            assertEquals(0, HostResolver.lookupsInFlight());
            return new InetAddress[] {InetAddress.getByAddress(host, RS1)};
        };
        assertEquals(Ipv4Address.parseLiteral("198.51.100.42"),
                HostResolver.resolve("rs1.example", "198.51.100.100", CheckStep.NO_TIMER, 0, here).realServer());
    }
}
