package org.qoraedge.gateway.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.BlockBytes;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.fixedpoint.fast.FastKrum;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.aggregation.RoundBufferFactory;
import org.qoraedge.gateway.broker.EmbeddedBroker;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.mqtt.PahoReceivePath;
import org.qoraedge.gateway.ops.Health;
import org.qoraedge.gateway.ops.Operations;
import org.qoraedge.gateway.ops.OpsView;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.NodeRegistry;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SignedText;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.round.BanList;
import org.qoraedge.gateway.round.CoordinatorSettings;
import org.qoraedge.gateway.round.CoordinatorStatus;
import org.qoraedge.gateway.round.Inbox;
import org.qoraedge.gateway.round.RoundCoordinator;
import org.qoraedge.gateway.round.RoundListener;
import org.qoraedge.gateway.round.RoundServices;
import org.qoraedge.gateway.state.AtomicFiles;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.status.StatusIndicator;
import org.qoraedge.gateway.status.StatusIndicators;
import org.tinylog.Logger;

/**
 * A running gateway: optionally an embedded broker, one MQTT connection (persistent session,
 * automatic reconnect) and the round coordinator. This is what {@code run} starts, and what tests
 * and demos start in-process:
 *
 * <pre>{@code
 * GatewayConfig cfg = GatewayConfig.builder().fleet("demo").keysFile(keys).dimension(7850)
 *         .aggregator(AggregatorKind.MULTI_KRUM).f(2).stateDir(dir).build();
 * try (Gateway gw = Gateway.start(cfg, Gateway.Options.embeddedBroker())) {
 *     String uri = gw.brokerUri();   // nodes connect here
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link #close} shuts down in order: stop the operations endpoint, stop the round worker
 * (intake), mark the gateway offline (retained status), disconnect MQTT, stop the embedded broker.
 */
public final class Gateway implements AutoCloseable {
    private static final String GATEWAY_KEY_FILE = "gateway.key";

    private final GatewayConfig config;
    private final EmbeddedBroker broker;
    private final GatewayLink link;
    private final RoundCoordinator coordinator;
    private final Inbox inbox;
    private final byte[] publicKey;
    private final StateStore store;
    private final StatusIndicator indicator;
    private final Operations ops;
    private volatile boolean closed;

    private Gateway(GatewayConfig config, EmbeddedBroker broker, GatewayLink link, RoundCoordinator coordinator, Inbox inbox,
            byte[] publicKey, StateStore store, StatusIndicator indicator, Operations ops) {
        this.config = config;
        this.broker = broker;
        this.link = link;
        this.coordinator = coordinator;
        this.inbox = inbox;
        this.publicKey = publicKey;
        this.store = store;
        this.indicator = indicator;
        this.ops = ops;
    }

