package org.qoraedge.gateway.client;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameHeader;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.ProtocolException;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.SignedText;
import org.qoraedge.gateway.protocol.SparseFrame;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.tinylog.Logger;

/**
 * A node's side of the protocol over one MQTT connection: it receives the round announcement and
 * the global model (both retained), publishes its signed updates with QoS 1, receives rejection
 * notices, and announces itself with a birth message and a Will.
 *
 * <pre>{@code
 * NodeCredentials me = KeyFiles.readCredentials(Path.of("node-07.key")); // with the gateway's pinned key
 * try (NodeClient node = NodeClient.builder("tcp://127.0.0.1:1883", "plant-3", me).build()) {
 *     node.connect();
 *     RoundStart r = node.awaitRound(1, Duration.ofMinutes(1));   // round >= 1 with its model
 *     Bfp16Block delta = Bfp16.encode(train(Bfp16.decode(r.model())));
 *     node.publishUpdate(r, delta);                                   // waits for the PUBACK
 * }
 * }</pre>
 *
 * <p>Thread safety: every method may be called from any thread. Listener callbacks run on the
 * client's dispatch thread. Sequence numbers start at {@code initialSequence} (default: the
 * current time in microseconds, so they keep increasing across restarts of a node whose clock
 * does not go back) and increase by one per frame built.
 */
public final class NodeClient implements AutoCloseable {
    private final NodeCredentials credentials;
    private final Topics topics;
    private final VerifyingKey gatewayKey;
    private final String gatewayId; // the pinned gateway's id, when the credentials name it
    private final NodeListener listener;
    private final Duration publishTimeout;
    private final long maxModelFrameBytes;
    private final MqttLink link;
    private final ThreadPoolExecutor dispatch;
    private final AtomicLong sequence;
    private final AtomicLong droppedMessages = new AtomicLong();
    private final Object lock = new Object();
    private final List<RejectionNotice> rejections = new ArrayList<>();
    private final AtomicLong refusedMessages = new AtomicLong();
    private final AtomicLong lastUpdateBytes = new AtomicLong();
    private final TopKSparsifier sparsifier;
    private RoundAnnouncement announcement;
    private Frame modelFrame;
    private String modelFrameDigest; // of modelFrame's block
    private RoundStart current;
    // The newest round any verified announcement or model named: older ones are refused (rollback).
    private long newestRoundSeen = Long.MIN_VALUE;

