package org.qoraedge.gateway.testing;

import java.util.ArrayList;
import java.util.List;
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
}