    /**
     * Starts a gateway: reads the key registry and the initial model, loads (or creates) the
     * gateway's Ed25519 key in the state directory, starts the embedded broker if asked, connects
     * (retrying with backoff until connected) and starts the first round.
     *
     * <p>When a step fails, what the earlier steps started is closed in reverse order (the state
     * directory, the status indicator, the embedded broker, the MQTT link) and the step's exception
     * is thrown, with any failure to close suppressed in it.
     */
    public static Gateway start(GatewayConfig config, Options options) throws IOException {
        if (!Files.exists(config.keysFile())) {
            throw new ConfigException("config key keys.file = " + config.keysFile() + ": file not found (the registry of the"
                    + " nodes' keys: 'qora-edge-gateway keys --config CONFIG --count N --out-dir DIR' creates it)");
        }
        if (config.initialModel() != null && !Files.exists(config.initialModel())) {
            throw new ConfigException("config key model.initial = " + config.initialModel() + ": file not found");
        }
        NodeRegistry nodes = NodeRegistry.of(KeyFiles.read(config.keysFile()));
        Bfp16Block initial = config.initialModel() == null ? ModelUpdate.zeros(config.dimension())
                : readModel(config.initialModel(), config.dimension());
        byte[] seed = gatewaySeed(config);
        byte[] publicKey = Ed25519Keys.publicKeyOf(seed);
        Started started = new Started();
        try {
            StateStore store = started.add(config.stateDir() == null ? null : StateStore.open(config.stateDir(), config.keepFrames()));
            StatusIndicator indicator = started.add(options.indicator != null ? options.indicator : StatusIndicators.create(config.gpio()));
            EmbeddedBroker broker = started.add(options.embeddedBroker ? startBroker(config, options) : null);
            String uri = broker != null ? broker.uri() : config.brokerUri();

            Inbox inbox = new Inbox(config.inboxCapacity(), config.inboxMaxBytes());
            MqttSettings mqtt = linkSettings(config, uri, options.connectTimeout);
            CoordinatorSettings coordinatorSettings = config.coordinatorSettings(nodes, initial, seed, options.buffers);
            RoundServices services = RoundServices.none().store(store)
                    .reputation(config.reputation().enabled() ? new ReputationLedger(config.reputation()) : null)
                    .indicator(indicator).banList(options.banList);
            for (RoundListener l : options.listeners) {
                services = services.listener(l);
            }
            Operations ops = started.add(new Operations(config.ops(), config.fleet(), coordinatorSettings.registry().keySet()));
            services = services.listener(ops.listener());

            Topics topics = new Topics(config.fleet());
            String pk = HexFormat.of().formatHex(publicKey);
            FrameSigner signer = FrameSigner.ed25519(seed);
            GatewayLink link = new GatewayLink(mqtt, topics, topics.subscriptions(coordinatorSettings.registry().keySet()), inbox,
                    status("online", config, pk, signer), status("offline", config, pk, signer), options.onLibraryFailure);
            started.add(() -> link.close(Duration.ZERO));

            RoundCoordinator coordinator = new RoundCoordinator(coordinatorSettings, services, inbox, link);
            watchButton(config.gpio().buttonAction(), indicator, coordinator);

            link.connect();
            // The config's broker.uri is not the broker in use when the embedded one runs: name only the one connected to.
            AggregationSettings agg = config.aggregation();
            Logger.info("gateway started: gateway.id {}, fleet {}, connected to {}{}; {} node keys, {} expected; aggregator {}{};"
                    + " model.dimension {}; public key {}", config.gatewayId(), config.fleet(), uri,
                    broker != null ? " (embedded broker)" : "", nodes.keys().size(),
                    config.expected() == null ? nodes.keys().size() : config.expected().size(), agg.ruleName(),
                    agg.kind() == AggregatorKind.PIPELINE ? "" : " (metric " + agg.metricName() + ", f " + agg.f() + ")",
                    config.dimension(), pk);
            String kernels = FastKrum.implementation();
            if (kernels.contains("--add-modules")) {
                // The JVM was started without the Vector API: same bits, slower dot products (docs/FAULTS.md).
                Logger.warn("dot-product kernels: {}", kernels);
            } else {
                Logger.info("dot-product kernels: {}", kernels);
            }
            // The deployed unit runs -Xmx64m with the Serial collector (deploy/qora-edge-gateway.service).
            Logger.info("JVM heap cap {} MiB, garbage collectors {}", Runtime.getRuntime().maxMemory() >> 20,
                    ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
            if (PahoReceivePath.bulk()) {
                Logger.info("MQTT receive path: {}", PahoReceivePath.describe());
            } else {
                Logger.warn("MQTT receive path: {}", PahoReceivePath.describe());
            }
            // The endpoint before the worker: a port in use fails the start with nothing running, and while
            // the worker loads the state, /health already answers (503: not running yet).
            ops.attach(view(coordinator, link, inbox, coordinatorSettings.registry().keySet(), mqtt.keepAliveSeconds()));
            ops.startEndpoint();
            coordinator.start();
            return new Gateway(config, broker, link, coordinator, inbox, publicKey, store, indicator, ops);
        } catch (Throwable failure) {
            started.closeAfter(failure);
            throw failure;
        }
    }

    /** Starts the embedded broker on 127.0.0.1, taking messages up to twice the largest frame. */
    private static EmbeddedBroker startBroker(GatewayConfig config, Options options) throws IOException {
        EmbeddedBroker.Options bo = EmbeddedBroker.options().port(options.embeddedPort != null ? options.embeddedPort
                : config.embeddedPort()).maxMessageBytes(Math.max(1L << 20, 2 * Frame.maxUpdateSize(config.dimension()) + 4096));
        if (options.embeddedEngine != null) {
            bo.engine(options.embeddedEngine);
        }
        return EmbeddedBroker.start(bo);
    }

    /**
     * The MQTT settings of a connection of the gateway's (its own, or the {@code status} command's)
     * to {@code brokerUri}: the config's credentials and trust store, the builder's defaults for the rest.
     */
    static MqttSettings.Builder mqttSettings(GatewayConfig config, String brokerUri, String clientId) {
        return MqttSettings.builder(brokerUri, clientId)
                .credentials(config.username(), chars(config.password()))
                .trustStore(config.trustStore(), chars(config.trustStorePassword()));
    }

    /**
     * The MQTT settings of the gateway's own connection: a persistent session (the broker queues
     * updates while the gateway is away), acknowledgements only once an update is durable, Paho's
     * in-flight messages under the state directory (in memory without one), and the largest frame
     * of the model's dimension accepted.
     *
     * @param connectTimeout how long the first connect is retried; null: until it succeeds
     */
    static MqttSettings linkSettings(GatewayConfig config, String brokerUri, Duration connectTimeout) {
        return mqttSettings(config, brokerUri, config.clientId())
                .cleanSession(false)
                .keepAliveSeconds(config.keepAliveSeconds())
                .firstConnectTimeout(connectTimeout)
                .manualAcks(true)
                .maxInboundPublishBytes(MqttSettings.publishBytesFor(Frame.maxUpdateSize(config.dimension())))
                .persistenceDir(config.stateDir() == null ? null : config.stateDir().resolve("paho"))
                .build();
    }

    private static char[] chars(String s) {
        return s == null ? null : s.toCharArray();
    }

    /** The status button closes the round, or logs the coordinator's status, as the config says. */
    private static void watchButton(StatusIndicator.ButtonAction action, StatusIndicator indicator, RoundCoordinator coordinator) {
        if (action == StatusIndicator.ButtonAction.CLOSE_ROUND) {
            indicator.onButton(coordinator::requestClose);
        } else {
            indicator.onButton(() -> Logger.info("status: {}", coordinator.status()));
        }
    }

    /** The retained status, signed like the announcement (docs/PROTOCOL.md, "Signed text messages"). */
    private static byte[] status(String state, GatewayConfig c, String publicKey, FrameSigner signer) {
        byte[] body = TextMessage.builder().put("protocol", 1).put("state", state).put("gateway", c.gatewayId())
                .put("fleet", c.fleet()).put("publicKey", publicKey).build().toBytes();
        return SignedText.sign(new Topics(c.fleet()).gatewayStatus(), body, signer);
    }

    /** What the operations endpoint reads: the coordinator's and the link's figures, all safe from any thread. */
    private static OpsView view(RoundCoordinator coordinator, GatewayLink link, Inbox inbox, Set<String> registered, int keepAlive) {
        Set<String> ids = Set.copyOf(registered);
        return new OpsView() {
            @Override
            public CoordinatorStatus status() {
                return coordinator.status();
            }

            @Override
            public long lastStepNanos() {
                return coordinator.lastStepNanos();
            }

            @Override
            public String auditHead() {
                return coordinator.auditHead();
            }

            @Override
            public ReputationLedger reputation() {
                return coordinator.reputation();
            }

            @Override
            public Set<String> registeredNodes() {
                return ids;
            }

            @Override
            public boolean mqttConnected() {
                return link.isConnected();
            }

            @Override
            public long mqttConnects() {
                return link.connectCount();
            }

            @Override
            public long mqttLastInboundNanos() {
                return link.lastInboundNanos();
            }

            @Override
            public boolean mqttInboundObserved() {
                return link.inboundObserved();
            }

            @Override
            public int mqttKeepAliveSeconds() {
                return keepAlive;
            }

            @Override
            public long inboxDropped() {
                return inbox.dropped();
            }

            @Override
            public long refusedBeforeDecoding() {
                return inbox.refusedBeforeDecoding();
            }

            @Override
            public long publishFailures() {
                return link.publishFailures();
            }

            @Override
            public long sinkFailures() {
                return link.sinkFailures();
            }

            @Override
            public int inboxQueued() {
                return inbox.size();
            }

            @Override
            public long inboxQueuedBytes() {
                return inbox.queuedBytes();
            }

            @Override
            public long inboxWaits() {
                return inbox.waits();
            }

            @Override
            public long receiveWindowWaits() {
                return link.receiveWindowWaits();
            }
        };
    }

    /** The operations side: metrics, health, status page and (when configured) its HTTP endpoint. */
    public Operations operations() {
        return ops;
    }

    /** The health verdict now (docs/OPERATIONS.md, "Health"). */
    public Health.Report health() {
        return ops.health();
    }

    /** The broker URI nodes should use (the embedded broker's when there is one). */
    public String brokerUri() {
        return broker != null ? broker.uri() : config.brokerUri();
    }

    /** The gateway's raw Ed25519 public key (for {@code NodeClient.Builder.gatewayKey}). */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public RoundCoordinator coordinator() {
        return coordinator;
    }

    public CoordinatorStatus status() {
        return coordinator.status();
    }

    /** The embedded broker, or null. */
    public EmbeddedBroker broker() {
        return broker;
    }

    public GatewayConfig config() {
        return config;
    }

    /** PUBLISH packets the broker delivered that were refused before decoding (too large, a topic Paho cannot read). */
    public long refusedBeforeDecoding() {
        return inbox.refusedBeforeDecoding();
    }

    /** Times another client overwrote or cleared one of the gateway's retained topics and the gateway restored it. */
    public long retainedRestored() {
        return link.retainedRestored();
    }

    /** Messages lost to the gateway: dropped because its inbox was full. */
    public long inboxDropped() {
        return coordinator.status().dropped();
    }

    /** Publishes that failed (Paho refused them). */
    public long publishFailures() {
        return link.publishFailures();
    }

    /** Waits for the round worker to finish (it does after {@code round.max} rounds). */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return coordinator.awaitFinished(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Shuts down in order; errors are collected, the first one thrown with the rest suppressed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        try {
            ops.close();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            coordinator.close();
        } catch (RuntimeException e) {
            failure = add(failure, e);
        }
        link.publishOffline();
        try {
            link.close(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            failure = add(failure, e);
        }
        if (broker != null) {
            try {
                broker.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
            }
        }
        try {
            indicator.close();
        } catch (RuntimeException e) {
            failure = add(failure, e);
        }
        if (store != null) {
            try {
                store.close();
            } catch (IOException e) {
                failure = add(failure, new UncheckedIOException("releasing the state directory failed", e));
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    /** Drops the MQTT connection without DISCONNECT (the broker publishes the offline Will); for tests. */
    void crashConnection() {
        link.killConnection();
    }

    /**
     * Reads a model file: the spec section 7 block layout (int32 BE e, int32 BE d, d int16 BE
     * mantissas), exactly {@code 8 + 2d} bytes, validated by spec section 1.
     */
    public static Bfp16Block readModel(Path file, int dimension) throws IOException {
        long size = Files.size(file);
        long expected = 8L + 2L * dimension;
        if (size != expected) {
            throw new ConfigException("model file " + file + " has " + size + " bytes; a model of dimension " + dimension
                    + " has " + expected);
        }
        try {
            return BlockBytes.read(Files.readAllBytes(file)); // its length is 8 + 2 * dimension: so is d
        } catch (FixedPointException ex) {
            throw new ConfigException("model file " + file + ": " + ex.getMessage());
        }
    }

    /**
     * The raw Ed25519 public key of the gateway of {@code config}, from its state directory (the
     * key is created there if it does not exist yet): the key to pin in node credentials.
     */
    public static byte[] publicKey(GatewayConfig config) throws IOException {
        if (config.stateDir() == null) {
            throw new ConfigException("a gateway without state.dir has a new key at every start: nothing to pin");
        }
        Files.createDirectories(config.stateDir());
        return Ed25519Keys.publicKeyOf(gatewaySeed(config));
    }

    /** The gateway's Ed25519 seed from the state directory, created on first start; random when there is no state directory. */
    static byte[] gatewaySeed(GatewayConfig config) throws IOException {
        SecureRandom random = new SecureRandom();
        if (config.stateDir() == null) {
            return Ed25519Keys.newSeed(random);
        }
        Path file = config.stateDir().resolve(GATEWAY_KEY_FILE);
        if (Files.exists(file)) {
            List<KeyFiles.Entry> entries = KeyFiles.read(file);
            if (entries.size() != 1 || entries.get(0).scheme() != SignatureScheme.ED25519) {
                throw new ConfigException(file + " must hold exactly one ed25519 key");
            }
            return entries.get(0).key();
        }
        byte[] seed = Ed25519Keys.newSeed(random);
        AtomicFiles.write(file, ("# the gateway's Ed25519 signing key (seed); keep it private\n"
                + KeyFiles.line(config.gatewayId(), SignatureScheme.ED25519, seed) + "\n").getBytes(StandardCharsets.UTF_8));
        Logger.info("created the gateway key {}", file);
        return seed;
    }

    /** How to start: embedded broker or not, hooks for ban list, listeners and round buffers. */
    public static final class Options {
        private boolean embeddedBroker;
        private Integer embeddedPort;
        private EmbeddedBroker.Engine embeddedEngine; // null: EmbeddedBroker's own choice
        private Duration connectTimeout;
        private BanList banList = BanList.NONE;
        private RoundBufferFactory buffers; // null: the coordinator's default (incremental)
        private final List<RoundListener> listeners = new ArrayList<>();
        private StatusIndicator indicator; // null: from the config's gpio settings
        private BiPredicate<String, Throwable> onLibraryFailure = (thread, failure) -> true;

        /**
         * What to do when one of the MQTT library's threads dies (see {@link MqttLink.Events#libraryFailed}):
         * return true to reconnect (the default), false after arranging something else; the daemon
         * exits with status 70 so that its service manager restarts it.
         */
        public Options onLibraryFailure(BiPredicate<String, Throwable> v) {
            this.onLibraryFailure = Objects.requireNonNull(v);
            return this;
        }

        /** Uses this indicator instead of the one the config's {@code gpio.*} keys describe (tests). */
        public Options indicator(StatusIndicator v) {
            this.indicator = v;
            return this;
        }

        private Options() {
        }

        /** Connect to the config's broker; retry the first connect until it succeeds. */
        public static Options external() {
            return new Options();
        }

        /** Start an embedded broker on 127.0.0.1 (the config's {@code embedded.port}) and connect to it. */
        public static Options embeddedBroker() {
            Options o = new Options();
            o.embeddedBroker = true;
            return o;
        }

        /** Which embedded broker to run (default: Mosquitto when installed, else Moquette; docs/BROKER.md). */
        public Options embeddedEngine(EmbeddedBroker.Engine engine) {
            this.embeddedEngine = engine;
            return this;
        }

        /** Overrides the embedded broker's port (0: a free one). */
        public Options embeddedPort(int port) {
            this.embeddedPort = port;
            return this;
        }

        /** Give up the first connect after this long (default: never). */
        public Options connectTimeout(Duration v) {
            this.connectTimeout = v;
            return this;
        }

        public Options banList(BanList v) {
            this.banList = v;
            return this;
        }

        public Options buffers(RoundBufferFactory v) {
            this.buffers = v;
            return this;
        }

        public Options listener(RoundListener v) {
            this.listeners.add(v);
            return this;
        }
    }

    /** What {@link #start} has started so far, to be closed in reverse order if a later step fails. */
    private static final class Started {
        private final ArrayDeque<AutoCloseable> resources = new ArrayDeque<>();

        /** Registers {@code resource} (nothing when null) and returns it. */
        <T extends AutoCloseable> T add(T resource) {
            if (resource != null) {
                resources.push(resource);
            }
            return resource;
        }

        /** Closes what was registered, last first; a failure to close is suppressed in {@code failure}. */
        void closeAfter(Throwable failure) {
            while (!resources.isEmpty()) {
                try {
                    resources.pop().close();
                } catch (Exception e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }
}
