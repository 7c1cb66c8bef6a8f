package org.qoraedge.gateway.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The retained announcement of the round being collected (docs/PROTOCOL.md, "Round
 * announcement"). Immutable.
 *
 * @param round the round being collected
 * @param modelId the model id every update must carry
 * @param dimension the block dimension every update must have
 * @param maxFrameBytes the largest update frame accepted, {@code 291 + 2 * dimension}
 * @param deadlineEpochMillis when the round closes at the latest (gateway clock, informational)
 * @param aggregator {@code krum}, {@code multi-krum} or {@code mean}
 * @param metric {@code common} or {@code pairwise} (Krum family only)
 * @param f Byzantine nodes tolerated
 * @param m Multi-Krum's selection size, 0 for "n - 2f - 2 of the round"
 * @param modelDigest section 7 digest of the global model the round starts from
 * @param gatewayId the node id the gateway signs MODEL frames with
 * @param weighting true for a reputation-weighted round
 * @param cohort the nodes the round asks, in canonical order (section 6.2), or null when it asks
 *     every expected node (no {@code cohort} key)
 * @param buffered in buffered mode (section 6.3) its buffer size and staleness limit, the round
 *     being the model version; null in the synchronous mode (no {@code mode} key)
 */
public record RoundAnnouncement(String fleet, long round, String modelId, int dimension, long maxFrameBytes,
        long deadlineEpochMillis, String aggregator, String metric, int f, int m, String modelDigest, String gatewayId,
        boolean weighting, List<String> cohort, Buffered buffered) {

    /**
     * What an announcement of buffered mode adds (section 6.3): {@code mode=buffered},
     * {@code bufferSize=B}, {@code maxStaleness=S}.
     *
     * @param bufferSize the accepted updates per buffer, {@code >= 1}
     * @param maxStaleness the oldest version taken is this many behind the announced one, {@code >= 0}
     */
    public record Buffered(int bufferSize, int maxStaleness) {
    }

    public RoundAnnouncement {
        cohort = cohort == null ? null : List.copyOf(cohort);
    }

    /** An announcement of a synchronous round. */
    public RoundAnnouncement(String fleet, long round, String modelId, int dimension, long maxFrameBytes,
            long deadlineEpochMillis, String aggregator, String metric, int f, int m, String modelDigest, String gatewayId,
            boolean weighting, List<String> cohort) {
        this(fleet, round, modelId, dimension, maxFrameBytes, deadlineEpochMillis, aggregator, metric, f, m, modelDigest,
                gatewayId, weighting, cohort, null);
    }

    /** The oldest model version an update may be trained from (buffered mode), or this round (synchronous). */
    public long oldestVersionTaken() {
        return buffered == null ? round : Math.max(0, round - buffered.maxStaleness());
    }

    /** An announcement of a round that asks every expected node (no {@code cohort} key). */
    public RoundAnnouncement(String fleet, long round, String modelId, int dimension, long maxFrameBytes,
            long deadlineEpochMillis, String aggregator, String metric, int f, int m, String modelDigest, String gatewayId,
            boolean weighting) {
        this(fleet, round, modelId, dimension, maxFrameBytes, deadlineEpochMillis, aggregator, metric, f, m, modelDigest,
                gatewayId, weighting, null);
    }

    /** An announcement of an unweighted round (no {@code weighting} key). */
    public RoundAnnouncement(String fleet, long round, String modelId, int dimension, long maxFrameBytes,
            long deadlineEpochMillis, String aggregator, String metric, int f, int m, String modelDigest, String gatewayId) {
        this(fleet, round, modelId, dimension, maxFrameBytes, deadlineEpochMillis, aggregator, metric, f, m, modelDigest,
                gatewayId, false, null);
    }

    /** True when the round asks {@code nodeId} for an update: it draws no cohort, or the node is in it. */
    public boolean asks(String nodeId) {
        return cohort == null || cohort.contains(nodeId);
    }

    /** The protocol's version number carried in every text message as {@code protocol=1}. */
    public static final int PROTOCOL = 1;

    /**
     * The text message; {@code weighting=true} only for a reputation-weighted round, {@code cohort=}
     * only for a round that draws a cohort (additive keys older nodes ignore).
     */
    public TextMessage toMessage() {
        TextMessage.Builder b = TextMessage.builder()
                .put("protocol", PROTOCOL)
                .put("fleet", fleet)
                .put("round", round)
                .put("model", modelId)
                .put("dimension", dimension)
                .put("maxFrameBytes", maxFrameBytes)
                .put("deadline", deadlineEpochMillis)
                .put("aggregator", aggregator)
                .put("metric", metric)
                .put("f", f)
                .put("m", m)
                .put("modelDigest", modelDigest)
                .put("gateway", gatewayId);
        if (weighting) {
            b.put("weighting", "true");
        }
        if (cohort != null) {
            b.put("cohort", String.join(",", cohort));
        }
        if (buffered != null) {
            b.put("mode", "buffered").put("bufferSize", buffered.bufferSize()).put("maxStaleness", buffered.maxStaleness());
        }
        return b.build();
    }

    /** Reads an announcement; refuses another protocol version, a missing field or an int field beyond the int range. */
    public static RoundAnnouncement parse(byte[] payload) {
        TextMessage t = TextMessage.parse(payload);
        long protocol = t.requireLong("protocol");
        if (protocol != PROTOCOL) {
            throw new ProtocolException("announcement has protocol=" + protocol + "; this code speaks " + PROTOCOL);
        }
        return new RoundAnnouncement(t.require("fleet"), t.requireLong("round"), t.require("model"),
                t.requireInt("dimension"), t.requireLong("maxFrameBytes"), t.requireLong("deadline"),
                t.require("aggregator"), t.require("metric"), t.requireInt("f"), t.requireInt("m"),
                t.require("modelDigest"), t.require("gateway"), weighting(t.get("weighting")), cohort(t.get("cohort")), buffered(t));
    }

    private static Buffered buffered(TextMessage t) {
        String mode = t.get("mode");
        if (mode == null || mode.equals("sync")) {
            return null;
        }
        if (!mode.equals("buffered")) {
            throw new ProtocolException("announcement has mode=" + mode + "; must be sync or buffered");
        }
        int size = t.requireInt("bufferSize");
        int stale = t.requireInt("maxStaleness");
        if (size < 1 || stale < 0) {
            throw new ProtocolException("announcement has bufferSize=" + size + ", maxStaleness=" + stale
                    + "; must be >= 1 and >= 0");
        }
        return new Buffered(size, stale);
    }

    private static List<String> cohort(String v) {
        if (v == null) {
            return null;
        }
        List<String> ids = new ArrayList<>();
        if (!v.isEmpty()) {
            for (String id : v.split(",", -1)) {
                if (!Identifiers.isValid(id)) {
                    throw new ProtocolException("announcement's cohort names an invalid node id (" + id.length() + " chars)");
                }
                ids.add(id);
            }
        }
        return ids;
    }

    private static boolean weighting(String v) {
        if (v == null || v.equals("false")) {
            return false;
        }
        if (v.equals("true")) {
            return true;
        }
        throw new ProtocolException("announcement has weighting=" + v + "; must be true or false");
    }
}
