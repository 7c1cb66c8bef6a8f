package org.qoraedge.gateway.round;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.BufferedSettings;
import org.qoraedge.gateway.aggregation.CentralNoiseSettings;
import org.qoraedge.gateway.aggregation.RoundBufferFactory;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.Identifiers;
import org.qoraedge.gateway.protocol.NodeRegistry;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.protocol.VerifyingKey;

/**
 * What the round coordinator is configured with: a value (immutable, built with {@link #builder()},
 * checked when built). The services it works with (state directory, reputation ledger, indicator,
 * ban list, listeners) are not part of it: see {@link RoundServices}. The builder's defaults are
 * the daemon's documented defaults; {@code GatewayConfig} reads its defaults from here.
 */
public final class CoordinatorSettings {
    /** Default {@code fleet}. */
    public static final String DEFAULT_FLEET = "default";
    /** Default {@code gateway.id}. */
    public static final String DEFAULT_GATEWAY_ID = "gateway";
    /** Default {@code model.id}. */
    public static final String DEFAULT_MODEL_ID = "model";
    /** Default {@code round.deadlineMillis}. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
    /** An announcement's bytes besides its cohort line (docs/PROTOCOL.md section 6), at most. */
    private static final int ANNOUNCEMENT_BASE_BYTES = 4096;
    /** Default {@code audit.maxFrames}. */
    public static final int DEFAULT_MAX_AUDIT_FRAMES = 10_000;

    private final String fleet;
    private final String gatewayId;
    private final FrameSigner gatewaySigner;
    private final String modelId;
    private final Bfp16Block initialModel;
    private final SortedMap<String, VerifyingKey> registry;
    private final SortedSet<String> expected;
    private final AggregationSettings aggregation;
    private final RoundBufferFactory buffers;
    private final Duration deadline;
    private final Duration pause;
    private final long firstRound;
    private final long maxRounds;
    private final int maxLoggedPerRound;
    private final NodeRegistry nodes;
    private final int maxAuditFrames;
    private final String gatewayPublicKey;
    private final boolean bansLowerF;
    private final CohortSettings cohort;
    private final BufferedSettings buffered;
    private final CentralNoiseSettings centralNoise;
    private final int maxNonZero;

