package org.qoraedge.gateway.round;

/**
 * A message handed from the MQTT callback to the round worker: its topic, payload (not copied),
 * arrival time ({@link System#nanoTime()}) and how to acknowledge it to the broker once the worker
 * has made it durable (null when the transport acknowledged it already).
 */
public record Inbound(String topic, byte[] payload, long arrivalNanos, Runnable ack) {
    public Inbound(String topic, byte[] payload, long arrivalNanos) {
        this(topic, payload, arrivalNanos, null);
    }

    /** Acknowledges the message, if it needs it; never throws. */
    void acknowledge() {
        if (ack != null) {
            try {
                ack.run();
            } catch (RuntimeException e) {
                // the broker redelivers an unacknowledged message; nothing else to do
            }
        }
    }
}
