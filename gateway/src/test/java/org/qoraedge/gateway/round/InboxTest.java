package org.qoraedge.gateway.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The inbox holds at most its byte bound. A QoS 1 message without room waits for the round worker
 * (back-pressure), for a bounded time; a QoS 0 message never waits and may use only half the bound,
 * so a QoS 0 flood cannot take the room QoS 1 updates need. What is dropped is counted and
 * acknowledged; after close nothing waits and nothing more is acknowledged.
 */
class InboxTest {
    @Test
    void aQos1MessageWithoutRoomWaitsUntilTheWorkerTakesAMessage() throws Exception {
        Inbox inbox = new Inbox(100, 1000, 10_000);
        AtomicInteger acks = new AtomicInteger();
        assertTrue(inbox.offer("u/a", new byte[600], 1, acks::incrementAndGet));
        assertTrue(inbox.offer("u/b", new byte[400], 1, acks::incrementAndGet));
        CompletableFuture<Boolean> third = CompletableFuture.supplyAsync(() -> inbox.offer("u/c", new byte[500], 1, acks::incrementAndGet));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (inbox.waits() == 0 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        Thread.sleep(50);
        assertFalse(third.isDone(), "waits while the bound is full");
        assertEquals("u/a", inbox.poll(0).topic());
        assertTrue(third.get(5, TimeUnit.SECONDS), "queued once the worker took 600 bytes out");
        assertEquals(900, inbox.queuedBytes());
        assertEquals(0, inbox.dropped());
        assertEquals(0, acks.get(), "nothing acknowledged before the worker handles it");
        assertEquals(1, inbox.waits());
    }

    @Test
    void aQos1MessageStillWithoutRoomAfterTheWaitIsDroppedCountedAndAcknowledged() {
        Inbox inbox = new Inbox(100, 1000, 50);
        AtomicInteger acks = new AtomicInteger();
        assertTrue(inbox.offer("u/a", new byte[1000], 1, acks::incrementAndGet));
        long start = System.nanoTime();
        assertFalse(inbox.offer("u/b", new byte[1], 1, acks::incrementAndGet));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50), "it waited first");
        assertEquals(1, inbox.dropped());
        assertEquals(1, acks.get(), "a dropped message is acknowledged, so it holds no broker window");
    }

    @Test
    void qos0MessagesNeverWaitAndMayFillOnlyHalfTheBound() {
        Inbox inbox = new Inbox(100, 1000, 10_000);
        assertTrue(inbox.offer("u/flood", new byte[300], 0, null));
        assertTrue(inbox.offer("u/flood", new byte[200], 0, null));
        long start = System.nanoTime();
        assertFalse(inbox.offer("u/flood", new byte[1], 0, null), "QoS 0 share (500 bytes) is full");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "without waiting");
        assertTrue(inbox.offer("u/honest", new byte[500], 1, null), "the other half is still free for QoS 1");
        assertEquals(1, inbox.dropped());
    }

    @Test
    void theCountBoundMakesAQos1MessageWaitToo() throws Exception {
        Inbox inbox = new Inbox(1, 1000, 10_000);
        assertTrue(inbox.offer("u/a", new byte[10], 1, null));
        CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> inbox.offer("u/b", new byte[10], 1, null));
        Thread.sleep(100);
        assertFalse(second.isDone());
        assertEquals(10, inbox.queuedBytes(), "the waiting message's bytes are not counted");
        inbox.poll(0);
        assertTrue(second.get(5, TimeUnit.SECONDS));
        assertEquals("u/b", inbox.poll(0).topic());
        assertNull(inbox.poll(0));
        assertEquals(0, inbox.queuedBytes());
    }

    @Test
    void closingReleasesAWaitingMessageUnacknowledgedForTheBrokerToDeliverAgain() throws Exception {
        Inbox inbox = new Inbox(100, 1000, 10_000);
        AtomicInteger acks = new AtomicInteger();
        inbox.offer("u/a", new byte[1000], 1, acks::incrementAndGet);
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> inbox.offer("u/b", new byte[1], 1, acks::incrementAndGet));
        Thread.sleep(100);
        inbox.close();
        assertFalse(waiting.get(5, TimeUnit.SECONDS));
        assertFalse(inbox.offer("u/c", new byte[1], 1, acks::incrementAndGet), "no wait after close");
        assertEquals(0, acks.get());
        assertEquals(0, inbox.dropped(), "left to the broker, not dropped");
    }
}
