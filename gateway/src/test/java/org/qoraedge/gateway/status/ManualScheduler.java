package org.qoraedge.gateway.status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A buzzer timer that runs its steps only when the test advances its clock. */
final class ManualScheduler implements Pi4jStatusIndicator.Scheduler {
    private record Step(long at, long seq, Runnable task) {
    }

    private final List<Step> pending = new ArrayList<>();
    private long now;
    private long seq;
    private boolean closed;

    @Override
    public synchronized void schedule(long delayMillis, Runnable task) {
        if (closed) {
            throw new IllegalStateException("scheduler closed");
        }
        pending.add(new Step(now + delayMillis, seq++, task));
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    /** Moves the clock on by {@code millis}, running every step that falls due, in order. */
    void advance(long millis) {
        long until;
        synchronized (this) {
            until = now + millis;
        }
        while (true) {
            Step next;
            synchronized (this) {
                next = pending.stream().filter(s -> s.at() <= until)
                        .min(Comparator.comparingLong(Step::at).thenComparingLong(Step::seq)).orElse(null);
                if (next == null) {
                    now = until;
                    return;
                }
                pending.remove(next);
                now = next.at();
            }
            next.task().run();
        }
    }

    synchronized int pending() {
        return pending.size();
    }

    synchronized boolean closed() {
        return closed;
    }
}
