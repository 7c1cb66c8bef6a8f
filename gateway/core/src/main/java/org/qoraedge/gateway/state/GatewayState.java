package org.qoraedge.gateway.state;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.reputation.NodeReputation;

/**
 * What the gateway must not lose, as of the start of round {@link #round} (docs/STATE.md): the
 * global model that round trains, every node's last accepted sequence number, reputation and key,
 * the head of the audit chain and the last committed audit line. Immutable.
 *
 * @param fleet the fleet
 * @param gatewayId the gateway's id
 * @param round the round being collected (the next one to close)
 * @param modelId the model id
 * @param model the global model round {@code round} trains
 * @param sequences each node's last accepted sequence number, by node id
 * @param reputation each node's reputation, by node id
 * @param registry each node's key as {@code <scheme> <hex>} (the key file's line without the id), by node id
 * @param lastAuditLine the last audit line committed (null before the first round closed); the log
 *     on disk must end with it, and the next record's {@code prev} is its hash
 * @param roundsAggregated rounds that produced a model, since the state was created
 * @param roundsFailed rounds that failed closed, since the state was created
 * @param reference the previous round's aggregate, centered clipping's reference for round
 *     {@code round} (robust spec section 6); null when there is none (the zero block): before the
 *     first round, after a failed round, and for every other rule
 */
public record GatewayState(String fleet, String gatewayId, long round, String modelId, Bfp16Block model,
        SortedMap<String, Long> sequences, SortedMap<String, NodeReputation> reputation,
        SortedMap<String, String> registry, String lastAuditLine, long roundsAggregated, long roundsFailed,
        Bfp16Block reference) {

    /** A state without a reference block (every rule but centered clipping). */
    public GatewayState(String fleet, String gatewayId, long round, String modelId, Bfp16Block model,
            SortedMap<String, Long> sequences, SortedMap<String, NodeReputation> reputation,
            SortedMap<String, String> registry, String lastAuditLine, long roundsAggregated, long roundsFailed) {
        this(fleet, gatewayId, round, modelId, model, sequences, reputation, registry, lastAuditLine, roundsAggregated,
                roundsFailed, null);
    }

    public GatewayState {
        sequences = Collections.unmodifiableSortedMap(new TreeMap<>(sequences));
        reputation = Collections.unmodifiableSortedMap(new TreeMap<>(reputation));
        registry = Collections.unmodifiableSortedMap(new TreeMap<>(registry));
    }
}
