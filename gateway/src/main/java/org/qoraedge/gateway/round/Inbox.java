package org.qoraedge.gateway.round;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded queue between MQTT callbacks and the round worker. {@link #offer} never blocks and
 * never throws: when the queue is full the message is dropped and counted (QoS 1 was already
 * acknowledged by then; the node sees its update missing from the round record).
 */
public final class Inbox {
    private final ArrayBlockingQueue<Inbound> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong refusedBeforeDecoding = new AtomicLong();

    public Inbox(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("inbox capacity must be >= 1, got " + capacity);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Enqueues or drops; safe on any thread, O(1), never blocks. */
    public boolean offer(String topic, byte[] payload) {
        return offer(topic, payload, null);
    }

    /**
     * Enqueues or drops; {@code ack} (may be null) is run by the round worker once the message is
     * handled and durable, or here at once when the message is dropped (a dropped message is
     * counted, and must not hold the broker's in-flight window).
     */
    public boolean offer(String topic, byte[] payload, Runnable ack) {
        offered.incrementAndGet();
        Inbound in = new Inbound(topic, payload, System.nanoTime(), ack);
        if (queue.offer(in)) {
            return true;
        }
        dropped.incrementAndGet();
        in.acknowledge();
        return false;
    }

    /** Puts a control message (a round close asked by the operator) at the tail; dropped when full. */
    boolean offerControl(Inbound in) {
        return queue.offer(in);
    }

    /** Waits up to {@code timeoutNanos} for a message; null when none came. */
    Inbound poll(long timeoutNanos) throws InterruptedException {
        return timeoutNanos <= 0 ? queue.poll() : queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** Messages dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Counts a PUBLISH the MQTT link refused before decoding it (too large, a topic the client
     * cannot decode): it never became a message, but the round's log line reports it.
     */
    public void countRefusedBeforeDecoding() {
        refusedBeforeDecoding.incrementAndGet();
    }

    /** PUBLISH packets refused before decoding since start. */
    public long refusedBeforeDecoding() {
        return refusedBeforeDecoding.get();
    }

    /** Messages offered, dropped ones included. */
    public long offered() {
        return offered.get();
    }

    /** Messages waiting. */
    public int size() {
        return queue.size();
    }
}