    private CoordinatorSettings(Builder b) {
        this.fleet = b.fleet;
        this.gatewayId = b.gatewayId;
        this.gatewaySigner = Objects.requireNonNull(b.gatewaySigner, "gateway signer");
        this.modelId = b.modelId;
        Identifiers.utf8("fleet", fleet);
        Identifiers.utf8("gateway id", gatewayId);
        Identifiers.utf8("model id", modelId);
        if (gatewaySigner.scheme() != SignatureScheme.ED25519) {
            throw new RoundSettingsException("the gateway signs model frames with Ed25519, got " + gatewaySigner.scheme());
        }
        this.initialModel = Objects.requireNonNull(b.initialModel, "initial model (or dimension)");
        this.nodes = b.nodes;
        this.registry = nodes.keys();
        if (registry.isEmpty()) {
            throw new RoundSettingsException("the key registry is empty; a gateway needs at least one node key");
        }
        SortedSet<String> exp = new TreeSet<>(b.expected == null ? registry.keySet() : b.expected);
        for (String id : exp) {
            if (!registry.containsKey(id)) {
                throw new RoundSettingsException("expected node " + id + " has no key in the registry");
            }
        }
        if (exp.isEmpty()) {
            throw new RoundSettingsException("no expected nodes");
        }
        this.expected = Collections.unmodifiableSortedSet(exp);
        this.cohort = b.cohort;
        this.aggregation = cohort == null || cohort.byzantineFraction() == null
                ? Objects.requireNonNull(b.aggregation, "aggregation")
                : cohort.aggregationFor(cohort.size(), b.aggregation);
        if (cohort != null) {
            checkCohort(cohort, exp, aggregation);
        }
        this.buffered = b.buffered;
        this.centralNoise = b.centralNoise;
        int d = b.initialModel.dimension();
        if (b.maxNonZero < 1 || (b.maxNonZero > d && b.maxNonZero != Integer.MAX_VALUE)) {
            throw new RoundSettingsException("round.maxNonZero = " + b.maxNonZero + " is invalid: must be in 1.." + d
                    + " (the model's dimension)");
        }
        this.maxNonZero = Math.min(b.maxNonZero, d);
        if (buffered != null) {
            checkBuffered(buffered, cohort, aggregation);
        }
        if (aggregation.quorum() > registry.size()) {
            throw new RoundSettingsException(aggregation.ruleName() + (aggregation.pipeline() != null ? ""
                    : " with f = " + aggregation.f() + (aggregation.m() > 0 ? " and m = " + aggregation.m() : ""))
                    + " needs " + aggregation.quorum()
                    + " updates per round, but only " + registry.size() + " nodes have keys");
        }
        // Default: the fast incremental buffer, sized for every known node.
        this.buffers = b.buffers != null ? b.buffers : RoundBufferFactory.incremental(registry.size());
        HeapBudget.check(aggregation, registry.size(), initialModel.dimension(), b.inboxBytes, b.maxHeap);
        this.deadline = b.deadline;
        this.pause = b.pause;
        if (deadline.isNegative() || deadline.isZero()) {
            throw new RoundSettingsException("round deadline must be positive, got " + deadline);
        }
        this.firstRound = b.firstRound;
        if (firstRound < 1) {
            throw new RoundSettingsException("first round must be >= 1, got " + firstRound);
        }
        this.maxRounds = b.maxRounds;
        this.maxLoggedPerRound = b.maxLoggedPerRound;
        if (b.maxAuditFrames < 0) {
            throw new RoundSettingsException("audit frame cap must be >= 0, got " + b.maxAuditFrames);
        }
        this.maxAuditFrames = b.maxAuditFrames;
        this.bansLowerF = b.bansLowerF;
        this.gatewayPublicKey = HexFormat.of().formatHex(Objects.requireNonNull(b.gatewayPublicKey,
                "the gateway's public key (for audit records)"));
        if (b.gatewayPublicKey.length != 32) {
            throw new RoundSettingsException("the gateway's Ed25519 public key has 32 bytes, got " + b.gatewayPublicKey.length);
        }
    }

    /**
     * Refuses a cohort that can never be drawn or whose rule cannot close a round: larger than the
     * expected nodes, a node id with a comma (the announcement lists the cohort comma-separated),
     * or a quorum above the cohort size with the f the fraction gives.
     */
    private static void checkCohort(CohortSettings c, SortedSet<String> expected, AggregationSettings a) {
        if (c.size() > expected.size()) {
            throw new RoundSettingsException("round.cohort = " + c.size() + " but only " + expected.size()
                    + " nodes are expected (nodes.expected, default every node with a key)");
        }
        for (String id : expected) {
            if (id.indexOf(',') >= 0) {
                throw new RoundSettingsException("round.cohort needs node ids without ',' (the announcement lists the cohort"
                        + " comma-separated), but node " + id + " has one");
            }
        }
        long longest = 0;
        for (String id : expected) {
            longest = Math.max(longest, id.getBytes(StandardCharsets.UTF_8).length);
        }
        long announcement = ANNOUNCEMENT_BASE_BYTES + c.size() * (longest + 1);
        if (announcement > TextMessage.MAX_BYTES) {
            throw new RoundSettingsException("round.cohort = " + c.size() + " of node ids up to " + longest + " bytes makes"
                    + " announcements of up to " + announcement + " bytes; nodes read at most " + TextMessage.MAX_BYTES);
        }
        if (a.quorum() > c.size()) {
            String f = c.byzantineFraction() == null ? ""
                    : " with f = floor(" + c.byzantineFraction() + " * " + c.size() + ") = " + c.byzantineFraction().of(c.size());
            throw new RoundSettingsException(a.ruleName() + f + " needs " + a.quorum() + " updates per round, but round.cohort = "
                    + c.size() + " asks only " + c.size() + " nodes");
        }
    }

