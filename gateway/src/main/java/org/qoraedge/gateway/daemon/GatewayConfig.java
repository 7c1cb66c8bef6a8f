package org.qoraedge.gateway.daemon;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregationSettingsException;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.aggregation.BufferedSettings;
import org.qoraedge.gateway.aggregation.CentralNoiseSettings;
import org.qoraedge.gateway.aggregation.RoundBufferFactory;
import org.qoraedge.gateway.ops.OpsSettings;
import org.qoraedge.gateway.ops.OpsSettingsException;
import org.qoraedge.gateway.protocol.ByzantineFraction;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.Identifiers;
import org.qoraedge.gateway.protocol.NodeRegistry;
import org.qoraedge.gateway.protocol.ProtocolException;
import org.qoraedge.gateway.reputation.ReputationException;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.round.CohortSettings;
import org.qoraedge.gateway.round.CoordinatorSettings;
import org.qoraedge.gateway.round.Inbox;
import org.qoraedge.gateway.status.GpioSettings;

/**
 * The gateway's configuration (docs/PROTOCOL.md, "Gateway configuration"): a Java properties
 * file, UTF-8. Every key has a default except {@code model.dimension}; unknown keys are refused
 * (a typo must not silently fall back to a default). Relative paths are resolved against the
 * config file's directory. Immutable.
 */
public final class GatewayConfig {
    /** Every key this version reads. */
    private static final Set<String> BASE_KEYS = Set.of("broker.uri", "broker.clientId", "broker.username", "broker.password",
            "broker.trustStore", "broker.trustStorePassword", "broker.keepAliveSeconds", "embedded.port", "fleet", "gateway.id", "keys.file",
            "nodes.expected", "aggregator", "metric", "f", "m", "round.minUpdates", "round.deadlineMillis",
            "round.pauseMillis", "round.first", "round.max", "model.id", "model.dimension", "model.initial", "state.dir",
            "inbox.capacity", "inbox.maxBytes", "state.keepFrames", "audit.maxFrames", "round.bansLowerF", "round.maxNonZero");

    /** The keys of partial participation (docs/PROTOCOL.md section 6.2). */
    private static final Set<String> COHORT_KEYS = Set.of("round.cohort", "round.byzantineFraction");

    /** The keys of buffered asynchronous aggregation (docs/PROTOCOL.md section 6.3). */
    private static final Set<String> BUFFERED_KEYS = Set.of("round.mode", "round.bufferSize", "round.maxStaleness", "round.serverStepShift");

    /** The keys of central differential privacy (docs/PRIVACY.md, "Central DP"). */
    private static final Set<String> PRIVACY_KEYS = Set.of("privacy.central.sigma2", "privacy.central.secretFile");

    /** Default {@code round.maxStaleness}. */
    public static final int DEFAULT_MAX_STALENESS = 4;

    static final Set<String> KEYS = allKeys();

    private static Set<String> allKeys() {
        Set<String> k = new HashSet<>(BASE_KEYS);
        k.addAll(COHORT_KEYS);
        k.addAll(BUFFERED_KEYS);
        k.addAll(PRIVACY_KEYS);
        k.addAll(ReputationSettings.KEYS);
        k.addAll(GpioSettings.KEYS);
        k.addAll(OpsSettings.KEYS);
        return Set.copyOf(k);
    }


    private final String brokerUri;
    private final String clientId;
    private final String username;
    private final String password;
    private final Path trustStore;
    private final String trustStorePassword;
    private final int keepAliveSeconds;
    private final int embeddedPort;
    private final String fleet;
    private final String gatewayId;
    private final Path keysFile;
    private final List<String> expected;
    private final AggregationSettings aggregation;
    private final Duration deadline;
    private final Duration pause;
    private final long firstRound;
    private final long maxRounds;
    private final String modelId;
    private final int dimension;
    private final Path initialModel;
    private final Path stateDir;
    private final int inboxCapacity;
    private final long inboxMaxBytes;
    private final int keepFrames;
    private final int auditMaxFrames;
    private final boolean bansLowerF;
    private final CohortSettings cohort;
    private final BufferedSettings buffered;
    private final CentralNoiseSettings centralNoise;
    private final int maxNonZero;
    private final ReputationSettings reputation;
    private final GpioSettings gpio;
    private final OpsSettings ops;

