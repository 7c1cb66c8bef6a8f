package org.qoraedge.gateway.daemon;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps the gateway's retained topics (round announcement, model, status) as the gateway last
 * published them. The gateway subscribes to them itself; every message that arrives there is
 * either the echo of its own publish, or somebody else's: an overwrite or an empty payload that
 * clears the topic. For those, {@link #received} answers the payload to publish again at once.
 *
 * <p>Echoes are told apart by order: the broker delivers a client's own publishes on one topic in
 * the order they were made, so each arrival is matched against the queue of payloads published
 * and not yet seen back. Thread-safe.
 */
final class RetainedWatch {
    /** What to do with a message on a watched topic. */
    record Verdict(byte[] restore, boolean attack) {
    }

    private static final int MAX_PENDING = 32;

    private final Set<String> topics;
    private final Map<String, ArrayDeque<byte[]>> pending = new HashMap<>();
    private final Map<String, byte[]> latest = new HashMap<>();
    private final Map<String, byte[]> stale = new HashMap<>();
    private long restored;

    RetainedWatch(Set<String> topics) {
        this.topics = Set.copyOf(topics);
    }

    boolean watches(String topic) {
        return topics.contains(topic);
    }

    /**
     * A payload of the gateway's own that may still be retained from before and is to be replaced
     * without counting it as an attack (the offline status its Will leaves behind).
     */
    synchronized void ownStale(String topic, byte[] payload) {
        stale.put(topic, payload.clone());
    }

    /** The gateway is about to publish {@code payload} retained on {@code topic}. */
    synchronized void publishing(String topic, byte[] payload) {
        if (!topics.contains(topic)) {
            return;
        }
        byte[] p = payload.clone();
        latest.put(topic, p);
        ArrayDeque<byte[]> q = pending.computeIfAbsent(topic, k -> new ArrayDeque<>());
        if (q.size() == MAX_PENDING) {
            q.removeFirst();
        }
        q.addLast(p);
    }

    /**
     * A message arrived on a watched topic.
     *
     * @return null when it is the gateway's own (an echo, or the current payload delivered again
     *     after a reconnect) or the gateway has not published the topic yet; otherwise the payload
     *     to publish again, and whether the arrival counts as an attack
     */
    synchronized Verdict received(String topic, byte[] payload) {
        ArrayDeque<byte[]> q = pending.get(topic);
        if (q != null) {
            int at = 0;
            for (byte[] p : q) {
                if (Arrays.equals(p, payload)) {
                    Iterator<byte[]> it = q.iterator();
                    for (int i = 0; i <= at; i++) {
                        it.next();
                        it.remove();
                    }
                    return null;
                }
                at++;
            }
        }
        byte[] current = latest.get(topic);
        if (current == null || Arrays.equals(current, payload)) {
            return null;
        }
        boolean attack = !Arrays.equals(stale.get(topic), payload);
        if (attack) {
            restored++;
        }
        publishing(topic, current);
        return new Verdict(current.clone(), attack);
    }

    /**
     * The connection was (re)established: echoes of publishes made before can no longer be told
     * apart from a broker that lost them (a broker restarted from an older save delivers the old
     * payload again, which would otherwise pass for a late echo), so the queue of expected echoes
     * is dropped and every watched topic's current payload is to be published again.
     *
     * @return topic to payload, for each watched topic the gateway has published
     */
    synchronized Map<String, byte[]> reconnected() {
        pending.clear();
        Map<String, byte[]> out = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : latest.entrySet()) {
            out.put(e.getKey(), e.getValue().clone());
        }
        return out;
    }

    /** Foreign overwrites restored so far. */
    synchronized long restored() {
        return restored;
    }
}
