package org.qoraedge.devicesim.sim;

import java.util.List;
import java.util.Map;

/**
 * What one round produced.
 *
 * @param round 1-based round number
 * @param accuracy test accuracy of the global model after this round, in [0, 1]
 * @param loss test loss (mean cross-entropy, nats) after this round; NaN or infinite if the model diverged
 * @param selected the ids whose blocks made the aggregate, in rank order (every id for the mean)
 * @param byzantineSelected how many of {@code selected} are Byzantine
 * @param rejected rejected updates by reason (always empty in process: nothing is on a wire)
 * @param closeMillis wall time from the last update to the new global model (encode, aggregate,
 *     decode, apply), milliseconds; the only field that is not deterministic
 * @param aggregateExponent the aggregate block's exponent
 * @param updateBytes the bytes of every update frame of the round as it would be on the wire
 *     (dense UPDATE or SPARSE UPDATE frames, HMAC-signed, the fleet's ids), 0 when not measured
 */
public record RoundRecord(int round, double accuracy, double loss, List<String> selected, int byzantineSelected,
        Map<String, Integer> rejected, double closeMillis, int aggregateExponent, long updateBytes) {
    public RoundRecord {
        selected = List.copyOf(selected);
        rejected = Map.copyOf(rejected);
    }

    /** A record whose update bytes were not measured. */
    public RoundRecord(int round, double accuracy, double loss, List<String> selected, int byzantineSelected,
            Map<String, Integer> rejected, double closeMillis, int aggregateExponent) {
        this(round, accuracy, loss, selected, byzantineSelected, rejected, closeMillis, aggregateExponent, 0);
    }

    /**
     * This record without its timing and its update bytes (measured in process only), for comparing
     * runs bit for bit, in process or over MQTT.
     */
    public RoundRecord withoutTiming() {
        return new RoundRecord(round, accuracy, loss, selected, byzantineSelected, rejected, 0, aggregateExponent, 0);
    }
}