    /**
     * Refuses what buffered mode cannot run (docs/PROTOCOL.md section 6.3): a cohort (partial
     * participation is a synchronous mode), a rule that does not average (the staleness weights need
     * one) or a quorum above the buffer size (no buffer could aggregate).
     */
    private static void checkBuffered(BufferedSettings b, CohortSettings c, AggregationSettings a) {
        if (c != null) {
            throw new RoundSettingsException("round.mode = buffered cannot draw a cohort (round.cohort): a cohort round is synchronous");
        }
        if (!a.whyNotWeighted().isEmpty()) {
            throw new RoundSettingsException("round.mode = buffered weights each update by its staleness, which aggregator = "
                    + a.ruleName() + " cannot: " + a.whyNotWeighted());
        }
        if (a.quorum() > b.bufferSize()) {
            throw new RoundSettingsException(a.ruleName() + " needs " + a.quorum() + " updates per buffer, but round.bufferSize = "
                    + b.bufferSize());
        }
    }

    /**
     * The most non-zero coordinates an accepted update may have ({@code round.maxNonZero}); the
     * dimension when updates are not bounded.
     */
    public int maxNonZero() {
        return maxNonZero;
    }

    /** The central noise added to every round's aggregate (docs/PRIVACY.md), or null for none. */
    public CentralNoiseSettings centralNoise() {
        return centralNoise;
    }

    /** Buffered mode's settings, or null in the synchronous mode ({@code round.mode = sync}, the default). */
    public BufferedSettings buffered() {
        return buffered;
    }

    /** The cohort of each round, or null when every expected node is asked (no {@code round.cohort}). */
    public CohortSettings cohort() {
        return cohort;
    }

    /** The key registry as text ({@code <scheme> <hex>} by node id), kept in the state file; may be empty. */
    public SortedMap<String, String> registryText() {
        return nodes.keyText();
    }

    /** At most this many frames are listed in one audit record (the rest are counted). */
    public int maxAuditFrames() {
        return maxAuditFrames;
    }

    /** True when each banned registered node lowers the round's f by one (docs/REPUTATION.md, "Bans and f"). */
    public boolean bansLowerF() {
        return bansLowerF;
    }

