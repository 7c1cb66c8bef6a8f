package org.qoraedge.gateway.round;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.tinylog.Logger;

/**
 * The bounded queue between MQTT callbacks and the round worker, bounded both by a count of
 * messages and by their payload bytes ({@code inbox.capacity}, {@code inbox.maxBytes}).
 *
 * <p>Why bytes: frames are up to {@code 291 + 2d} bytes, so a count alone let the queue hold
 * {@code capacity x 200 KB} at 100,000 parameters (a round of 1,000 nodes filled a 64 MiB heap with
 * queued frames).
 *
 * <p>What happens when a message does not fit depends on its QoS:
 * <ul>
 *   <li>QoS 1 (updates from nodes): {@link #offer} waits, at most {@link #MAX_WAIT_MILLIS}, for the
 *       round worker to take messages out. That holds up Paho's receiver, and TCP holds up the
 *       broker, which keeps the messages it has not delivered: back-pressure, and no honest update
 *       lost however many nodes send at once. The broker's own in-flight window cannot be relied on
 *       for this: Mosquitto 2.0.11 with {@code max_inflight_messages 20} delivered 192 messages
 *       that the client had not acknowledged, to a subscriber acknowledging each one 5 ms after it
 *       arrived while 300 clients published at once. The wait is bounded so that a stuck round
 *       worker cannot hold the MQTT connection for ever: a message still without room after it is
 *       dropped, counted and acknowledged (the node sees its update missing from the round record),
 *       and a WARN says so once.
 *   <li>QoS 0 (which anyone may publish at any rate, and which the broker never holds back): never
 *       waits, and may fill only half the byte bound; a message that does not fit is dropped and
 *       counted. A QoS 0 flood therefore cannot take the room that QoS 1 updates need.
 * </ul>
 * Bytes are counted from {@link #offer} until the round worker takes the message ({@link #poll}).
 * After {@link #close()} nothing waits: a message without room is left unacknowledged, so the
 * broker delivers it again to the restarted gateway's session.
 */
public final class Inbox {
    /** The default byte bound, {@code inbox.maxBytes}: 8 MiB, 40 frames of 100,000 parameters. */
    public static final long DEFAULT_MAX_BYTES = 8L << 20;
    /** The longest a QoS 1 message waits for room: well inside MQTT's keep-alive (30 s by default). */
    public static final long MAX_WAIT_MILLIS = 5_000;

    private final ArrayBlockingQueue<Inbound> queue;
    private final long maxBytes;
    private final long maxWaitNanos;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong waits = new AtomicLong();
    private final AtomicBoolean warnedFull = new AtomicBoolean();
    private final AtomicLong offered = new AtomicLong();
    private final AtomicLong refusedBeforeDecoding = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private volatile int waiting;
    private volatile boolean closed;

    /** An inbox of {@code capacity} messages and {@link #DEFAULT_MAX_BYTES}. */
    public Inbox(int capacity) {
        this(capacity, DEFAULT_MAX_BYTES);
    }

    /**
     * @param capacity the most messages queued, >= 1
     * @param maxBytes the most payload bytes queued, >= 2
     */
    public Inbox(int capacity, long maxBytes) {
        this(capacity, maxBytes, MAX_WAIT_MILLIS);
    }

    Inbox(int capacity, long maxBytes, long maxWaitMillis) {
        if (capacity < 1) {
            throw new IllegalArgumentException("inbox capacity must be >= 1, got " + capacity);
        }
        if (maxBytes < 2) {
            throw new IllegalArgumentException("inbox byte bound must be >= 2, got " + maxBytes);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBytes = maxBytes;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
    }

    /** Enqueues or drops a QoS 0 message that needs no acknowledgement; safe on any thread, never blocks. */
    public boolean offer(String topic, byte[] payload) {
        return offer(topic, payload, 0, null);
    }

    /** {@link #offer(String, byte[], int, Runnable)} for a QoS 1 message. */
    public boolean offer(String topic, byte[] payload, Runnable ack) {
        return offer(topic, payload, 1, ack);
    }

    /**
     * Enqueues, waits for room (QoS 1 and 2, at most {@link #MAX_WAIT_MILLIS}), or drops; never
     * throws. {@code ack} (may be null) is run by the round worker once the message is handled and
     * durable, or here at once when the message is dropped (a dropped message is counted, and must
     * not hold the broker's in-flight window).
     *
     * @param qos the QoS the message was delivered with: 0 never waits and may use half the byte
     *     bound, 1 or 2 may wait and use all of it
     * @return whether the message was queued
     */
    public boolean offer(String topic, byte[] payload, int qos, Runnable ack) {
        offered.incrementAndGet();
        Inbound in = new Inbound(topic, payload, System.nanoTime(), ack);
        if (tryEnqueue(in, qos == 0 ? maxBytes / 2 : maxBytes)) {
            return true;
        }
        if (qos > 0) {
            waits.incrementAndGet();
            if (awaitRoom(in)) {
                return true;
            }
            if (closed) {
                return false; // unacknowledged: the broker delivers it again after the restart
            }
            if (!warnedFull.getAndSet(true)) {
                Logger.warn("inbox full for {} ms ({} of {} bytes, {} messages): a QoS 1 message of {} bytes on {} dropped;"
                        + " the round worker is not keeping up (logged once)", TimeUnit.NANOSECONDS.toMillis(maxWaitNanos),
                        bytes.get(), maxBytes, queue.size(), payload.length, topic);
            }
        }
        dropped.incrementAndGet();
        in.acknowledge();
        return false;
    }

    private boolean tryEnqueue(Inbound in, long limit) {
        int length = in.payload().length;
        long now;
        do {
            now = bytes.get();
            if (now + length > limit) {
                return false;
            }
        } while (!bytes.compareAndSet(now, now + length));
        if (queue.offer(in)) {
            return true;
        }
        bytes.addAndGet(-length);
        return false;
    }

    /** Waits until {@code in} is queued (true), the wait times out or the inbox closes (false). */
    private boolean awaitRoom(Inbound in) {
        long left = maxWaitNanos;
        lock.lock();
        try {
            waiting++;
            while (!closed) {
                if (tryEnqueue(in, maxBytes)) {
                    return true;
                }
                if (left <= 0) {
                    return false;
                }
                left = room.awaitNanos(left);
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            waiting--;
            lock.unlock();
        }
    }

    /** Stops every wait for room, now and later (the gateway is stopping). */
    public void close() {
        closed = true;
        signalRoom();
    }

    private void signalRoom() {
        if (waiting > 0) {
            lock.lock();
            try {
                room.signalAll();
            } finally {
                lock.unlock();
            }
        }
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
            signalRoom();
        }
        return in;
    }

    /** The most payload bytes queued ({@code inbox.maxBytes}). */
    public long maxBytes() {
        return maxBytes;
    }

    /** QoS 1 messages that found no room at once and waited (back-pressure on the MQTT link). */
    public long waits() {
        return waits.get();
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
