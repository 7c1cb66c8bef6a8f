package org.qoraedge.gateway.daemon;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.round.Inbox;
import org.qoraedge.gateway.round.Outbox;
import org.tinylog.Logger;

/**
 * The gateway's MQTT connection, and the round worker's {@link Outbox}. Besides the round worker's
 * topics it subscribes to the gateway's own retained topics (round announcement, model, status)
 * and keeps them as the gateway published them ({@link RetainedWatch}); it announces the gateway
 * online after every connect, and offline when it closes or, by its Will, when the connection dies.
 *
 * <p>Thread safety: {@link #publish} may be called from any thread. The message and connect
 * callbacks run on Paho's threads: they hand messages to the inbox, publish without waiting, or log.
 */
final class GatewayLink implements Outbox {
    private final MqttLink link;
    private final Inbox inbox;
    private final RetainedWatch retained;
    private final String statusTopic;
    private final byte[] online;
    private final byte[] offline;
    private final AtomicLong publishFailures = new AtomicLong();
    private final boolean inboundObserved;

    /**
     * Makes the link; it connects in {@link #connect}.
     *
     * @param nodeTopics the round worker's topics, subscribed to with QoS 1
     * @param inbox where updates go, to be acknowledged once the round worker made them durable
     * @param online the signed retained status published after every connect
     * @param offline the signed retained status of the Will, and published by {@link #publishOffline}
     * @param onLibraryFailure told when a thread of the MQTT library died; true to reconnect
     *     ({@link MqttLink.Events#libraryFailed})
     */
    GatewayLink(MqttSettings settings, Topics topics, List<String> nodeTopics, Inbox inbox, byte[] online, byte[] offline,
            BiPredicate<String, Throwable> onLibraryFailure) {
        this.inbox = inbox;
        this.inboundObserved = settings.inboundObserved();
        this.statusTopic = topics.gatewayStatus();
        this.online = online;
        this.offline = offline;
        this.retained = new RetainedWatch(Set.of(topics.round(), topics.model(), statusTopic));
        retained.ownStale(statusTopic, offline);
        List<MqttLink.Subscription> subscriptions = new ArrayList<>();
        for (String t : nodeTopics) {
            subscriptions.add(new MqttLink.Subscription(t, 1));
        }
        subscriptions.add(new MqttLink.Subscription(topics.round(), 1));
        subscriptions.add(new MqttLink.Subscription(topics.model(), 1));
        subscriptions.add(new MqttLink.Subscription(statusTopic, 1));
        MqttLink.Events events = new MqttLink.Events() {
            @Override
            public void refused(String reason, long bytes) {
                inbox.countRefusedBeforeDecoding();
            }

            @Override
            public boolean libraryFailed(String thread, Throwable failure) {
                return onLibraryFailure.test(thread, failure);
            }
        };
        // The callbacks run only once connect() has started Paho's threads, after this constructor.
        this.link = new MqttLink(settings, subscriptions, this::received, offlineWill(statusTopic, offline), this::connected, events);
    }

    /** The gateway's Will: its offline status, retained, QoS 1. */
    static MqttLink.Will offlineWill(String statusTopic, byte[] offline) {
        return new MqttLink.Will(statusTopic, offline, 1, true);
    }

    /** Connects and subscribes, retrying as {@link MqttLink#connect} does. */
    void connect() throws IOException {
        link.connect();
    }

    /** Publishes without waiting; never throws (a failure is counted and logged). */
    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain) {
        try {
            if (retain) {
                retained.publishing(topic, payload);
            }
            link.publish(topic, payload, qos, retain);
        } catch (MqttException | RuntimeException e) {
            publishFailures.incrementAndGet();
            Logger.warn("publish of {} bytes to {} failed: {}", payload.length, topic, e.getMessage());
        }
    }

    /**
     * Publishes the offline status (retained) when connected, waiting up to 2 s for the broker's
     * acknowledgement; never throws (logged at debug: the Will says the same if the connection dies).
     */
    void publishOffline() {
        try {
            if (link.isConnected()) {
                retained.publishing(statusTopic, offline);
                link.publish(statusTopic, offline, 1, true).waitForCompletion(2000);
            }
        } catch (MqttException | RuntimeException e) {
            Logger.debug("offline status not published: {}", e.getMessage());
        }
    }

    /** Disconnects cleanly (no Will), waiting up to {@code quiesce} for work in flight ({@link MqttLink#close(Duration)}). */
    void close(Duration quiesce) {
        link.close(quiesce);
    }

    /** Drops the connection without DISCONNECT, so the broker publishes the Will. */
    void killConnection() {
        link.killConnection();
    }

    /** True while connected. */
    boolean isConnected() {
        return link.isConnected();
    }

    /** Completed connects, the first one included. */
    long connectCount() {
        return link.connectCount();
    }

    /** {@link System#nanoTime} of the last byte received from the broker ({@link MqttLink#lastInboundNanos}). */
    long lastInboundNanos() {
        return link.lastInboundNanos();
    }

    /** Whether {@link #lastInboundNanos} is observed (the link's own sockets). */
    boolean inboundObserved() {
        return inboundObserved;
    }

    /** PUBLISH packets the receive window held back in the socket ({@link MqttLink#receiveWindowWaits}). */
    long receiveWindowWaits() {
        return link.receiveWindowWaits();
    }

    /** Messages the callback failed to hand over ({@link MqttLink#sinkFailures}). */
    long sinkFailures() {
        return link.sinkFailures();
    }

    /** Publishes Paho refused. */
    long publishFailures() {
        return publishFailures.get();
    }

    /** Times another client overwrote or cleared a retained topic of the gateway's and it was restored. */
    long retainedRestored() {
        return retained.restored();
    }

    /** On Paho's thread: an update goes to the inbox, a message on a retained topic of the gateway's is checked. */
    private void received(String topic, MqttMessage msg) {
        if (!retained.watches(topic)) {
            inbox.offer(topic, msg.getPayload(), msg.getQos(), () -> link.ack(msg));
            return;
        }
        link.ack(msg);
        RetainedWatch.Verdict v = retained.received(topic, msg.getPayload());
        if (v == null) {
            return;
        }
        if (v.attack()) {
            Logger.warn("{} was overwritten by another client ({} bytes): restored (attack suspected)", topic, msg.getPayload().length);
        }
        try {
            link.publish(topic, v.restore(), 1, true);
        } catch (MqttException e) {
            Logger.warn("could not restore {}: {}", topic, e.getMessage());
        }
    }

    /**
     * On Paho's thread, after every connect: the broker may hold older retained payloads (after a
     * restart from an older save), so the current announcement and model are published again, then
     * the online status.
     */
    private void connected() {
        try {
            for (Map.Entry<String, byte[]> e : retained.reconnected().entrySet()) {
                if (!e.getKey().equals(statusTopic)) {
                    retained.publishing(e.getKey(), e.getValue());
                    link.publish(e.getKey(), e.getValue(), 1, true);
                }
            }
            retained.publishing(statusTopic, online);
            link.publish(statusTopic, online, 1, true);
        } catch (MqttException e) {
            Logger.debug("retained publish after connecting failed: {}", e.getMessage());
        }
    }
}