    /** The gateway's Ed25519 public key, hex. */
    public String gatewayPublicKey() {
        return gatewayPublicKey;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String fleet() {
        return fleet;
    }

    public String gatewayId() {
        return gatewayId;
    }

    FrameSigner gatewaySigner() {
        return gatewaySigner;
    }

    public String modelId() {
        return modelId;
    }

    public int dimension() {
        return initialModel.dimension();
    }

    /** The largest update frame accepted: {@link Frame#maxUpdateSize(int)} of the dimension (dense or sparse). */
    public long maxFrameBytes() {
        return Frame.maxUpdateSize(dimension());
    }

    public Bfp16Block initialModel() {
        return initialModel;
    }

    public Map<String, VerifyingKey> registry() {
        return registry;
    }

    public SortedSet<String> expected() {
        return expected;
    }

    public AggregationSettings aggregation() {
        return aggregation;
    }

    RoundBufferFactory buffers() {
        return buffers;
    }

    public Duration deadline() {
        return deadline;
    }

    public Duration pause() {
        return pause;
    }

    public long firstRound() {
        return firstRound;
    }

    public long maxRounds() {
        return maxRounds;
    }

    int maxLoggedPerRound() {
        return maxLoggedPerRound;
    }

    /** Fluent builder. Required: fleet, gateway signer, dimension or initial model, registry. */
    public static final class Builder {
        private String fleet = DEFAULT_FLEET;
        private String gatewayId = DEFAULT_GATEWAY_ID;
        private FrameSigner gatewaySigner;
        private String modelId = DEFAULT_MODEL_ID;
        private Bfp16Block initialModel;
        private NodeRegistry nodes = NodeRegistry.ofKeys(Map.of());
        private Collection<String> expected;
        private AggregationSettings aggregation = AggregationSettings.krum(1);
        private RoundBufferFactory buffers;
        private Duration deadline = DEFAULT_DEADLINE;
        private Duration pause = Duration.ZERO;
        private long firstRound = 1;
        private long maxRounds;
        private int maxLoggedPerRound = 1000;
        private int maxAuditFrames = DEFAULT_MAX_AUDIT_FRAMES;
        private byte[] gatewayPublicKey;
        private boolean bansLowerF = true;
        private long maxHeap = Runtime.getRuntime().maxMemory();
        private long inboxBytes;

        /**
         * The bytes the inbox may queue ({@code inbox.maxBytes}), counted in the start-time heap check
         * (default 0: an inbox the caller sizes and accounts for itself).
         */
        public Builder inboxBytes(long v) {
            this.inboxBytes = v;
            return this;
        }
        private CohortSettings cohort;
        private BufferedSettings buffered;
        private CentralNoiseSettings centralNoise;
        private int maxNonZero = Integer.MAX_VALUE;

        /** Refuses updates with more than {@code k} non-zero coordinates ({@code round.maxNonZero}; default: no bound). */
        public Builder maxNonZero(int k) {
            this.maxNonZero = k;
            return this;
        }

        /** Adds central noise to every round's aggregate (null, the default: none). */
        public Builder centralNoise(CentralNoiseSettings v) {
            this.centralNoise = v;
            return this;
        }

        /** Runs buffered mode with these settings (null, the default: synchronous rounds). */
        public Builder buffered(BufferedSettings v) {
            this.buffered = v;
            return this;
        }

        /** Asks only a cohort of the expected nodes each round (null, the default: every expected node). */
        public Builder cohort(CohortSettings v) {
            this.cohort = v;
            return this;
        }

        /** Whether each banned registered node lowers the round's f by one (default true). */
        public Builder bansLowerF(boolean v) {
            this.bansLowerF = v;
            return this;
        }

        public Builder maxAuditFrames(int v) {
            this.maxAuditFrames = v;
            return this;
        }

        /** The raw 32-byte Ed25519 public key of {@link #gatewaySigner}'s seed. */
        public Builder gatewayPublicKey(byte[] v) {
            this.gatewayPublicKey = v.clone();
            return this;
        }

        public Builder fleet(String v) {
            this.fleet = v;
            return this;
        }

        public Builder gatewayId(String v) {
            this.gatewayId = v;
            return this;
        }

        /** The gateway's Ed25519 key (raw 32-byte seed): signs model frames and audit records. */
        public Builder gatewaySeed(byte[] seed) {
            this.gatewaySigner = FrameSigner.ed25519(seed);
            this.gatewayPublicKey = Ed25519Keys.publicKeyOf(seed);
            return this;
        }

        public Builder modelId(String v) {
            this.modelId = v;
            return this;
        }

        /** The model round 1 starts from. */
        public Builder initialModel(Bfp16Block v) {
            this.initialModel = v;
            return this;
        }

        /** Starts from the zero model of dimension {@code d}. */
        public Builder dimension(int d) {
            this.initialModel = ModelUpdate.zeros(d);
            return this;
        }

        /** The node keys alone (the state file then keeps no key text); see {@link #nodes}. */
        public Builder registry(Map<String, VerifyingKey> v) {
            this.nodes = NodeRegistry.ofKeys(v);
            return this;
        }

        /** The nodes of the key file. */
        public Builder nodes(NodeRegistry v) {
            this.nodes = Objects.requireNonNull(v, "nodes");
            return this;
        }

        /** Nodes whose updates close a round early; default every node of the registry. */
        public Builder expected(Collection<String> v) {
            this.expected = v;
            return this;
        }

        public Builder aggregation(AggregationSettings v) {
            this.aggregation = v;
            return this;
        }

        /**
         * The heap a round may use, in bytes (default: this JVM's {@code -Xmx}); a configuration whose
         * rounds need more is refused when built.
         */
        public Builder maxHeap(long v) {
            this.maxHeap = v;
            return this;
        }

        /** Where round buffers come from (default: the fast incremental one, sized for the key registry). */
        public Builder buffers(RoundBufferFactory v) {
            this.buffers = v;
            return this;
        }

        public Builder deadline(Duration v) {
            this.deadline = v;
            return this;
        }

        /** Wait between a round's close and the next announcement. */
        public Builder pause(Duration v) {
            this.pause = v;
            return this;
        }

        public Builder firstRound(long v) {
            this.firstRound = v;
            return this;
        }

        /** Stop after this many rounds; 0 runs until stopped. */
        public Builder maxRounds(long v) {
            this.maxRounds = v;
            return this;
        }

        /** At most this many rejections are logged and notified per round (the rest are counted). */
        public Builder maxLoggedPerRound(int v) {
            this.maxLoggedPerRound = v;
            return this;
        }

        public CoordinatorSettings build() {
            return new CoordinatorSettings(this);
        }
    }
}