    private GatewayConfig(Builder b) {
        this.brokerUri = b.brokerUri;
        this.clientId = b.clientId != null ? b.clientId : "qora-gateway-" + b.fleet;
        this.username = b.username;
        this.password = b.password;
        this.trustStore = b.trustStore;
        this.trustStorePassword = b.trustStorePassword;
        this.embeddedPort = b.embeddedPort;
        this.keepAliveSeconds = b.keepAliveSeconds;
        this.fleet = b.fleet;
        this.gatewayId = b.gatewayId;
        this.keysFile = b.keysFile;
        this.expected = b.expected == null ? null : List.copyOf(b.expected);
        this.cohort = b.cohort;
        this.buffered = b.buffered;
        this.centralNoise = b.centralNoise;
        this.maxNonZero = b.maxNonZero;
        this.aggregation = cohort != null && cohort.byzantineFraction() != null
                ? cohort.rule().apply(cohort.byzantineFraction().of(cohort.size()))
                : b.pipeline != null ? AggregationSettings.pipeline(b.pipeline, b.minUpdates)
                : new AggregationSettings(b.aggregator, b.metric, b.f, b.m, b.minUpdates);
        if (cohort != null && aggregation.quorum() > cohort.size()) {
            throw new ConfigException("config key round.cohort = " + cohort.size() + " is too small: " + aggregation.ruleName()
                    + (cohort.byzantineFraction() == null ? "" : " with f = floor(" + cohort.byzantineFraction() + " * "
                            + cohort.size() + ") = " + cohort.byzantineFraction().of(cohort.size()))
                    + " needs " + aggregation.quorum() + " updates per round");
        }
        this.deadline = b.deadline;
        this.pause = b.pause;
        this.firstRound = b.firstRound;
        this.maxRounds = b.maxRounds;
        this.modelId = b.modelId;
        this.dimension = b.dimension;
        this.initialModel = b.initialModel;
        this.stateDir = b.stateDir;
        this.inboxCapacity = b.inboxCapacity;
        this.inboxMaxBytes = b.inboxMaxBytes;
        this.keepFrames = b.keepFrames;
        this.auditMaxFrames = b.auditMaxFrames;
        this.bansLowerF = b.bansLowerF;
        this.reputation = Objects.requireNonNull(b.reputation, "reputation settings");
        this.gpio = Objects.requireNonNull(b.gpio, "gpio settings");
        this.ops = Objects.requireNonNull(b.ops, "ops settings");
        check(Identifiers.isValid(fleet), "fleet", fleet, "1 to 64 UTF-8 bytes, no control character and none of / + #");
        check(Identifiers.isValid(gatewayId), "gateway.id", gatewayId, "a valid identifier");
        check(Identifiers.isValid(modelId), "model.id", modelId, "a valid identifier");
        check(dimension >= 1, "model.dimension", dimension, "an integer >= 1");
        check(dimension <= 100_000_000, "model.dimension", dimension, "at most 100,000,000");
        check(!deadline.isNegative() && !deadline.isZero(), "round.deadlineMillis", deadline.toMillis(), "> 0");
        check(!pause.isNegative(), "round.pauseMillis", pause.toMillis(), ">= 0");
        check(firstRound >= 1, "round.first", firstRound, ">= 1");
        check(maxRounds >= 0, "round.max", maxRounds, ">= 0 (0: run until stopped)");
        check(inboxCapacity >= 1, "inbox.capacity", inboxCapacity, ">= 1");
        if (dimension >= 1) {
            long frame = Frame.maxUpdateSize(dimension);
            check(inboxMaxBytes >= 4 * frame, "inbox.maxBytes", inboxMaxBytes, ">= " + 4 * frame
                    + " (four of this model's largest update frames: two in the QoS 0 half, and room for frames to arrive while the"
                    + " round worker handles others)");
        }
        check(keepFrames >= -1, "state.keepFrames", keepFrames, "-1 (keep all), 0 (none) or a number of rounds");
        check(auditMaxFrames >= 0, "audit.maxFrames", auditMaxFrames, ">= 0");
        check(embeddedPort >= 0 && embeddedPort <= 65535, "embedded.port", embeddedPort, "0 to 65535");
        check(keepAliveSeconds >= 1 && keepAliveSeconds <= 65535, "broker.keepAliveSeconds", keepAliveSeconds, "1 to 65535");
        check(ops.mqttSilence(keepAliveSeconds).toSeconds() > keepAliveSeconds, OpsSettings.MQTT_SILENCE,
                ops.mqttSilence(keepAliveSeconds).toSeconds(), "more than broker.keepAliveSeconds = " + keepAliveSeconds
                        + " (a healthy idle link hears from the broker once per keep-alive)");
        check(keysFile != null, "keys.file", null, "a path");
        check(brokerUri.startsWith("tcp://") || brokerUri.startsWith("ssl://"), "broker.uri", brokerUri, "tcp://HOST:PORT or ssl://HOST:PORT");
        if (reputation.weighting()) {
            check(reputation.enabled(), "reputation.weighting", true, "only with reputation.enabled = true: the weights are the"
                    + " ledger's");
            String why = aggregation.whyNotWeighted();
            check(why.isEmpty(), "reputation.weighting", true, "an aggregator that averages, but aggregator = "
                    + aggregation.ruleName() + ": " + why);
        }
    }