    private NodeClient(Builder b) {
        this.credentials = b.credentials;
        this.topics = new Topics(b.fleet);
        byte[] pinned = b.gatewayKey != null ? b.gatewayKey : credentials.gatewayKey();
        if (pinned == null) {
            throw new IllegalArgumentException("node " + credentials.nodeId() + " has no gateway key: a node trusts only the"
                    + " gateway key it was provisioned with (a 'gateway-ed25519' line in its credentials file, written by"
                    + " 'qora-edge-gateway keys --config ...', or Builder.gatewayKey)");
        }
        this.gatewayKey = VerifyingKey.ed25519(pinned);
        this.gatewayId = b.gatewayKey != null ? null : credentials.gatewayId();
        this.listener = b.listener;
        this.publishTimeout = b.publishTimeout;
        this.maxModelFrameBytes = b.maxModelFrameBytes;
        this.sparsifier = b.density < 1 ? new TopKSparsifier(b.density) : null;
        this.sequence = new AtomicLong(b.initialSequence > 0 ? b.initialSequence - 1
                : System.currentTimeMillis() * 1000L);
        this.dispatch = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1024), r -> {
            Thread t = new Thread(r, "qora-node-" + credentials.nodeId());
            t.setDaemon(true);
            return t;
        }, (r, ex) -> droppedMessages.incrementAndGet());
        String nodeId = credentials.nodeId();
        this.link = new MqttLink(mqttSettings(b),
                List.of(new MqttLink.Subscription(topics.round(), 1), new MqttLink.Subscription(topics.model(), 1),
                        new MqttLink.Subscription(topics.reject(nodeId), 1)),
                this::onMessage, deathWill(topics, nodeId), this::publishBirth);
    }

    /**
     * The node's connection: a clean session (nothing is queued for a node while it is away),
     * acknowledged on receipt, and the largest model frame (or text message) it reads before the
     * announcement gives the exact limit.
     */
    static MqttSettings mqttSettings(Builder b) {
        return MqttSettings.builder(b.brokerUri, b.clientId != null ? b.clientId : "qora-node-" + b.fleet + "-" + b.credentials.nodeId())
                .cleanSession(true)
                .persistenceDir(b.persistenceDir)
                .firstConnectTimeout(b.connectTimeout)
                .maxInboundPublishBytes(MqttSettings.publishBytesFor(Math.max(b.maxModelFrameBytes, TextMessage.MAX_BYTES)))
                .credentials(b.username, b.password)
                .trustStore(b.trustStore, b.trustStorePassword)
                .build();
    }

    /** The node's Will: its offline notice on its death topic, QoS 1, not retained. */
    static MqttLink.Will deathWill(Topics topics, String nodeId) {
        byte[] death = TextMessage.builder().put("node", nodeId).put("state", "offline").build().toBytes();
        return new MqttLink.Will(topics.death(nodeId), death, 1, false);
    }

    /**
     * @param brokerUri {@code tcp://host:port} or {@code ssl://host:port}
     * @param fleet the fleet's name (the topic level after {@code qora/v1/})
     * @param credentials the node's id and signing key
     */
    public static Builder builder(String brokerUri, String fleet, NodeCredentials credentials) {
        return new Builder(brokerUri, fleet, credentials);
    }

    /**
     * Connects (the first connect is retried with backoff up to the connect timeout) and
     * subscribes; the retained announcement and model arrive shortly after.
     */
    public void connect() throws IOException {
        link.connect();
    }

    public String nodeId() {
        return credentials.nodeId();
    }

    public Topics topics() {
        return topics;
    }

    /** The latest round whose announcement and model have both arrived, or null. */
    public RoundStart currentRound() {
        synchronized (lock) {
            return current;
        }
    }

    /**
     * Waits until a round numbered at least {@code minRound} has been announced and its model has
     * arrived.
     *
     * @throws TimeoutException when none came within {@code timeout}
     */
    public RoundStart awaitRound(long minRound, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (current == null || current.round() < minRound) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("node " + nodeId() + " saw no round >= " + minRound + " within " + timeout.toMillis() + " ms"
                            + (current == null ? " (no round yet)" : " (latest: " + current.round() + ")"));
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return current;
        }
    }

    /**
     * True when round {@code start} asks this node for an update: the round asks every node, or its
     * signed announcement names this node in its cohort (docs/PROTOCOL.md section 6.2). A node outside
     * the cohort should neither train nor publish: the gateway refuses its update as
     * {@code not-in-cohort}.
     */
    public boolean inCohort(RoundStart start) {
        return start.announcement().asks(nodeId());
    }

    /**
     * True when, as far as this node knows, the gateway still takes an update trained from
     * {@code start}: the newest round it holds takes versions from its announcement's
     * {@link org.qoraedge.gateway.protocol.RoundAnnouncement#oldestVersionTaken} on (buffered mode,
     * docs/PROTOCOL.md section 6.3; in synchronous rounds that is the newest round only). A node
     * should not send an update this says is too old: the gateway refuses it as {@code stale-update}
     * (or {@code wrong-round}). The gateway may have moved on since the node's newest round arrived,
     * so true is no promise.
     */
    public boolean stillTaken(RoundStart start) {
        RoundStart newest = currentRound();
        return newest == null || start.round() >= newest.announcement().oldestVersionTaken();
    }

    /** The next sequence number (each call consumes one). */
    public long nextSequence() {
        return sequence.incrementAndGet();
    }

    /**
     * Builds this node's signed UPDATE frame for {@code round} with the next sequence number;
     * does not publish it.
     */
    public byte[] encodeUpdate(long round, String modelId, Bfp16Block update) {
        Frame f = new Frame(FrameKind.UPDATE, credentials.scheme(), topics.fleet(), credentials.nodeId(), round,
                nextSequence(), modelId, update);
        return f.encode(credentials.signer());
    }

    /**
     * Builds this node's signed SPARSE UPDATE frame (docs/PROTOCOL.md section 4.1) of a selection
     * for {@code round} with the next sequence number; does not publish it.
     */
    public byte[] encodeSparseUpdate(long round, String modelId, TopKSparsifier.Selection selection) {
        SparseFrame f = new SparseFrame(credentials.scheme(), topics.fleet(), credentials.nodeId(), round, nextSequence(),
                modelId, selection.exponent(), selection.dimension(), selection.indices(), selection.mantissas());
        return f.encode(credentials.signer());
    }

    /**
     * Publishes an update for the round {@code start} announced, with QoS 1, and waits for the
     * broker's acknowledgement. In sparse mode ({@link Builder#density} below 1) the update plus
     * the residual carried from earlier rounds goes through top-k selection and is sent as a
     * SPARSE UPDATE frame; what is not sent is carried to the next call.
     *
     * @return the sequence number used
     * @throws IOException when the broker did not acknowledge within the publish timeout
     */
    public long publishUpdate(RoundStart start, Bfp16Block update) throws IOException {
        Objects.requireNonNull(start, "round");
        if (sparsifier == null) {
            return publishFrame(encodeUpdate(start.round(), start.announcement().modelId(), update));
        }
        TopKSparsifier.Selection sel;
        synchronized (sparsifier) {
            sel = sparsifier.select(update);
        }
        return publishSparseUpdate(start, sel);
    }

    /**
     * Publishes a selection the caller made (its own top-k, without this client's residual) as a
     * SPARSE UPDATE frame for the round {@code start} announced, with QoS 1, and waits for the
     * broker's acknowledgement.
     *
     * @return the sequence number used
     * @throws IOException when the broker did not acknowledge within the publish timeout
     */
    public long publishSparseUpdate(RoundStart start, TopKSparsifier.Selection selection) throws IOException {
        Objects.requireNonNull(start, "round");
        return publishFrame(encodeSparseUpdate(start.round(), start.announcement().modelId(), selection));
    }

    private long publishFrame(byte[] frame) throws IOException {
        lastUpdateBytes.set(frame.length);
        publishRaw(topics.update(nodeId()), frame);
        return FrameCodec.parseHeader(frame, frame.length).sequence();
    }

    /**
     * Publishes any payload on any topic with QoS 1 and waits for the acknowledgement: for
     * devices that build their own frames and for tests and attack simulations (forged,
     * malformed or replayed frames).
     *
     * <p>When the acknowledgement does not come within the publish timeout although the link says
     * it is connected, the MQTT client is taken as wedged and replaced ({@link MqttLink#restart});
     * the caller gets the IOException and publishes again when it wants to.
     */
    public void publishRaw(String topic, byte[] payload) throws IOException {
        try {
            link.publish(topic, payload, 1, false).waitForCompletion(publishTimeout.toMillis());
        } catch (MqttException e) {
            if (e.getReasonCode() == MqttException.REASON_CODE_CLIENT_TIMEOUT && link.isConnected()) {
                link.restart("a " + payload.length + "-byte QoS 1 publish on " + topic + " was not acknowledged within " + publishTimeout.toMillis() + " ms"
                        + " on a connection the client says is up");
            }
            throw new IOException("node " + nodeId() + " could not publish " + payload.length + " bytes on " + topic + ": "
                    + e.getMessage(), e);
        }
    }

    /** Rejection notices received so far, oldest first. */
    public List<RejectionNotice> rejections() {
        synchronized (lock) {
            return List.copyOf(rejections);
        }
    }

    /**
     * Announcements and models refused: unsigned or not signed by the pinned gateway key, for
     * another fleet or gateway, or older than a round already seen (rollback).
     */
    public long refusedMessages() {
        return refusedMessages.get();
    }

    /** The size in bytes of the last update frame this client built for {@link #publishUpdate}, 0 before the first. */
    public long lastUpdateBytes() {
        return lastUpdateBytes.get();
    }

    /** Messages dropped because the dispatch queue was full. */
    public long droppedMessages() {
        return droppedMessages.get();
    }

    /** Drops the connection without DISCONNECT, so the broker publishes this node's Will. */
    public void crash() {
        link.killConnection();
        dispatch.shutdownNow();
    }

    @Override
    public void close() {
        link.close(Duration.ofSeconds(1));
        dispatch.shutdownNow();
    }

    private void publishBirth() {
        byte[] birth = TextMessage.builder().put("node", nodeId()).put("state", "online")
                .put("session", System.currentTimeMillis()).build().toBytes();
        try {
            link.publish(topics.birth(nodeId()), birth, 1, false);
        } catch (MqttException e) {
            Logger.debug("node {} could not publish its birth message: {}", nodeId(), e.getMessage());
        }
    }

    /** On Paho's thread: hand over only. */
    private void onMessage(String topic, MqttMessage message) {
        byte[] payload = message.getPayload();
        dispatch.execute(() -> handle(topic, payload));
    }

    private void handle(String topic, byte[] payload) {
        try {
            if (topic.equals(topics.round())) {
                if (payload.length == 0) {
                    return;
                }
                RoundAnnouncement a = RoundAnnouncement.parse(SignedText.verify(topic, payload, gatewayKey));
                if (!a.fleet().equals(topics.fleet()) || (gatewayId != null && !a.gatewayId().equals(gatewayId))) {
                    refuse("announcement of fleet " + a.fleet() + " by gateway " + a.gatewayId() + " is not for this node");
                    return;
                }
                synchronized (lock) {
                    if (a.round() < newestRoundSeen) {
                        refuse("announcement of round " + a.round() + " is older than round " + newestRoundSeen
                                + " already seen (rollback)");
                        return;
                    }
                    newestRoundSeen = a.round();
                    announcement = a;
                }
                completeRound();
            } else if (topic.equals(topics.model())) {
                if (payload.length == 0) {
                    return;
                }
                RoundAnnouncement a;
                synchronized (lock) {
                    a = announcement;
                }
                long max = a != null ? a.maxFrameBytes() : maxModelFrameBytes;
                FrameHeader h = FrameCodec.parseHeader(payload, max);
                if (h.kind() != FrameKind.MODEL || !h.fleet().equals(topics.fleet())
                        || (gatewayId != null && !h.nodeId().equals(gatewayId))) {
                    refuse("a " + h.kind() + " frame of fleet " + h.fleet() + " by " + h.nodeId() + " on the model topic");
                    return;
                }
                Frame f = h.toFrame();
                String digest = Digests.block(f.block());
                // The signed announcement of the frame's round names the model's digest: it vouches for the
                // model, and the frame's own signature adds nothing (the gateway announces a round before
                // sending its model, so a node checks one signature per round). A model that comes first
                // must carry the gateway's signature.
                boolean vouched = a != null && a.round() == f.round() && a.modelDigest().equals(digest);
                if (!vouched && !h.signatureValid(gatewayKey)) {
                    refuse("model frame for round " + h.round() + " is not signed by the gateway's key"
                            + (a != null && a.round() == f.round() ? " and is not the model its announcement names" : ""));
                    return;
                }
                synchronized (lock) {
                    if (f.round() < newestRoundSeen) {
                        refuse("model of round " + f.round() + " is older than round " + newestRoundSeen + " already seen (rollback)");
                        return;
                    }
                    newestRoundSeen = f.round();
                    modelFrame = f;
                    modelFrameDigest = digest;
                }
                completeRound();
            } else if (topic.equals(topics.reject(nodeId()))) {
                RejectionNotice n = RejectionNotice.parse(payload);
                synchronized (lock) {
                    rejections.add(n);
                }
                safely(() -> listener.rejected(n));
            }
        } catch (ProtocolException e) {
            refusedMessages.incrementAndGet();
            Logger.warn("node {}: refused a message on {}: {}", nodeId(), topic, e.getMessage());
        }
    }

    private void refuse(String why) {
        refusedMessages.incrementAndGet();
        Logger.warn("node {}: refused {}", nodeId(), why);
    }

    private void completeRound() {
        RoundStart started = null;
        synchronized (lock) {
            RoundAnnouncement a = announcement;
            Frame m = modelFrame;
            if (a != null && m != null && a.round() == m.round() && (current == null || current.round() < a.round())) {
                if (!modelFrameDigest.equals(a.modelDigest())) {
                    Logger.warn("node {}: model of round {} does not match the announced digest; waiting", nodeId(), a.round());
                    return;
                }
                if (!m.modelId().equals(a.modelId()) || m.block().dimension() != a.dimension()) {
                    Logger.warn("node {}: model frame of round {} does not match the announcement", nodeId(), a.round());
                    return;
                }
                current = new RoundStart(a, m.block());
                started = current;
                lock.notifyAll();
            }
        }
        if (started != null) {
            RoundStart s = started;
            safely(() -> listener.roundStarted(s));
        }
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            Logger.warn(e, "node {}: listener failed", nodeId());
        }
    }

    /** Fluent builder. */
    public static final class Builder {
        private final String brokerUri;
        private final String fleet;
        private final NodeCredentials credentials;
        private String clientId;
        private byte[] gatewayKey;
        private NodeListener listener = new NodeListener() {
        };
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration publishTimeout = Duration.ofSeconds(30);
        private long initialSequence;
        private long maxModelFrameBytes = 64L * 1024 * 1024;
        private double density = 1;
        private Path persistenceDir;
        private String username;
        private char[] password;
        private Path trustStore;
        private char[] trustStorePassword;

        private Builder(String brokerUri, String fleet, NodeCredentials credentials) {
            this.brokerUri = brokerUri;
            this.fleet = fleet;
            this.credentials = Objects.requireNonNull(credentials, "credentials");
        }

        /** MQTT client id; default {@code qora-node-<fleet>-<node id>}. */
        public Builder clientId(String v) {
            this.clientId = v;
            return this;
        }

        /**
         * The gateway's raw Ed25519 public key, instead of the one pinned in the credentials:
         * announcements and models that do not verify under it are refused.
         */
        public Builder gatewayKey(byte[] rawPublicKey) {
            this.gatewayKey = rawPublicKey.clone();
            return this;
        }

        public Builder listener(NodeListener v) {
            this.listener = Objects.requireNonNull(v);
            return this;
        }

        public Builder connectTimeout(Duration v) {
            this.connectTimeout = v;
            return this;
        }

        public Builder publishTimeout(Duration v) {
            this.publishTimeout = v;
            return this;
        }

        /** First sequence number to use (>= 1); default: current time in microseconds. */
        public Builder initialSequence(long v) {
            if (v < 1) {
                throw new IllegalArgumentException("initial sequence must be >= 1, got " + v);
            }
            this.initialSequence = v;
            return this;
        }

        /** Largest model frame read before the announcement gives the exact limit; default 64 MiB. */
        public Builder maxModelFrameBytes(long v) {
            this.maxModelFrameBytes = v;
            return this;
        }

        /**
         * Sends updates as SPARSE UPDATE frames carrying the fraction {@code density} of their
         * coordinates (top-k by magnitude with error feedback, {@link TopKSparsifier}); 1, the
         * default, sends dense UPDATE frames.
         *
         * @param v in {@code (0, 1]}
         */
        public Builder density(double v) {
            if (!(v > 0 && v <= 1)) {
                throw new IllegalArgumentException("density must be in (0, 1], got " + v);
            }
            this.density = v;
            return this;
        }

        /** Paho file persistence directory; default memory. */
        public Builder persistenceDir(Path v) {
            this.persistenceDir = v;
            return this;
        }

        public Builder credentials(String user, char[] pw) {
            this.username = user;
            this.password = pw == null ? null : pw.clone();
            return this;
        }

        public Builder trustStore(Path path, char[] pw) {
            this.trustStore = path;
            this.trustStorePassword = pw == null ? null : pw.clone();
            return this;
        }

        public NodeClient build() {
            return new NodeClient(this);
        }
    }

}
