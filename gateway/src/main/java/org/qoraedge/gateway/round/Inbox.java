package org.qoraedge.gateway.round;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded queue between MQTT callbacks and the round worker, bounded both by a count of
 * messages and by their payload bytes. {@link #offer} never blocks and never throws: a message that
 * does not fit is dropped and counted (QoS 1 was already acknowledged by then; the node sees its
 * update missing from the round record).
 *
 * <p>Why bytes: frames are up to {@code 291 + 2d} bytes, so a count alone lets the queue hold
 * {@code capacity x 200 KB} at 100,000 parameters (a round of 1,000 nodes filled a 64 MiB heap with
 * queued frames). Two shares of the byte bound:
 * <ul>
 *   <li>QoS 1 messages may fill all of {@link #maxBytes()}. The broker is what keeps honest traffic
 *       below that: it sends at most its in-flight window of unacknowledged QoS 1 messages, and the
 *       gateway acknowledges a message only once the round worker has made it durable. The embedded
 *       broker's window is {@link #brokerWindowBytes(long, long)} (Mosquitto's {@code max_inflight_bytes}); an
 *       external broker must be given the same (docs/BROKER.md), or the surplus is dropped here.
 *   <li>QoS 0 messages, which no window holds back (anyone may publish them at any rate), may fill
 *       only {@link #maxBytes()} / 2, so a QoS 0 flood can never crowd out the QoS 1 window.
 * </ul>
 * Bytes are counted from {@link #offer} until the round worker takes the message ({@link #poll}).
 */
public final class Inbox {
    /** The default byte bound, {@code inbox.maxBytes}: 8 MiB, 40 frames of 100,000 parameters. */
    public static final long DEFAULT_MAX_BYTES = 8L << 20;

    private final ArrayBlockingQueue<Inbound> queue;
    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong refusedBeforeDecoding = new AtomicLong();

    /** An inbox of {@code capacity} messages and {@link #DEFAULT_MAX_BYTES}. */
    public Inbox(int capacity) {
        this(capacity, DEFAULT_MAX_BYTES);
    }

    /**
     * @param capacity the most messages queued, >= 1
     * @param maxBytes the most payload bytes queued, >= 2
     */
    public Inbox(int capacity, long maxBytes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("inbox capacity must be >= 1, got " + capacity);
        }
        if (maxBytes < 2) {
            throw new IllegalArgumentException("inbox byte bound must be >= 2, got " + maxBytes);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBytes = maxBytes;
    }

    /** Enqueues or drops a QoS 1 message that needs no acknowledgement; safe on any thread, O(1), never blocks. */
    public boolean offer(String topic, byte[] payload) {
        return offer(topic, payload, 1, null);
    }

    /** {@link #offer(String, byte[], int, Runnable)} for a QoS 1 message. */
    public boolean offer(String topic, byte[] payload, Runnable ack) {
        return offer(topic, payload, 1, ack);
    }

    /**
     * Enqueues or drops; {@code ack} (may be null) is run by the round worker once the message is
     * handled and durable, or here at once when the message is dropped (a dropped message is
     * counted, and must not hold the broker's in-flight window).
     *
     * @param qos the QoS the message was delivered with: 0 may use half the byte bound, 1 or 2 all of it
     */
    public boolean offer(String topic, byte[] payload, int qos, Runnable ack) {
        offered.incrementAndGet();
        Inbound in = new Inbound(topic, payload, System.nanoTime(), ack);
        if (reserve(payload.length, qos == 0 ? maxBytes / 2 : maxBytes)) {
            if (queue.offer(in)) {
                return true;
            }
            bytes.addAndGet(-payload.length);
        }
        dropped.incrementAndGet();
        in.acknowledge();
        return false;
    }

    private boolean reserve(int length, long limit) {
        long now;
        do {
            now = bytes.get();
            if (now + length > limit) {
                return false;
            }
        } while (!bytes.compareAndSet(now, now + length));
        return true;
    }

    /** Puts a control message (a round close asked by the operator) at the tail; dropped when full. */
    boolean offerControl(Inbound in) {
        return queue.offer(in);
    }

    /** Waits up to {@code timeoutNanos} for a message; null when none came. */
    Inbound poll(long timeoutNanos) throws InterruptedException {
        Inbound in = timeoutNanos <= 0 ? queue.poll() : queue.poll(timeoutNanos, TimeUnit.NANOSECONDS);
        if (in != null) {
            bytes.addAndGet(-in.payload().length);
        }
        return in;
    }

    /** The most payload bytes queued ({@code inbox.maxBytes}). */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * The broker's in-flight window of QoS 1 bytes towards the gateway that keeps honest traffic from
     * ever being dropped from an inbox of {@code maxBytes}: half the byte bound (the other half is the
     * QoS 0 share), less one message of {@code largestMessage} bytes, by which a broker may overshoot
     * its window.
     *
     * @throws IllegalArgumentException when that leaves less than one message
     */
    public static long brokerWindowBytes(long maxBytes, long largestMessage) {
        long w = maxBytes / 2 - largestMessage;
        if (w < largestMessage) {
            throw new IllegalArgumentException("an inbox of " + maxBytes + " bytes leaves a broker window of " + w
                    + " bytes, less than one message of " + largestMessage + " bytes; give it at least " + 4 * largestMessage);
        }
        return w;
    }

    /** Payload bytes waiting. */
    public long queuedBytes() {
        return bytes.get();
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
