package org.qoraedge.gateway.ops;

import java.util.Set;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.round.CoordinatorStatus;

/**
 * What the operations endpoint reads from a running gateway. Every method is called from the
 * endpoint's threads (a scrape, a page refresh, the watchdog): each must be safe from any thread,
 * cheap and must not block.
 */
public interface OpsView {
    CoordinatorStatus status();

    /** {@link System#nanoTime} of the round worker's last step. */
    long lastStepNanos();

    /** The hash of the last audit record. */
    String auditHead();

    /** The reputation ledger, or null without one. */
    ReputationLedger reputation();

    /** The ids of the key registry: the only values the {@code node} label takes (others count as {@code unregistered}). */
    Set<String> registeredNodes();

    boolean mqttConnected();

    /** Completed connects of the gateway's MQTT link, the first one included. */
    long mqttConnects();

    /** {@link System#nanoTime} of the last byte the link received, {@link Long#MIN_VALUE} before any. */
    long mqttLastInboundNanos();

    /** Whether {@link #mqttLastInboundNanos} is observed (see {@link Health}). */
    boolean mqttInboundObserved();

    int mqttKeepAliveSeconds();

    /** Messages dropped because the inbox was full. */
    long inboxDropped();

    /** PUBLISH packets refused before decoding (oversize, a topic the client cannot decode, malformed). */
    long refusedBeforeDecoding();

    /** Publishes the MQTT client refused. */
    long publishFailures();

    /** Messages the MQTT callback failed to hand to the inbox (an exception in the handover, counted and swallowed). */
    long sinkFailures();

    /** Messages waiting in the inbox. */
    int inboxQueued();

    /** Payload bytes waiting in the inbox (bounded by {@code inbox.maxBytes}). */
    long inboxQueuedBytes();

    /** QoS 1 messages that found the inbox full and waited for room (back-pressure on the MQTT link). */
    long inboxWaits();

    /** PUBLISH packets whose body waited in the socket for room in the link's receive window. */
    long receiveWindowWaits();
}
