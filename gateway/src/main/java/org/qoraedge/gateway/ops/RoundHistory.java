package org.qoraedge.gateway.ops;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.qoraedge.gateway.round.RoundListener;
import org.qoraedge.gateway.round.RoundReport;

/**
 * The last rounds' outcomes and when each node was last heard of, for the status page. Written by
 * {@link #roundClosed} on the round worker, read by the endpoint's threads (both synchronized: a
 * round closes at most a few times a second, a page asks once a second).
 */
public final class RoundHistory implements RoundListener {
    /** Rounds kept. */
    public static final int KEPT = 20;

    /**
     * One closed round.
     *
     * @param closedAtMillis wall-clock time the listener heard of the close (epoch milliseconds)
     */
    public record Entry(long round, boolean aggregated, String failure, int accepted, long rejected, long closeMillis,
            long durationMillis, boolean deadlineReached, long closedAtMillis) {
    }

    private final ArrayDeque<Entry> rounds = new ArrayDeque<>();
    /** Per node id (registry ids only): wall-clock time of the last closed round that accepted or rejected a frame of it. */
    private final Map<String, Long> lastSeen = new TreeMap<>();
    private final Set<String> registered;
    /** Rejections since start as the coordinator counted them when the last round closed (the open round's are the rest). */
    private long rejectedAtLastClose;

    public RoundHistory(Set<String> registered) {
        this.registered = Set.copyOf(registered);
    }

    @Override
    public synchronized void roundClosed(RoundReport r) {
        long now = System.currentTimeMillis();
        rounds.addFirst(new Entry(r.round(), r.aggregated(), r.failure(), r.acceptedIds().size(), r.rejectedTotal(),
                r.closeNanos() / 1_000_000L, r.durationNanos() / 1_000_000L, r.deadlineReached(), now));
        while (rounds.size() > KEPT) {
            rounds.removeLast();
        }
        for (String id : r.acceptedIds()) {
            lastSeen.put(id, now);
        }
        for (String id : r.rejectedByNode().keySet()) {
            if (registered.contains(id)) {
                lastSeen.put(id, now);
            }
        }
    }

    /** Remembers the coordinator's rejection total at a close, so that the open round's count is the difference. */
    synchronized void rejectedAtClose(long total) {
        rejectedAtLastClose = total;
    }

    synchronized long rejectedAtLastClose() {
        return rejectedAtLastClose;
    }

    /** The last rounds, newest first. */
    public synchronized List<Entry> rounds() {
        return new ArrayList<>(rounds);
    }

    /** Epoch milliseconds at which each node was last seen (absent: not since start). */
    public synchronized Map<String, Long> lastSeen() {
        return new TreeMap<>(lastSeen);
    }
}
