package org.qoraedge.gateway.audit;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.qoraedge.gateway.aggregation.AggregationResult;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.RoundClose;

/**
 * One round's audit record (docs/AUDIT.md): what the round received, what it computed and what it
 * changed. Immutable; arrays are copied in and out. {@link #toJson()} gives the record's body, a
 * single line of JSON with the keys in a fixed order; {@link AuditLog} chains and signs it.
 *
 * @param fleet the fleet
 * @param gatewayId the gateway's id
 * @param gatewayKey the gateway's Ed25519 public key, 64 hex digits (the key that signs the record)
 * @param round the round number
 * @param prev SHA-256 (hex) of the previous record's full line; 64 zeros for the first record
 * @param outcome {@code aggregated} or {@code failed}
 * @param failure why the round failed closed ("" when aggregated)
 * @param config the configuration that applied
 * @param modelBefore digest (spec section 7) of the global model the round trained
 * @param frames every frame received this round, in arrival order (at most the configured cap)
 * @param framesOmitted frames received beyond the cap (counted only)
 * @param canonicalOrder accepted node ids in canonical order
 * @param scores Krum scores by canonical index (empty for the mean or a failed round)
 * @param ranking canonical indices by (score, index)
 * @param selected selected canonical indices in rank order
 * @param kept for each norm screen of the round's pipeline, the canonical indices it kept, ascending
 *     (robust spec section 8; empty for the other rules, and then not written)
 * @param referenceDigest the digest (spec section 7) of centered clipping's reference block, the
 *     previous round's aggregate or the zero block (robust spec section 8); "" for the other rules,
 *     and then not written
 * @param deviations each accepted update's deviation from the aggregate by canonical index, the
 *     reputation measure of the rules without Krum scores (docs/REPUTATION.md); empty for Krum,
 *     Multi-Krum and failed rounds, and then not written
 * @param weights the integer weight of each accepted update by canonical index when the round was
 *     reputation-weighted (docs/REPUTATION.md section 7); empty otherwise, and then not written
 * @param referenceExponent COMMON's reference exponent (0 otherwise)
 * @param aggregateDigest digest of the aggregated update ("" when failed)
 * @param modelAfter digest of the global model after the round
 * @param reputation reputation changes, sorted by node id
 * @param operator operator actions applied in this round (ban lifts), in the order applied
 * @param timing wall-clock facts (not part of what replay recomputes)
 * @param framesKept true when the round's accepted frames were kept in the state directory
 */
