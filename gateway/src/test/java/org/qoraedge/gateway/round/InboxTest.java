package org.qoraedge.gateway.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The inbox holds at most its byte bound: QoS 1 messages up to all of it, QoS 0 messages up to
 * half, so a QoS 0 flood cannot take the room the broker's QoS 1 window relies on; what does not fit
 * is dropped, counted and acknowledged, and bytes are freed when the round worker takes a message.
 */
class InboxTest {
    @Test
    void dropsAQos1MessageThatWouldPassTheByteBoundAndAcknowledgesIt() throws InterruptedException {
        Inbox inbox = new Inbox(100, 1000);
        AtomicInteger acks = new AtomicInteger();
        assertTrue(inbox.offer("u/a", new byte[600], 1, acks::incrementAndGet));
        assertTrue(inbox.offer("u/b", new byte[400], 1, acks::incrementAndGet));
        assertEquals(1000, inbox.queuedBytes());
        assertFalse(inbox.offer("u/c", new byte[1], 1, acks::incrementAndGet));
        assertEquals(1, inbox.dropped());
        assertEquals(1, acks.get(), "a dropped message is acknowledged at once, so it holds no broker window");
        assertEquals(2, inbox.size());
    }

    @Test
    void qos0MessagesMayFillOnlyHalfTheBoundLeavingTheRestToQos1() {
        Inbox inbox = new Inbox(100, 1000);
        assertTrue(inbox.offer("u/flood", new byte[300], 0, null));
        assertTrue(inbox.offer("u/flood", new byte[200], 0, null));
        assertFalse(inbox.offer("u/flood", new byte[1], 0, null), "QoS 0 share (500 bytes) is full");
        assertTrue(inbox.offer("u/honest", new byte[500], 1, null), "the QoS 1 half is still free");
        assertFalse(inbox.offer("u/honest", new byte[1], 1, null));
        assertEquals(2, inbox.dropped());
    }

    @Test
    void takingAMessageFreesItsBytes() throws InterruptedException {
        Inbox inbox = new Inbox(100, 1000);
        inbox.offer("u/a", new byte[700], 1, null);
        assertFalse(inbox.offer("u/b", new byte[700], 1, null));
        Inbound in = inbox.poll(0);
        assertEquals(700, in.payload().length);
        assertEquals(0, inbox.queuedBytes());
        assertTrue(inbox.offer("u/b", new byte[700], 1, null));
        assertEquals("u/b", inbox.poll(0).topic());
        assertNull(inbox.poll(0));
    }

    @Test
    void aMessageRefusedForTheCountBoundGivesItsBytesBack() {
        Inbox inbox = new Inbox(1, 1000);
        assertTrue(inbox.offer("u/a", new byte[10], 1, null));
        assertFalse(inbox.offer("u/b", new byte[10], 1, null));
        assertEquals(10, inbox.queuedBytes());
    }

    @Test
    void theBrokerWindowIsHalfTheBoundLessOneMessageAndMustHoldOne() {
        assertEquals(8_000_000 / 2 - 200_291, Inbox.brokerWindowBytes(8_000_000, 200_291));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Inbox.brokerWindowBytes(1000, 300));
        assertEquals("an inbox of 1000 bytes leaves a broker window of 200 bytes, less than one message of 300 bytes;"
                + " give it at least 1200", e.getMessage());
    }
}
