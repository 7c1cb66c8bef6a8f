package org.qoraedge.gateway.daemon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.BlockBytes;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.gateway.aggregation.RoundBufferFactory;
import org.qoraedge.gateway.broker.EmbeddedBroker;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.NodeRegistry;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SignedText;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.qoraedge.gateway.round.BanList;
import org.qoraedge.gateway.round.RoundServices;
import org.qoraedge.gateway.round.CoordinatorStatus;
import org.qoraedge.gateway.round.Inbox;
import org.qoraedge.gateway.round.Outbox;
import org.qoraedge.gateway.round.RoundCoordinator;
import org.qoraedge.gateway.round.RoundListener;
import org.qoraedge.gateway.reputation.ReputationLedger;
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
 * <p>{@link #close} shuts down in order: stop the round worker (intake), mark the gateway offline
 * (retained status), disconnect MQTT, stop the embedded broker.
 */
public final class Gateway implements AutoCloseable {
    private static final String GATEWAY_KEY_FILE = "gateway.key";

    private final GatewayConfig config;
    private final EmbeddedBroker broker;
    private final MqttLink link;
    private final RoundCoordinator coordinator;
    private final Topics topics;
    private final byte[] publicKey;
    private final AtomicLong publishFailures = new AtomicLong();
    private final RetainedWatch retained;
    private volatile byte[] offlineStatus;
    private volatile Inbox coordinatorInbox;
    private volatile boolean closed;

    private final StateStore store;
    private final StatusIndicator indicator;

    private Gateway(GatewayConfig config, EmbeddedBroker broker, MqttLink link, RoundCoordinator coordinator, byte[] publicKey,
            StateStore store, StatusIndicator indicator, RetainedWatch retained) {
        this.retained = retained;
        this.store = store;
        this.indicator = indicator;
        this.config = config;
        this.broker = broker;
        this.link = link;
        this.coordinator = coordinator;
        this.topics = new Topics(config.fleet());
        this.publicKey = publicKey;
    }

    /**
     * Starts a gateway: reads the key registry and the initial model, loads (or creates) the
     * gateway's Ed25519 key in the state directory, starts the embedded broker if asked, connects
     * (retrying with backoff until connected) and starts the first round.
     */
    public static Gateway start(GatewayConfig config, Options options) throws IOException {
        NodeRegistry nodes = NodeRegistry.of(KeyFiles.read(config.keysFile()));
        Bfp16Block initial = config.initialModel() == null ? ModelUpdate.zeros(config.dimension())
                : readModel(config.initialModel(), config.dimension());
        byte[] seed = gatewaySeed(config);
        byte[] publicKey = Ed25519Keys.publicKeyOf(seed);
        StateStore store = config.stateDir() == null ? null : StateStore.open(config.stateDir(), config.keepFrames());
        StatusIndicator indicator = null;
        EmbeddedBroker broker = null;
        try {
        indicator = options.indicator != null ? options.indicator : StatusIndicators.create(config.gpio());
        if (options.embeddedBroker) {
            EmbeddedBroker.Options bo = EmbeddedBroker.options().port(options.embeddedPort != null ? options.embeddedPort
                    : config.embeddedPort()).maxMessageBytes(Math.max(1L << 20, 2 * Frame.maxSize(config.dimension()) + 4096));
            if (options.embeddedEngine != null) {
                bo.engine(options.embeddedEngine);
            }
            broker = EmbeddedBroker.start(bo);
        }
        try {
            String uri = broker != null ? broker.uri() : config.brokerUri();
            Inbox inbox = new Inbox(config.inboxCapacity());
            Topics topics = new Topics(config.fleet());
            MqttSettings.Builder ms = MqttSettings.builder(uri, config.clientId())
                    .cleanSession(false)
                    .firstConnectTimeout(options.connectTimeout)
                    .manualAcks(true)
                    .maxInboundPublishBytes(MqttSettings.publishBytesFor(Frame.maxSize(config.dimension())))
                    .persistenceDir(config.stateDir() == null ? null : config.stateDir().resolve("paho"));
            if (config.username() != null) {
                ms.credentials(config.username(), config.password() == null ? null : config.password().toCharArray());
            }
            if (config.trustStore() != null) {
                ms.trustStore(config.trustStore(), config.trustStorePassword() == null ? null : config.trustStorePassword().toCharArray());
            }
            LinkOutbox outbox = new LinkOutbox();
            RoundServices services = RoundServices.none().store(store)
                    .reputation(config.reputation().enabled() ? new ReputationLedger(config.reputation()) : null)
                    .indicator(indicator).banList(options.banList);
            for (RoundListener l : options.listeners) {
                services = services.listener(l);
            }
            RoundCoordinator coordinator = new RoundCoordinator(config.coordinatorSettings(nodes, initial, seed, options.buffers),
                    services, inbox, outbox);
            List<MqttLink.Subscription> subs = new ArrayList<>();
            for (String t : coordinator.subscriptions()) {
                subs.add(new MqttLink.Subscription(t, 1));
            }
            RetainedWatch watch = new RetainedWatch(java.util.Set.of(topics.round(), topics.model(), topics.gatewayStatus()));
            subs.add(new MqttLink.Subscription(topics.round(), 1));
            subs.add(new MqttLink.Subscription(topics.model(), 1));
            subs.add(new MqttLink.Subscription(topics.gatewayStatus(), 1));
            String pk = HexFormat.of().formatHex(publicKey);
            FrameSigner signer = FrameSigner.ed25519(seed);
            byte[] offline = status("offline", config, pk, signer);
            byte[] online = status("online", config, pk, signer);
            watch.ownStale(topics.gatewayStatus(), offline);
            MqttLink[] holder = new MqttLink[1];
            Gateway[] gateway = new Gateway[1];
            MqttLink.Events events = new MqttLink.Events() {
                @Override
                public void refused(String reason, long bytes) {
                    inbox.countRefusedBeforeDecoding();
                }

                @Override
                public boolean libraryFailed(String thread, Throwable failure) {
                    return options.onLibraryFailure.test(thread, failure);
                }
            };
            MqttLink link = new MqttLink(ms.build(), subs, (topic, msg) -> {
                if (watch.watches(topic)) {
                    holder[0].ack(msg);
                    RetainedWatch.Verdict v = watch.received(topic, msg.getPayload());
                    if (v != null) {
                        if (v.attack()) {
                            Logger.warn("{} was overwritten by another client ({} bytes): restored (attack suspected)", topic,
                                    msg.getPayload().length);
                        }
                        try {
                            holder[0].publish(topic, v.restore(), 1, true);
                        } catch (MqttException e) {
                            Logger.warn("could not restore {}: {}", topic, e.getMessage());
                        }
                    }
                    return;
                }
                inbox.offer(topic, msg.getPayload(), () -> holder[0].ack(msg));
            }, new MqttLink.Will(topics.gatewayStatus(), offline, 1, true), () -> {
                        try {
                            // After a reconnect the broker may hold older retained payloads (a restart from
                            // an older save): the current announcement and model are published again.
                            for (Map.Entry<String, byte[]> e : watch.reconnected().entrySet()) {
                                if (!e.getKey().equals(topics.gatewayStatus())) {
                                    watch.publishing(e.getKey(), e.getValue());
                                    holder[0].publish(e.getKey(), e.getValue(), 1, true);
                                }
                            }
                            watch.publishing(topics.gatewayStatus(), online);
                            holder[0].publish(topics.gatewayStatus(), online, 1, true);
                        } catch (MqttException e) {
                            Logger.debug("retained publish after connecting failed: {}", e.getMessage());
                        }
                    }, events);
            holder[0] = link;
            Gateway gw = new Gateway(config, broker, link, coordinator, publicKey, store, indicator, watch);
            gw.offlineStatus = offline;
            gw.coordinatorInbox = inbox;
            gateway[0] = gw;
            if (config.gpio().buttonAction() == StatusIndicator.ButtonAction.CLOSE_ROUND) {
                indicator.onButton(coordinator::requestClose);
            } else {
                indicator.onButton(() -> Logger.info("status: {}", coordinator.status()));
            }
            outbox.gateway = gw;
            try {
                link.connect();
            } catch (IOException e) {
                link.close(Duration.ZERO);
                throw e;
            }
            // The config's broker.uri is not the broker in use when the embedded one runs: name only the one connected to.
            Logger.info("gateway {} for fleet {} connected to {}{}: {} node keys, {} expected, {} f={} dimension={}, public key {}",
                    config.gatewayId(), config.fleet(), uri, broker != null ? " (embedded broker)" : "", nodes.keys().size(),
                    config.expected() == null ? nodes.keys().size() : config.expected().size(),
                    config.aggregation().kind().wireName(), config.aggregation().f(), config.dimension(), pk);
            try {
                coordinator.start();
            } catch (RuntimeException e) {
                link.close(Duration.ZERO);
                throw e;
            }
            return gw;
        } catch (IOException | RuntimeException e) {
            if (broker != null) {
                broker.close();
            }
            throw e;
        }
        } catch (IOException | RuntimeException e) {
            if (indicator != null) {
                indicator.close();
            }
            if (store != null) {
                store.close();
            }
            throw e;
        }
    }

    /** The retained status, signed like the announcement (docs/PROTOCOL.md, "Signed text messages"). */
    private static byte[] status(String state, GatewayConfig c, String publicKey, FrameSigner signer) {
        byte[] body = TextMessage.builder().put("protocol", 1).put("state", state).put("gateway", c.gatewayId())
                .put("fleet", c.fleet()).put("publicKey", publicKey).build().toBytes();
        return SignedText.sign(new Topics(c.fleet()).gatewayStatus(), body, signer);
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
        return coordinatorInbox.refusedBeforeDecoding();
    }

    /** Times another client overwrote or cleared one of the gateway's retained topics and the gateway restored it. */
    public long retainedRestored() {
        return retained.restored();
    }

    /** Messages lost to the gateway: dropped because its inbox was full. */
    public long inboxDropped() {
        return coordinator.status().dropped();
    }

    /** Publishes that failed (Paho refused them). */
    public long publishFailures() {
        return publishFailures.get();
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
            coordinator.close();
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            if (link.isConnected()) {
                byte[] offline = offlineStatus;
                retained.publishing(topics.gatewayStatus(), offline);
                link.publish(topics.gatewayStatus(), offline, 1, true).waitForCompletion(2000);
            }
        } catch (MqttException | RuntimeException e) {
            Logger.debug("offline status not published: {}", e.getMessage());
        }
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
                failure = add(failure, new java.io.UncheckedIOException("releasing the state directory failed", e));
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
        private java.util.function.BiPredicate<String, Throwable> onLibraryFailure = (thread, failure) -> true;

        /**
         * What to do when one of the MQTT library's threads dies (see {@link MqttLink.Events#libraryFailed}):
         * return true to reconnect (the default), false after arranging something else; the daemon
         * exits with status 70 so that its service manager restarts it.
         */
        public Options onLibraryFailure(java.util.function.BiPredicate<String, Throwable> v) {
            this.onLibraryFailure = java.util.Objects.requireNonNull(v);
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

    /** Publishes through the link; never throws (failures are counted and logged). */
    private static final class LinkOutbox implements Outbox {
        volatile Gateway gateway;

        @Override
        public void publish(String topic, byte[] payload, int qos, boolean retained) {
            Gateway g = gateway;
            try {
                if (retained) {
                    g.retained.publishing(topic, payload);
                }
                g.link.publish(topic, payload, qos, retained);
            } catch (MqttException | RuntimeException e) {
                g.publishFailures.incrementAndGet();
                Logger.warn("publish of {} bytes to {} failed: {}", payload.length, topic, e.getMessage());
            }
        }
    }
}
