package org.qoraedge.gateway.round;

/**
 * A message handed from the MQTT callback to the round worker: its topic, payload (not copied)
 * and arrival time ({@link System#nanoTime()}).
 */
public record Inbound(String topic, byte[] payload, long arrivalNanos) {
}