public record AuditRecord(String fleet, String gatewayId, String gatewayKey, long round, String prev, String outcome,
        String failure, Config config, String modelBefore, List<FrameEntry> frames, long framesOmitted,
        List<String> canonicalOrder, long[] scores, int[] ranking, int[] selected, List<int[]> kept, String referenceDigest,
        long[] deviations, long[] weights, int referenceExponent, String aggregateDigest, String modelAfter,
        List<ReputationChange> reputation, List<OperatorAction> operator, Timing timing, boolean framesKept) {

    /** A record of a round without a pipeline's norm screens (nothing {@link #kept}). */
    public AuditRecord(String fleet, String gatewayId, String gatewayKey, long round, String prev, String outcome,
            String failure, Config config, String modelBefore, List<FrameEntry> frames, long framesOmitted,
            List<String> canonicalOrder, long[] scores, int[] ranking, int[] selected, int referenceExponent,
            String aggregateDigest, String modelAfter, List<ReputationChange> reputation, List<OperatorAction> operator,
            Timing timing, boolean framesKept) {
        this(fleet, gatewayId, gatewayKey, round, prev, outcome, failure, config, modelBefore, frames, framesOmitted,
                canonicalOrder, scores, ranking, selected, List.of(), "", new long[0], new long[0], referenceExponent, aggregateDigest,
                modelAfter, reputation, operator, timing, framesKept);
    }

    /** The format name written in every record; a reader refuses any other. */
    public static final String FORMAT = "qora-audit/1";
    /** {@link #prev} of a log's first record. */
    public static final String GENESIS = "0".repeat(64);

    public AuditRecord {
        frames = List.copyOf(frames);
        canonicalOrder = List.copyOf(canonicalOrder);
        scores = scores.clone();
        ranking = ranking.clone();
        selected = selected.clone();
        kept = copyOf(kept);
        deviations = deviations.clone();
        weights = weights.clone();
        reputation = List.copyOf(reputation);
        operator = List.copyOf(operator);
        if (!outcome.equals("aggregated") && !outcome.equals("failed")) {
            throw new AuditException("audit record outcome must be aggregated or failed, got " + outcome);
        }
    }

    @Override
    public long[] scores() {
        return scores.clone();
    }

    @Override
    public int[] ranking() {
        return ranking.clone();
    }

    @Override
    public int[] selected() {
        return selected.clone();
    }

    @Override
    public long[] deviations() {
        return deviations.clone();
    }

    @Override
    public long[] weights() {
        return weights.clone();
    }

    /** For each norm screen of the round's pipeline, the canonical indices it kept (copies); empty otherwise. */
    @Override
    public List<int[]> kept() {
        return copyOf(kept);
    }

    private static List<int[]> copyOf(List<int[]> lists) {
        List<int[]> out = new ArrayList<>(lists.size());
        for (int[] x : lists) {
            out.add(x.clone());
        }
        return Collections.unmodifiableList(out);
    }

    /** True when the round produced a new model. */
    public boolean aggregated() {
        return outcome.equals("aggregated");
    }

    /** This record with another {@code prev} (the log sets it when appending). */
    public AuditRecord withPrev(String p) {
        return new AuditRecord(fleet, gatewayId, gatewayKey, round, p, outcome, failure, config, modelBefore, frames,
                framesOmitted, canonicalOrder, scores, ranking, selected, kept, referenceDigest, deviations, weights, referenceExponent,
                aggregateDigest, modelAfter, reputation, operator, timing, framesKept);
    }

    /** This record with another {@code config} (an auditor's or a test's what-if: the signature no longer covers it). */
    public AuditRecord withConfig(Config c) {
        return new AuditRecord(fleet, gatewayId, gatewayKey, round, prev, outcome, failure, c, modelBefore, frames,
                framesOmitted, canonicalOrder, scores, ranking, selected, kept, referenceDigest, deviations, weights, referenceExponent,
                aggregateDigest, modelAfter, reputation, operator, timing, framesKept);
    }

    /**
     * The aggregation settings that applied.
     *
     * @param aggregator wire name ({@code krum}, {@code multi-krum}, {@code mean})
     * @param metric {@code common}, {@code pairwise} or {@code none}
     * @param f assumed Byzantine nodes
     * @param m Multi-Krum selection size (0 otherwise)
     * @param minUpdates the configured minimum number of accepted updates (the quorum is the larger
     *     of it and what the rule needs)
     * @param dimension model dimension
     * @param modelId model id
     * @param reputationSettings the reputation settings' canonical text ("" without reputation)
     * @param expected the expected node ids, sorted (those not accepted are absent, for reputation);
     *     in a cohort round, the cohort
     * @param cohort what the round's cohort was drawn from, or null when the round asked every
     *     expected node (then not written)
     * @param buffered the buffered mode's parameters when the record is of a buffer
     *     ({@code round.mode = buffered}, docs/PROTOCOL.md section 6.3), null for a synchronous round
     *     (then not written)
     * @param centralNoise the central noise added to the aggregate (docs/PRIVACY.md), null for none
     *     (then not written)
     * @param maxNonZero {@code round.maxNonZero}: the most non-zero coordinates an accepted update
     *     may have; 0 when updates were not bounded (then not written)
     */
    public record Config(String aggregator, String metric, int f, int m, int minUpdates, int dimension, String modelId,
            String reputationSettings, List<String> expected, CohortInputs cohort, BufferedInputs buffered,
            CentralNoiseInputs centralNoise, int maxNonZero) {
        public Config {
            expected = List.copyOf(expected);
        }

        /** A config without central noise or a bound on non-zero coordinates. */
        public Config(String aggregator, String metric, int f, int m, int minUpdates, int dimension, String modelId,
                String reputationSettings, List<String> expected, CohortInputs cohort, BufferedInputs buffered) {
            this(aggregator, metric, f, m, minUpdates, dimension, modelId, reputationSettings, expected, cohort, buffered, null, 0);
        }

        /** This config, of a round whose aggregate got central noise {@code n} (null: none). */
        public Config withCentralNoise(CentralNoiseInputs n) {
            return new Config(aggregator, metric, f, m, minUpdates, dimension, modelId, reputationSettings, expected, cohort,
                    buffered, n, maxNonZero);
        }

        /** This config, of a round that refused updates with more than {@code k} non-zero coordinates (0: no bound). */
        public Config withMaxNonZero(int k) {
            return new Config(aggregator, metric, f, m, minUpdates, dimension, modelId, reputationSettings, expected, cohort,
                    buffered, centralNoise, k);
        }

        /** A config of a synchronous round. */
        public Config(String aggregator, String metric, int f, int m, int minUpdates, int dimension, String modelId,
                String reputationSettings, List<String> expected, CohortInputs cohort) {
            this(aggregator, metric, f, m, minUpdates, dimension, modelId, reputationSettings, expected, cohort, null);
        }

        /** This config, of a buffer of buffered mode with {@code b}. */
        public Config withBuffered(BufferedInputs b) {
            return new Config(aggregator, metric, f, m, minUpdates, dimension, modelId, reputationSettings, expected, cohort, b,
                    centralNoise, maxNonZero);
        }

        /** A config of a round that asked every expected node. */
        public Config(String aggregator, String metric, int f, int m, int minUpdates, int dimension, String modelId,
                String reputationSettings, List<String> expected) {
            this(aggregator, metric, f, m, minUpdates, dimension, modelId, reputationSettings, expected, null);
        }

        /** The config of a round run with {@code a}, in the record's words. */
        public static Config of(AggregationSettings a, int dimension, String modelId, String reputationSettings,
                List<String> expected) {
            return of(a, dimension, modelId, reputationSettings, expected, null);
        }

        /** The config of a round run with {@code a} that drew {@code expected} as its cohort from {@code cohort} (null: no cohort). */
        public static Config of(AggregationSettings a, int dimension, String modelId, String reputationSettings,
                List<String> expected, CohortInputs cohort) {
            return new Config(a.ruleName(), a.metricName(), a.f(), a.m(), a.minUpdates(), dimension, modelId,
                    reputationSettings, expected, cohort);
        }

        /** A config without expected nodes (records of rounds that keep no reputation). */
        public Config(String aggregator, String metric, int f, int m, int minUpdates, int dimension, String modelId,
                String reputationSettings) {
            this(aggregator, metric, f, m, minUpdates, dimension, modelId, reputationSettings, List.of());
        }
    }

    /**
     * The parameters of a buffer of buffered mode (docs/PROTOCOL.md section 6.3). The record's round
     * is the buffer's version (the version of {@code modelBefore}); each accepted frame's {@code round}
     * is the version it was trained from, and {@code weights} holds each accepted update's staleness
     * weight {@code 2^(maxStaleness - (round - frame round))} by canonical index.
     *
     * @param bufferSize {@code round.bufferSize}
     * @param maxStaleness {@code round.maxStaleness}
     * @param serverStepShift {@code round.serverStepShift} ({@code modelAfter} is {@code modelBefore} plus
     *     the aggregate times {@code 2^-serverStepShift}); written only when not 0, so records of
     *     gateways before the key read as 0
     */
    public record BufferedInputs(int bufferSize, int maxStaleness, int serverStepShift) {
        /** A buffer with a server step of 1. */
        public BufferedInputs(int bufferSize, int maxStaleness) {
            this(bufferSize, maxStaleness, 0);
        }
    }

    /**
     * The central noise of a round (docs/PRIVACY.md, "Central DP"): the aggregate got discrete
     * Gaussian noise of variance {@code sigma2} in its least significant bits, drawn from a seed
     * derived from the operator's secret, the round and the un-noised aggregate; {@code modelAfter}
     * is the model before plus the noised aggregate, and centered clipping's next reference is the
     * noised aggregate. Replay checks {@code modelAfter} only when given the secret.
     *
     * @param sigma2 {@code sigma^2} in lowest terms, {@code p/q} or {@code p}
     */
    public record CentralNoiseInputs(String sigma2) {
    }

    /**
     * What a cohort round's cohort was drawn from (docs/PROTOCOL.md section 6.2); the cohort itself is
     * {@link Config#expected}. Replay draws it again from these, the record's {@code modelBefore} and
     * its round.
     *
     * @param size the configured cohort size K ({@code round.cohort})
     * @param eligible the expected nodes not banned at the round's start, in canonical order
     * @param byzantineFraction the declared Byzantine fraction in lowest terms ({@code 3/10}), "" when
     *     none was declared
     * @param f {@code floor(fraction * cohort size)}, -1 when no fraction was declared
     */
    public record CohortInputs(int size, List<String> eligible, String byzantineFraction, int f) {
        public CohortInputs {
            eligible = List.copyOf(eligible);
        }
    }

    /**
     * One frame received.
     *
     * @param node node id from the update topic
     * @param round the frame's round (-1 when the header could not be parsed)
     * @param sequence the frame's sequence (-1 when unparsed)
     * @param frameDigest SHA-256 (hex) of the whole payload
     * @param blockDigest digest of the block (spec section 7) for accepted frames, "" otherwise
     * @param status {@code accepted} or the rejection reason's wire name
     */
    public record FrameEntry(String node, long round, long sequence, String frameDigest, String blockDigest, String status) {
        public boolean accepted() {
            return status.equals("accepted");
        }
    }

    /** A node's reputation before and after the round (parts per million) and why. */
    public record ReputationChange(String node, int before, int after, String reason) {
        /** The record of a change the reputation ledger made. */
        public static ReputationChange of(org.qoraedge.gateway.reputation.ReputationChange c) { // fully qualified: the ledger's, beside this record's
            return new ReputationChange(c.node(), c.before(), c.after(), c.reasonsText());
        }

        @Override
        public String toString() {
            return node + " " + before + " -> " + after + " " + reason;
        }
    }

    /** An operator action, e.g. {@code unban}. */
    public record OperatorAction(String action, String node, String detail) {
    }

    /**
     * Wall-clock and intake facts; replay ignores them.
     *
     * @param inboxDropped messages dropped this round because the gateway's queue was full (a flood);
     *     they never reached verification, so they are not in {@code frames}. Written only when not 0.
     */
    public record Timing(long openedAtMillis, long closedAtMillis, long closeMicros, boolean deadlineReached, int restarts,
            long inboxDropped) {
        public Timing(long openedAtMillis, long closedAtMillis, long closeMicros, boolean deadlineReached, int restarts) {
            this(openedAtMillis, closedAtMillis, closeMicros, deadlineReached, restarts, 0);
        }
    }

    /** A builder for the record of a round the gateway closed; {@link #prev} is set when the log appends it. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Assembles a record step by step, in the order a round closes: who and which round, the
     * configuration, the frames received, how the round closed, what reputation and the operator
     * changed, when. Every field not set is empty.
     */
    public static final class Builder {
        private String fleet = "";
        private String gatewayId = "";
        private String gatewayKey = "";
        private long round;
        private Config config;
        private String modelBefore = "";
        private List<FrameEntry> frames = List.of();
        private long framesOmitted;
        private boolean framesKept;
        private RoundClose.Outcome outcome;
        private String modelAfter = "";
        private String referenceDigest = "";
        private List<ReputationChange> reputation = List.of();
        private List<OperatorAction> operator = List.of();
        private Timing timing;

        private Builder() {
        }

        /** The gateway that closed the round: its fleet, id and Ed25519 public key (hex). */
        public Builder gateway(String fleetName, String id, String publicKeyHex) {
            this.fleet = fleetName;
            this.gatewayId = id;
            this.gatewayKey = publicKeyHex;
            return this;
        }

        public Builder round(long r) {
            this.round = r;
            return this;
        }

        public Builder config(Config c) {
            this.config = c;
            return this;
        }

        /** The digest of the model the round trained. */
        public Builder modelBefore(String digest) {
            this.modelBefore = digest;
            return this;
        }

        /** The frames listed (at most the cap), those beyond it, and whether the accepted ones were kept. */
        public Builder frames(List<FrameEntry> listed, long omitted, boolean kept) {
            this.frames = listed;
            this.framesOmitted = omitted;
            this.framesKept = kept;
            return this;
        }

        /**
         * How the round closed: outcome, failure, canonical order, Krum's evidence and the aggregate;
         * {@code modelAfterDigest} is the digest of {@code o.modelAfter()}, which the caller has
         * computed already.
         */
        public Builder outcome(RoundClose.Outcome o, String modelAfterDigest) {
            this.outcome = o;
            this.modelAfter = modelAfterDigest;
            return this;
        }

        /** The digest of centered clipping's reference block ("" for the other rules). */
        public Builder referenceDigest(String digest) {
            this.referenceDigest = digest;
            return this;
        }

        public Builder reputation(List<ReputationChange> changes) {
            this.reputation = changes;
            return this;
        }

        public Builder operator(List<OperatorAction> actions) {
            this.operator = actions;
            return this;
        }

        public Builder timing(Timing t) {
            this.timing = t;
            return this;
        }

        /** The record, with {@code prev} = {@link #GENESIS} until the log chains it. */
        public AuditRecord build() {
            if (config == null || outcome == null || timing == null) {
                throw new AuditException("an audit record needs its config, outcome and timing");
            }
            AggregationResult res = outcome.result();
            return new AuditRecord(fleet, gatewayId, gatewayKey, round, GENESIS, outcome.aggregated() ? "aggregated" : "failed",
                    outcome.failure(), config, modelBefore, frames, framesOmitted, outcome.acceptedIds(),
                    res == null ? new long[0] : res.scores(), res == null ? new int[0] : res.ranking(),
                    res == null ? new int[0] : res.selected(), res == null ? List.of() : res.kept(), referenceDigest,
                    res == null ? new long[0] : res.deviations(), res == null ? new long[0] : res.weights(),
                    res == null ? 0 : res.referenceExponent(),
                    res == null ? "" : res.aggregateDigest(), modelAfter, reputation, operator, timing, framesKept);
        }
    }

    /** The record's body as one line of JSON, keys in a fixed order. */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("fleet", fleet);
        o.addProperty("gateway", gatewayId);
        o.addProperty("gatewayKey", gatewayKey);
        o.addProperty("round", round);
        o.addProperty("prev", prev);
        o.addProperty("outcome", outcome);
        o.addProperty("failure", failure);
        JsonObject c = new JsonObject();
        c.addProperty("aggregator", config.aggregator());
        c.addProperty("metric", config.metric());
        c.addProperty("f", config.f());
        c.addProperty("m", config.m());
        c.addProperty("minUpdates", config.minUpdates());
        c.addProperty("dimension", config.dimension());
        c.addProperty("modelId", config.modelId());
        c.addProperty("reputation", config.reputationSettings());
        c.add("expected", strings(config.expected()));
        if (config.cohort() != null) { // only cohort rounds have it: every other record is as before
            CohortInputs ci = config.cohort();
            JsonObject k = new JsonObject();
            k.addProperty("size", ci.size());
            k.add("eligible", strings(ci.eligible()));
            if (!ci.byzantineFraction().isEmpty()) {
                k.addProperty("byzantineFraction", ci.byzantineFraction());
                k.addProperty("f", ci.f());
            }
            c.add("cohort", k);
        }
        if (config.buffered() != null) { // only buffers of buffered mode have it
            JsonObject b = new JsonObject();
            b.addProperty("bufferSize", config.buffered().bufferSize());
            b.addProperty("maxStaleness", config.buffered().maxStaleness());
            if (config.buffered().serverStepShift() != 0) {
                b.addProperty("serverStepShift", config.buffered().serverStepShift());
            }
            c.add("buffered", b);
        }
        if (config.centralNoise() != null) { // only rounds with central noise have it
            JsonObject n = new JsonObject();
            n.addProperty("sigma2", config.centralNoise().sigma2());
            c.add("centralNoise", n);
        }
        if (config.maxNonZero() != 0) { // only rounds with round.maxNonZero have it
            c.addProperty("maxNonZero", config.maxNonZero());
        }
        o.add("config", c);
        o.addProperty("modelBefore", modelBefore);
        JsonArray fr = new JsonArray();
        for (FrameEntry f : frames) {
            JsonObject e = new JsonObject();
            e.addProperty("node", f.node());
            e.addProperty("round", f.round());
            e.addProperty("sequence", f.sequence());
            e.addProperty("frame", f.frameDigest());
            e.addProperty("block", f.blockDigest());
            e.addProperty("status", f.status());
            fr.add(e);
        }
        o.add("frames", fr);
        o.addProperty("framesOmitted", framesOmitted);
        o.add("canonicalOrder", strings(canonicalOrder));
        o.add("scores", longStrings(scores));
        o.add("ranking", ints(ranking));
        o.add("selected", ints(selected));
        if (!kept.isEmpty()) { // only pipelines with a norm screen have it: every other record is as before
            JsonArray k = new JsonArray();
            for (int[] x : kept) {
                k.add(ints(x));
            }
            o.add("kept", k);
        }
        if (!referenceDigest.isEmpty()) { // only centered clipping has it
            o.addProperty("referenceDigest", referenceDigest);
        }
        if (deviations.length != 0) { // only the rules without Krum scores have them
            o.add("deviations", longStrings(deviations));
        }
        if (weights.length != 0) { // only reputation-weighted rounds have them
            o.add("weights", longStrings(weights));
        }
        o.addProperty("referenceExponent", referenceExponent);
        o.addProperty("aggregateDigest", aggregateDigest);
        o.addProperty("modelAfter", modelAfter);
        JsonArray rep = new JsonArray();
        for (ReputationChange r : reputation) {
            JsonObject e = new JsonObject();
            e.addProperty("node", r.node());
            e.addProperty("before", r.before());
            e.addProperty("after", r.after());
            e.addProperty("reason", r.reason());
            rep.add(e);
        }
        o.add("reputation", rep);
        JsonArray op = new JsonArray();
        for (OperatorAction a : operator) {
            JsonObject e = new JsonObject();
            e.addProperty("action", a.action());
            e.addProperty("node", a.node());
            e.addProperty("detail", a.detail());
            op.add(e);
        }
        o.add("operator", op);
        JsonObject t = new JsonObject();
        t.addProperty("openedAtMillis", timing.openedAtMillis());
        t.addProperty("closedAtMillis", timing.closedAtMillis());
        t.addProperty("closeMicros", timing.closeMicros());
        t.addProperty("deadlineReached", timing.deadlineReached());
        t.addProperty("restarts", timing.restarts());
        if (timing.inboxDropped() != 0) {
            t.addProperty("inboxDropped", timing.inboxDropped());
        }
        o.add("timing", t);
        o.addProperty("framesKept", framesKept);
        return o.toString();
    }

    /** Parses a record body (as {@link #toJson()} writes it); refuses a missing key or another format. */
    public static AuditRecord parse(String json) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new AuditException("audit record is not a JSON object");
            }
            o = e.getAsJsonObject();
        } catch (JsonSyntaxException e) {
            throw new AuditException("audit record is not valid JSON: " + e.getMessage(), e);
        }
        try {
            String format = str(o, "format");
            if (!format.equals(FORMAT)) {
                throw new AuditException("audit record format " + format + " is not " + FORMAT);
            }
            JsonObject c = obj(o, "config");
            Config config = new Config(str(c, "aggregator"), str(c, "metric"), integer(c, "f"), integer(c, "m"),
                    integer(c, "minUpdates"), integer(c, "dimension"), str(c, "modelId"), str(c, "reputation"),
                    stringList(arr(c, "expected")), cohortInputs(c), c.has("buffered")
                            ? new BufferedInputs(integer(obj(c, "buffered"), "bufferSize"), integer(obj(c, "buffered"), "maxStaleness"),
                            obj(c, "buffered").has("serverStepShift") ? integer(obj(c, "buffered"), "serverStepShift") : 0)
                            : null, c.has("centralNoise") ? new CentralNoiseInputs(str(obj(c, "centralNoise"), "sigma2")) : null,
                    c.has("maxNonZero") ? integer(c, "maxNonZero") : 0);
            List<FrameEntry> frames = new ArrayList<>();
            for (JsonElement el : arr(o, "frames")) {
                JsonObject f = el.getAsJsonObject();
                frames.add(new FrameEntry(str(f, "node"), lng(f, "round"), lng(f, "sequence"), str(f, "frame"),
                        str(f, "block"), str(f, "status")));
            }
            List<String> order = stringList(arr(o, "canonicalOrder"));
            long[] scores = longArray(arr(o, "scores"));
            List<ReputationChange> rep = new ArrayList<>();
            for (JsonElement el : arr(o, "reputation")) {
                JsonObject r = el.getAsJsonObject();
                rep.add(new ReputationChange(str(r, "node"), integer(r, "before"), integer(r, "after"), str(r, "reason")));
            }
            List<OperatorAction> ops = new ArrayList<>();
            for (JsonElement el : arr(o, "operator")) {
                JsonObject a = el.getAsJsonObject();
                ops.add(new OperatorAction(str(a, "action"), str(a, "node"), str(a, "detail")));
            }
            JsonObject t = obj(o, "timing");
            Timing timing = new Timing(lng(t, "openedAtMillis"), lng(t, "closedAtMillis"), lng(t, "closeMicros"),
                    bool(t, "deadlineReached"), integer(t, "restarts"), t.has("inboxDropped") ? lng(t, "inboxDropped") : 0);
            return new AuditRecord(str(o, "fleet"), str(o, "gateway"), str(o, "gatewayKey"), lng(o, "round"), str(o, "prev"),
                    str(o, "outcome"), str(o, "failure"), config, str(o, "modelBefore"), frames, lng(o, "framesOmitted"),
                    order, scores, intArray(arr(o, "ranking")), intArray(arr(o, "selected")), keptLists(o),
                    o.has("referenceDigest") ? str(o, "referenceDigest") : "",
                    o.has("deviations") ? longArray(arr(o, "deviations")) : new long[0],
                    o.has("weights") ? longArray(arr(o, "weights")) : new long[0], integer(o, "referenceExponent"),
                    str(o, "aggregateDigest"), str(o, "modelAfter"), rep, ops, timing, bool(o, "framesKept"));
        } catch (IllegalStateException | UnsupportedOperationException | NumberFormatException | ClassCastException e) {
            throw new AuditException("audit record has a field of the wrong type: " + e.getMessage(), e);
        }
    }

    private static CohortInputs cohortInputs(JsonObject c) {
        if (!c.has("cohort")) {
            return null;
        }
        JsonObject k = obj(c, "cohort");
        boolean fraction = k.has("byzantineFraction");
        return new CohortInputs(integer(k, "size"), stringList(arr(k, "eligible")), fraction ? str(k, "byzantineFraction") : "",
                fraction ? integer(k, "f") : -1);
    }

    /** Longs as JSON strings: values go up to 2^63 - 1, beyond what JSON readers keep exact. */
    private static JsonArray longStrings(long[] values) {
        JsonArray a = new JsonArray();
        for (long v : values) {
            a.add(Long.toString(v));
        }
        return a;
    }

    private static long[] longArray(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Long.parseLong(a.get(i).getAsString());
        }
        return out;
    }

    private static List<int[]> keptLists(JsonObject o) {
        List<int[]> out = new ArrayList<>();
        if (o.has("kept")) {
            for (JsonElement el : arr(o, "kept")) {
                out.add(intArray(el.getAsJsonArray()));
            }
        }
        return out;
    }

    private static JsonArray strings(List<String> v) {
        JsonArray a = new JsonArray();
        for (String s : v) {
            a.add(s);
        }
        return a;
    }

    private static List<String> stringList(JsonArray a) {
        List<String> out = new ArrayList<>();
        for (JsonElement el : a) {
            out.add(el.getAsString());
        }
        return out;
    }

    private static JsonArray ints(int[] v) {
        JsonArray a = new JsonArray();
        for (int x : v) {
            a.add(new JsonPrimitive(x));
        }
        return a;
    }

    private static int[] intArray(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    private static JsonElement field(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new AuditException("audit record lacks the key " + key);
        }
        return e;
    }

    private static String str(JsonObject o, String key) {
        return field(o, key).getAsString();
    }

    private static long lng(JsonObject o, String key) {
        return field(o, key).getAsLong();
    }

    private static int integer(JsonObject o, String key) {
        return field(o, key).getAsInt();
    }

    private static boolean bool(JsonObject o, String key) {
        JsonElement e = field(o, key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new AuditException("audit record key " + key + " is not a boolean: " + e);
        }
        return e.getAsBoolean();
    }

    private static JsonObject obj(JsonObject o, String key) {
        return field(o, key).getAsJsonObject();
    }

    private static JsonArray arr(JsonObject o, String key) {
        return field(o, key).getAsJsonArray();
    }
}
