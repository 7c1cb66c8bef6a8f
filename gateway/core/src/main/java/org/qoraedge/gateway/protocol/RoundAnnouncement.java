package org.qoraedge.gateway.protocol;

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
 */
public record RoundAnnouncement(String fleet, long round, String modelId, int dimension, long maxFrameBytes,
        long deadlineEpochMillis, String aggregator, String metric, int f, int m, String modelDigest, String gatewayId,
        boolean weighting) {

    /** An announcement of an unweighted round (no {@code weighting} key). */
    public RoundAnnouncement(String fleet, long round, String modelId, int dimension, long maxFrameBytes,
            long deadlineEpochMillis, String aggregator, String metric, int f, int m, String modelDigest, String gatewayId) {
        this(fleet, round, modelId, dimension, maxFrameBytes, deadlineEpochMillis, aggregator, metric, f, m, modelDigest,
                gatewayId, false);
    }

    /** The protocol's version number carried in every text message as {@code protocol=1}. */
    public static final int PROTOCOL = 1;

    /** The text message; {@code weighting=true} only for a reputation-weighted round (an additive key older nodes ignore). */
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
                t.require("modelDigest"), t.require("gateway"), weighting(t.get("weighting")));
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
