package org.qoraedge.gateway.round;

/**
 * Where the round worker publishes. Implementations must not block for long and must not throw:
 * a failed publish is counted and logged by the implementation (the round goes on; retained
 * messages are published again with the next round).
 */
public interface Outbox {
    void publish(String topic, byte[] payload, int qos, boolean retained);
}