    /**
     * The bare rule name that takes {@code f} from its own key: {@code aggregator = centered-clip} is
     * {@code centered-clip(f, 3)}. A config without {@code aggregator} runs {@code nnm(f) > centered-clip(f, 3)},
     * the rule with the smallest worst-case loss over the attack catalogue at 30% Byzantine on both data
     * settings measured (docs/MATRIX-fashion-mnist.md, "The default").
     */
    static final String CENTERED_CLIP = "centered-clip";

    /** The iterations of centered clipping in the default rule. */
    static final int DEFAULT_CLIP_ITERATIONS = 3;

    /** The names {@code aggregator} takes with the keys f, m and metric beside it; anything else is a pipeline line. */
    private static final Set<String> LEGACY_RULES = Set.of("krum", "multi-krum", "mean");

    /** Reads {@code aggregator} as a pipeline line (docs/PROTOCOL.md, "Aggregation rules"). */
    private static PipelineSpec pipeline(Path file, String rule) {
        PipelineSpec spec;
        try {
            spec = PipelineSpec.parse(rule);
        } catch (FixedPointException e) {
            throw new ConfigException(file + ": config key aggregator = " + rule + " is invalid: " + e.getMessage());
        }
        return spec;
    }

    private static void check(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new ConfigException("config key " + key + " = " + value + " is invalid: must be " + rule);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads a properties file; see the class comment. */
    public static GatewayConfig load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": not valid UTF-8 (" + e + ")");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": " + e.getMessage() + " (a \\u escape needs four hex digits)");
        }
        Set<String> unknown = new TreeSet<>(p.stringPropertyNames());
        unknown.removeAll(KEYS);
        if (!unknown.isEmpty()) {
            throw new ConfigException(file + ": unknown config key(s) " + unknown + "; known keys: " + new TreeSet<>(KEYS));
        }
        Builder b = builder();
        b.brokerUri = str(p, "broker.uri", b.brokerUri);
        b.clientId = str(p, "broker.clientId", null);
        b.username = str(p, "broker.username", null);
        b.password = str(p, "broker.password", null);
        b.trustStore = path(file, "broker.trustStore", str(p, "broker.trustStore", null));
        b.trustStorePassword = str(p, "broker.trustStorePassword", null);
        b.embeddedPort = (int) num(p, "embedded.port", b.embeddedPort);
        b.keepAliveSeconds = (int) num(p, "broker.keepAliveSeconds", b.keepAliveSeconds);
        b.fleet = str(p, "fleet", b.fleet);
        b.gatewayId = str(p, "gateway.id", b.gatewayId);
        b.keysFile = path(file, "keys.file", str(p, "keys.file", "keys.txt"));
        String exp = str(p, "nodes.expected", null);
        if (exp != null) {
            List<String> ids = new ArrayList<>();
            for (String s : exp.split(",")) {
                if (!s.isBlank()) {
                    ids.add(s.strip());
                }
            }
            b.expected = ids;
        }
        String given = p.getProperty("aggregator");
        String rule = given == null ? "" : given.strip();
        IntFunction<AggregationSettings> forF = null; // the rule for a given f; null for a pipeline line (its rules carry theirs)
        if (given == null || rule.equalsIgnoreCase(CENTERED_CLIP)) {
            String name = given == null ? "(absent: the default)" : rule;
            for (String k : List.of("m", "metric")) {
                if (p.getProperty(k) != null) {
                    throw new ConfigException(file + ": config key " + k + " does not apply to aggregator = " + name
                            + ": it takes only f");
                }
            }
            int f = (int) num(p, "f", b.f);
            String line = clipLine(given == null, f);
            try {
                b.pipeline(PipelineSpec.parse(line));
            } catch (FixedPointException e) {
                throw new ConfigException(file + ": config key f = " + f + " is invalid for aggregator = " + name
                        + " (" + line + "): " + e.getMessage());
            }
            boolean withNnm = given == null;
            forF = x -> AggregationSettings.pipeline(PipelineSpec.parse(clipLine(withNnm, x)), minUpdates(p));
        } else if (LEGACY_RULES.contains(rule.toLowerCase(Locale.ROOT))) {
            try {
                b.aggregator = AggregatorKind.parse(rule);
                b.metric = AggregationSettings.parseMetric(str(p, "metric", "common"));
            } catch (AggregationSettingsException e) {
                throw new ConfigException(file + ": " + e.getMessage());
            }
            b.f = (int) num(p, "f", b.f);
            b.m = (int) num(p, "m", b.m);
            AggregatorKind kind = b.aggregator;
            Metric metric = b.metric;
            int m = b.m;
            forF = x -> new AggregationSettings(kind, metric, x, m, minUpdates(p));
        } else {
            b.pipeline(pipeline(file, rule));
            for (String k : List.of("f", "m", "metric")) {
                if (p.getProperty(k) != null) {
                    throw new ConfigException(file + ": config key " + k + " does not apply to aggregator = " + rule
                            + ": a pipeline's rules carry their own parameters");
                }
            }
        }
        b.minUpdates = minUpdates(p);
        b.cohort = cohort(file, p, forF);
        b.buffered = buffered(file, p);
        b.centralNoise = centralNoise(file, p);
        b.deadline = Duration.ofMillis(num(p, "round.deadlineMillis", b.deadline.toMillis()));
        b.pause = Duration.ofMillis(num(p, "round.pauseMillis", b.pause.toMillis()));
        b.firstRound = num(p, "round.first", b.firstRound);
        b.maxRounds = num(p, "round.max", b.maxRounds);
        b.modelId = str(p, "model.id", b.modelId);
        if (str(p, "model.dimension", null) == null) {
            throw new ConfigException(file + ": config key model.dimension is required (the number of model parameters)");
        }
        b.dimension = (int) num(p, "model.dimension", 0);
        if (p.getProperty("round.maxNonZero") != null) {
            long k = num(p, "round.maxNonZero", 0);
            if (k < 1 || k > b.dimension) {
                throw new ConfigException(file + ": config key round.maxNonZero = " + k + " is invalid: must be in 1.." + b.dimension
                        + " (model.dimension); nodes at density D send max(1, ceil(D * d)) coordinates");
            }
            b.maxNonZero = (int) k;
        }
        b.initialModel = path(file, "model.initial", str(p, "model.initial", null));
        b.stateDir = path(file, "state.dir", str(p, "state.dir", "state"));
        b.inboxCapacity = (int) num(p, "inbox.capacity", b.inboxCapacity);
        b.inboxMaxBytes = num(p, "inbox.maxBytes", b.inboxMaxBytes);
        b.keepFrames = (int) num(p, "state.keepFrames", b.keepFrames);
        b.auditMaxFrames = (int) num(p, "audit.maxFrames", b.auditMaxFrames);
        String lower = str(p, "round.bansLowerF", "true");
        if (!lower.equals("true") && !lower.equals("false")) {
            throw new ConfigException(file + ": config key round.bansLowerF = " + lower + " must be true or false");
        }
        b.bansLowerF = Boolean.parseBoolean(lower);
        try {
            b.reputation = ReputationSettings.fromProperties(p);
        } catch (ReputationException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
        try {
            b.gpio = GpioSettings.fromProperties(p);
        } catch (RuntimeException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
        try {
            b.ops = OpsSettings.fromProperties(p, file.toAbsolutePath().getParent());
        } catch (OpsSettingsException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
        try {
            return b.build();
        } catch (AggregationSettingsException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** The default rule's line ({@code nnm(f) > centered-clip(f, 3)}) or bare centered clipping's, for {@code f}. */
    private static String clipLine(boolean withNnm, int f) {
        String clip = CENTERED_CLIP + "(" + f + ", " + DEFAULT_CLIP_ITERATIONS + ")";
        return withNnm ? "nnm(" + f + ") > " + clip : clip;
    }

    private static int minUpdates(Properties p) {
        return (int) num(p, "round.minUpdates", 1);
    }

    /**
     * {@code round.cohort} and {@code round.byzantineFraction} (docs/PROTOCOL.md section 6.2), null
     * without a cohort. With a fraction, f is derived from it: the key {@code f} and a pipeline line
     * (whose rules carry their own f) are refused beside it.
     */
    private static CohortSettings cohort(Path file, Properties p, IntFunction<AggregationSettings> forF) {
        String fraction = str(p, "round.byzantineFraction", null);
        if (str(p, "round.cohort", null) == null) {
            if (fraction != null) {
                throw new ConfigException(file + ": config key round.byzantineFraction applies only with round.cohort");
            }
            return null;
        }
        long size = num(p, "round.cohort", 0);
        if (size < 1 || size > Integer.MAX_VALUE) {
            throw new ConfigException(file + ": config key round.cohort = " + size + " is invalid: must be a number of nodes >= 1");
        }
        if (fraction == null) {
            return CohortSettings.of((int) size);
        }
        if (p.getProperty("f") != null) {
            throw new ConfigException(file + ": config key f does not apply with round.byzantineFraction: f is derived from"
                    + " the fraction and the cohort's size");
        }
        if (forF == null) {
            throw new ConfigException(file + ": config key round.byzantineFraction does not apply to a pipeline line"
                    + " (aggregator = " + p.getProperty("aggregator").strip() + "): its rules carry their own f");
        }
        try {
            return CohortSettings.of((int) size, ByzantineFraction.parse(fraction), forF);
        } catch (ProtocolException e) {
            throw new ConfigException(file + ": config key round.byzantineFraction = " + fraction + " is invalid: " + e.getMessage());
        }
    }

    private static String str(Properties p, String key, String def) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? def : v.strip();
    }

    private static long num(Properties p, String key, long def) {
        String v = str(p, key, null);
        if (v == null) {
            return def;
        }
        try {
            long x = Long.parseLong(v.replace("_", ""));
            if (!key.startsWith("round.") && (x > Integer.MAX_VALUE || x < Integer.MIN_VALUE)) {
                throw new ConfigException("config key " + key + " = " + v + " is out of the int range");
            }
            return x;
        } catch (NumberFormatException e) {
            throw new ConfigException("config key " + key + " = " + v + " is not an integer");
        }
    }

    /** {@code v} resolved against the config file's directory; refuses what is not a path here (a NUL character). */
    private static Path path(Path file, String key, String v) {
        if (v == null) {
            return null;
        }
        try {
            return file.toAbsolutePath().getParent().resolve(v).normalize();
        } catch (InvalidPathException e) {
            throw new ConfigException(file + ": config key " + key + " is not a path: " + e.getMessage());
        }
    }

    public String brokerUri() {
        return brokerUri;
    }

    /** Closed rounds whose frames are kept in the state directory for replay: 0 none, -1 all ({@code state.keepFrames}). */
    public int keepFrames() {
        return keepFrames;
    }

    /** Whether each banned node lowers the round's f by one ({@code round.bansLowerF}, default true). */
    public boolean bansLowerF() {
        return bansLowerF;
    }

    /** The cohort each round asks ({@code round.cohort}), or null when every expected node is asked. */
    public CohortSettings cohort() {
        return cohort;
    }

    /** Buffered mode's settings ({@code round.mode = buffered}), or null for synchronous rounds. */
    public BufferedSettings buffered() {
        return buffered;
    }

    /** The most non-zero coordinates an update may have ({@code round.maxNonZero}); {@code Integer.MAX_VALUE}: no bound. */
    public int maxNonZero() {
        return maxNonZero;
    }

    /** The central noise added to every round's aggregate, or null for none (no {@code privacy.central.*} key). */
    public CentralNoiseSettings centralNoise() {
        return centralNoise;
    }

    /**
     * {@code privacy.central.sigma2} and {@code privacy.central.secretFile} (docs/PRIVACY.md): both or
     * neither; null for neither.
     */
    private static CentralNoiseSettings centralNoise(Path file, Properties p) {
        String sigma2 = str(p, "privacy.central.sigma2", null);
        Path secretFile = path(file, "privacy.central.secretFile", str(p, "privacy.central.secretFile", null));
        if (sigma2 == null && secretFile == null) {
            return null;
        }
        if (sigma2 == null || secretFile == null) {
            throw new ConfigException(file + ": config keys privacy.central.sigma2 and privacy.central.secretFile go together:"
                    + " central noise needs its variance and the operator's secret (" + (sigma2 == null ? "sigma2" : "secretFile")
                    + " is missing)");
        }
        try {
            return CentralNoiseSettings.of(sigma2, CentralNoiseSettings.readSecret(secretFile));
        } catch (IOException e) {
            throw new ConfigException(file + ": config key privacy.central.secretFile: cannot read " + secretFile + ": " + e, e);
        } catch (FixedPointException e) {
            throw new ConfigException(file + ": config key privacy.central.*: " + e.getMessage(), e);
        }
    }

    /**
     * {@code round.mode}, {@code round.bufferSize} and {@code round.maxStaleness} (docs/PROTOCOL.md
     * section 6.3): null for {@code sync} (the default), which takes neither of the other two keys.
     */
    private static BufferedSettings buffered(Path file, Properties p) {
        String mode = str(p, "round.mode", "sync");
        if (mode.equals("sync")) {
            for (String k : List.of("round.bufferSize", "round.maxStaleness", "round.serverStepShift")) {
                if (p.getProperty(k) != null) {
                    throw new ConfigException(file + ": config key " + k + " applies only with round.mode = buffered");
                }
            }
            return null;
        }
        if (!mode.equals("buffered")) {
            throw new ConfigException(file + ": config key round.mode = " + mode + " is invalid: must be sync or buffered");
        }
        if (p.getProperty("round.bufferSize") == null) {
            throw new ConfigException(file + ": config key round.bufferSize is required with round.mode = buffered"
                    + " (the accepted updates that make up one buffer)");
        }
        long size = num(p, "round.bufferSize", 0);
        long stale = num(p, "round.maxStaleness", DEFAULT_MAX_STALENESS);
        if (size < 1 || size > Integer.MAX_VALUE) {
            throw new ConfigException(file + ": config key round.bufferSize = " + size + " is invalid: must be >= 1");
        }
        if (stale < 0 || stale > BufferedSettings.MAX_STALENESS) {
            throw new ConfigException(file + ": config key round.maxStaleness = " + stale + " is invalid: must be in 0.."
                    + BufferedSettings.MAX_STALENESS);
        }
        long shift = num(p, "round.serverStepShift", 0);
        if (shift < 0 || shift > BufferedSettings.MAX_SERVER_STEP_SHIFT) {
            throw new ConfigException(file + ": config key round.serverStepShift = " + shift + " is invalid: must be in 0.."
                    + BufferedSettings.MAX_SERVER_STEP_SHIFT + " (a server step of 2^-shift)");
        }
        return new BufferedSettings((int) size, (int) stale, (int) shift);
    }

    /**
     * The round coordinator's settings from this configuration: the one place they are built.
     *
     * @param nodes the key file's nodes ({@link #keysFile()})
     * @param initial the model round 1 starts from
     * @param gatewaySeed the gateway's Ed25519 seed
     * @param buffers where round buffers come from, or null for the default: Krum's, Multi-Krum's and
     *     the mean's updates outside the heap ({@link RoundBufferFactory#outOfHeap}), in a scratch file
     *     in the state directory (the disk that holds the round's journal), else in
     *     {@code java.io.tmpdir}
     */
    public CoordinatorSettings coordinatorSettings(NodeRegistry nodes, Bfp16Block initial, byte[] gatewaySeed,
            RoundBufferFactory buffers) {
        if (buffers == null) {
            buffers = RoundBufferFactory.outOfHeap(nodes.keys().size(),
                    stateDir != null ? stateDir : Path.of(System.getProperty("java.io.tmpdir")));
        }
        return CoordinatorSettings.builder()
                .fleet(fleet)
                .gatewayId(gatewayId)
                .gatewaySeed(gatewaySeed)
                .modelId(modelId)
                .initialModel(initial)
                .nodes(nodes)
                .expected(expected)
                .aggregation(aggregation)
                .buffers(buffers)
                .deadline(deadline)
                .pause(pause)
                .firstRound(firstRound)
                .maxRounds(maxRounds)
                .maxAuditFrames(auditMaxFrames)
                .bansLowerF(bansLowerF)
                .cohort(cohort)
                .buffered(buffered)
                .centralNoise(centralNoise)
                .maxNonZero(maxNonZero)
                .inboxBytes(inboxMaxBytes)
                .build();
    }

    /** At most this many frames are listed in one audit record ({@code audit.maxFrames}). */
    public int auditMaxFrames() {
        return auditMaxFrames;
    }

    /** The {@code reputation.*} settings. */
    public ReputationSettings reputation() {
        return reputation;
    }

    /** The {@code http.*} and {@code health.*} settings (docs/OPERATIONS.md). */
    public OpsSettings ops() {
        return ops;
    }

    /** The {@code gpio.*} settings. */
    public GpioSettings gpio() {
        return gpio;
    }

    public String clientId() {
        return clientId;
    }

    public String username() {
        return username;
    }

    String password() {
        return password;
    }

    public Path trustStore() {
        return trustStore;
    }

    String trustStorePassword() {
        return trustStorePassword;
    }

    /** The MQTT keep-alive of the gateway's connection ({@code broker.keepAliveSeconds}, default 30). */
    public int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    public int embeddedPort() {
        return embeddedPort;
    }

    public String fleet() {
        return fleet;
    }

    public String gatewayId() {
        return gatewayId;
    }

    public Path keysFile() {
        return keysFile;
    }

    /** Expected node ids, or null for "every node of the key file". */
    public List<String> expected() {
        return expected;
    }

    public AggregationSettings aggregation() {
        return aggregation;
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

    public String modelId() {
        return modelId;
    }

    public int dimension() {
        return dimension;
    }

    public Path initialModel() {
        return initialModel;
    }

    /** Directory for the gateway's key and Paho's persistence; null keeps everything in memory. */
    public Path stateDir() {
        return stateDir;
    }

    public int inboxCapacity() {
        return inboxCapacity;
    }

    /** The most update bytes queued between the MQTT link and the round worker (see {@code Inbox}). */
    public long inboxMaxBytes() {
        return inboxMaxBytes;
    }

    /** Fluent builder with the documented defaults. */
    public static final class Builder {
        private String brokerUri = "tcp://127.0.0.1:1883";
        private String clientId;
        private String username;
        private String password;
        private Path trustStore;
        private String trustStorePassword;
        private int embeddedPort = 1883;
        private int keepAliveSeconds = 30;
        private String fleet = CoordinatorSettings.DEFAULT_FLEET;
        private String gatewayId = CoordinatorSettings.DEFAULT_GATEWAY_ID;
        private Path keysFile;
        private List<String> expected;
        private AggregatorKind aggregator = AggregatorKind.KRUM;
        private PipelineSpec pipeline;
        private Metric metric = Metric.COMMON;
        private int f = 1;
        private int m;
        private int minUpdates = 1;
        private Duration deadline = CoordinatorSettings.DEFAULT_DEADLINE;
        private Duration pause = Duration.ZERO;
        private long firstRound = 1;
        private long maxRounds;
        private String modelId = CoordinatorSettings.DEFAULT_MODEL_ID;
        private int dimension;
        private Path initialModel;
        private Path stateDir;
        private int inboxCapacity = 1024;
        private long inboxMaxBytes = Inbox.DEFAULT_MAX_BYTES;
        private int keepFrames = 10;
        private int auditMaxFrames = CoordinatorSettings.DEFAULT_MAX_AUDIT_FRAMES;
        private boolean bansLowerF = true;
        private CohortSettings cohort;
        private BufferedSettings buffered;
        private CentralNoiseSettings centralNoise;
        private int maxNonZero = Integer.MAX_VALUE;
        private ReputationSettings reputation =
                ReputationSettings.defaults();
        private GpioSettings gpio = GpioSettings.DISABLED;
        private OpsSettings ops = OpsSettings.DISABLED;

        public Builder brokerUri(String v) {
            brokerUri = v;
            return this;
        }

        public Builder clientId(String v) {
            clientId = v;
            return this;
        }

        public Builder credentials(String user, String pw) {
            username = user;
            password = pw;
            return this;
        }

        public Builder trustStore(Path v, String pw) {
            trustStore = v;
            trustStorePassword = pw;
            return this;
        }

        /** The MQTT keep-alive in seconds (default 30). */
        public Builder keepAliveSeconds(int v) {
            keepAliveSeconds = v;
            return this;
        }

        public Builder embeddedPort(int v) {
            embeddedPort = v;
            return this;
        }

        public Builder fleet(String v) {
            fleet = v;
            return this;
        }

        public Builder gatewayId(String v) {
            gatewayId = v;
            return this;
        }

        public Builder keysFile(Path v) {
            keysFile = v;
            return this;
        }

        public Builder expected(List<String> v) {
            expected = v;
            return this;
        }

        /** Asks only a cohort each round (null, the default: every expected node). */
        public Builder cohort(CohortSettings v) {
            cohort = v;
            return this;
        }

        /** Refuses updates with more than {@code k} non-zero coordinates (default: no bound). */
        public Builder maxNonZero(int k) {
            maxNonZero = k;
            return this;
        }

        /** Adds central noise to every round's aggregate (null, the default: none). */
        public Builder centralNoise(CentralNoiseSettings v) {
            centralNoise = v;
            return this;
        }

        /** Runs buffered mode (null, the default: synchronous rounds). */
        public Builder buffered(BufferedSettings v) {
            buffered = v;
            return this;
        }

        /** Rounds run by {@code v} (null: by {@link #aggregator}, f, m and the metric). */
        public Builder pipeline(PipelineSpec v) {
            pipeline = v;
            return this;
        }

        public Builder aggregator(AggregatorKind v) {
            aggregator = v;
            return this;
        }

        public Builder metric(Metric v) {
            metric = v;
            return this;
        }

        public Builder f(int v) {
            f = v;
            return this;
        }

        public Builder m(int v) {
            m = v;
            return this;
        }

        public Builder minUpdates(int v) {
            minUpdates = v;
            return this;
        }

        public Builder deadline(Duration v) {
            deadline = v;
            return this;
        }

        public Builder pause(Duration v) {
            pause = v;
            return this;
        }

        public Builder firstRound(long v) {
            firstRound = v;
            return this;
        }

        public Builder maxRounds(long v) {
            maxRounds = v;
            return this;
        }

        public Builder modelId(String v) {
            modelId = v;
            return this;
        }

        public Builder dimension(int v) {
            dimension = v;
            return this;
        }

        public Builder initialModel(Path v) {
            initialModel = v;
            return this;
        }

        public Builder stateDir(Path v) {
            stateDir = v;
            return this;
        }

        public Builder keepFrames(int v) {
            keepFrames = v;
            return this;
        }

        public Builder bansLowerF(boolean v) {
            bansLowerF = v;
            return this;
        }

        public Builder auditMaxFrames(int v) {
            auditMaxFrames = v;
            return this;
        }

        public Builder reputation(ReputationSettings v) {
            reputation = v;
            return this;
        }

        /** The operations endpoint and health rules (default: no endpoint, default rules). */
        public Builder ops(OpsSettings v) {
            ops = v;
            return this;
        }

        public Builder gpio(GpioSettings v) {
            gpio = v;
            return this;
        }

        public Builder inboxMaxBytes(long v) {
            inboxMaxBytes = v;
            return this;
        }

        public Builder inboxCapacity(int v) {
            inboxCapacity = v;
            return this;
        }

        public GatewayConfig build() {
            return new GatewayConfig(this);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "fleet=%s broker.uri=%s aggregator=%s metric=%s f=%d m=%d dimension=%d deadline=%dms",
                fleet, brokerUri, aggregation.ruleName(), aggregation.metricName(), aggregation.f(), aggregation.m(),
                dimension, deadline.toMillis());
    }
}
