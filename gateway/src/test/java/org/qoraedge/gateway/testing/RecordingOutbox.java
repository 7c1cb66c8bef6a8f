package org.qoraedge.gateway.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.round.Outbox;

/** Records what the coordinator publishes; thread-safe. */
public final class RecordingOutbox implements Outbox {
    /** One publication. */
    public record Published(String topic, byte[] payload, int qos, boolean retained) {
    }

    private final List<Published> published = new ArrayList<>();

    @Override
    public synchronized void publish(String topic, byte[] payload, int qos, boolean retained) {
        published.add(new Published(topic, payload, qos, retained));
        notifyAll();
    }

    public synchronized List<Published> published() {
        return List.copyOf(published);
    }

    public synchronized List<Published> on(String topic) {
        List<Published> out = new ArrayList<>();
        for (Published p : published) {
            if (p.topic().equals(topic)) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The announcement of {@code round} published on {@code topic}, waiting up to 10 s for it: a
     * coordinator announces the next round after its listeners heard of the close.
     */
    public RoundAnnouncement awaitAnnouncement(String topic, long round) throws InterruptedException {
        Published p = await(topic, payload -> RoundAnnouncement.parse(payload).round() == round, "the announcement of round " + round);
        return RoundAnnouncement.parse(p.payload());
    }

    /** The first publication on {@code topic} whose payload passes {@code test}, waiting up to 10 s for it. */
    public synchronized Published await(String topic, Predicate<byte[]> test, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int seen = 0;;) {
            for (; seen < published.size(); seen++) {
                Published p = published.get(seen);
                if (p.topic().equals(topic) && test.test(p.payload())) {
                    return p;
                }
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(what + " was not published on " + topic + " within 10 s");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
