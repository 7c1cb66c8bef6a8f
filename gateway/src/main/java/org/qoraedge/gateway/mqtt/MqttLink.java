package org.qoraedge.gateway.mqtt;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.eclipse.paho.client.mqttv3.DisconnectedBufferOptions;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClientPersistence;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.TimerPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.client.mqttv3.persist.MqttDefaultFilePersistence;
import org.tinylog.Logger;

/**
 * One MQTT 3.1.1 connection over Paho's async client, with what Paho leaves to its users: the
 * first connect retried with backoff, subscriptions restored on every reconnect, a callback that
 * never throws and never blocks, and no files in the working directory.
 *
 * <p>Thread safety: {@link #publish} may be called from any thread. The {@link Sink} runs on
 * Paho's callback thread and must only hand the message over (for example to a bounded queue).
 */
public final class MqttLink implements AutoCloseable {
    /** Receives messages on Paho's thread: must not block, must not do work. */
    @FunctionalInterface
    public interface Sink {
        void accept(String topic, MqttMessage message);
    }

    /** A subscription, restored on every reconnect. */
    public record Subscription(String topicFilter, int qos) {
    }

    /** A Will: published by the broker if the connection dies without a DISCONNECT. */
    public record Will(String topic, byte[] payload, int qos, boolean retained) {
    }

    /**
     * What the link tells its owner besides messages. Both methods run on a library thread: they
     * must not block and must not throw.
     */
    public interface Events {
        /**
         * A PUBLISH the broker delivered was refused before the MQTT library decoded it (see
         * {@link InboundGuard}): acknowledged, so the broker drops it, and never handed to the sink.
         *
         * @param reason {@code oversize}, {@code bad-topic} or {@code malformed}
         * @param bytes its remaining length as the broker sent it
         */
        default void refused(String reason, long bytes) {
        }

        /**
         * One of the MQTT library's threads died of {@code failure} (named after the thread, for
         * example {@code MQTT Rec: <client id>}). The link cannot tell what state the library is in;
         * the default abandons that Paho client and connects a new one (as after a connect that
         * would never finish), a daemon should exit non-zero instead so that its service manager
         * restarts it.
         *
         * @return true when the link should replace its client and connect again
         */
        default boolean libraryFailed(String thread, Throwable failure) {
            return true;
        }
    }

    /** Events that log only, and reconnect after a library failure. */
    public static final Events DEFAULT_EVENTS = new Events() {
    };

    /**
     * Paho logs at SEVERE (its only SEVERE there) when draining its disconnected buffer after a
     * reconnect meets the next disconnect; the messages stay buffered and the next connect sends
     * them, so it is a warning. Held here so that the logger, and its filter, outlive any client.
     */
    private static final java.util.logging.Logger PAHO_BUFFER_LOG = // fully qualified: JUL, beside tinylog's Logger
            java.util.logging.Logger.getLogger("org.eclipse.paho.client.mqttv3.internal.DisconnectedMessageBuffer"); // fully qualified: JUL, beside tinylog's Logger

    static {
        PAHO_BUFFER_LOG.setFilter(r -> {
            if (r.getLevel() == Level.SEVERE) {
                r.setLevel(Level.WARNING);
            }
            return true;
        });
    }

    private static final long FIRST_BACKOFF_MS = 100;
    /** Longest wait between connect attempts: the first connect's backoff, and Paho's automatic reconnect. */
    static final long MAX_BACKOFF_MS = 5_000;
    /**
     * Stuck library threads (see {@link ConnectWatchdog}) beyond which the link reports a library
     * failure: each costs a thread for the life of the process, so a process that has collected
     * this many should be restarted by its service manager.
     */
    static final int MAX_STUCK_THREADS = 64;

    private final MqttSettings settings;
    private final List<Subscription> subscriptions;
    private final Sink sink;
    private final Will will;
    private final Runnable onConnected;
    private final Events events;
    private final PahoExecutor executor;
    /** Guards replacing {@link #client} (and its persistence) against closing the link. */
    private final Object clientLock = new Object();
    /** The Paho client now in use; replaced after a connect that would never finish ({@link #replaceClient}). */
    private volatile MqttAsyncClient client;
    private MqttClientPersistence persistence;
    /** Bumped when the client is replaced: callbacks of an abandoned client are ignored. */
    private volatile int generation;
    private final AtomicLong replacedClients = new AtomicLong();
    private final AtomicLong sinkFailures = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong libraryFailures = new AtomicLong();
    private final AtomicLong acksWhileDisconnected = new AtomicLong();
    private final AtomicLong abandonedConnects = new AtomicLong();
    private final AtomicInteger connectLoops = new AtomicInteger();
    private final ConnectWatchdog watchdog = new ConnectWatchdog();
    private volatile int stuckThreads;
    private boolean stuckReported;
    private volatile boolean closed;

    /**
     * @param subscriptions subscribed after every (re)connect
     * @param sink receives every message; exceptions it throws are counted and swallowed
     * @param will the Will, or null
     * @param onConnected run on Paho's thread after every (re)connect and resubscribe, for example
     *     to publish a birth message; must not block
     */
    public MqttLink(MqttSettings settings, List<Subscription> subscriptions, Sink sink, Will will, Runnable onConnected) {
        this(settings, subscriptions, sink, will, onConnected, DEFAULT_EVENTS);
    }

    /**
     * @param events told of refused packets and of library threads that died (see {@link Events})
     */
    public MqttLink(MqttSettings settings, List<Subscription> subscriptions, Sink sink, Will will, Runnable onConnected,
            Events events) {
        PahoReceivePath.warnOnceIfByteByByte();
        this.settings = settings;
        this.events = Objects.requireNonNull(events, "events");
        this.subscriptions = List.copyOf(subscriptions);
        this.sink = sink;
        this.will = will;
        this.onConnected = onConnected;
        this.executor = new PahoExecutor(settings.clientId(), this::libraryFailed);
        try {
            newClient();
        } catch (MqttSettingsException e) {
            executor.shutdownNow();
            throw e;
        }
        executor.scheduleWithFixedDelay(this::watchConnects, 250, 250, TimeUnit.MILLISECONDS);
    }

    /**
     * Creates the Paho client (and its persistence: the same directory again for a replacement, so
     * that the QoS 1 messages it had in flight are sent again) and makes it {@link #client}.
     */
    private void newClient() {
        MqttClientPersistence p = settings.persistenceDir() == null ? new MemoryPersistence()
                : new MqttDefaultFilePersistence(settings.persistenceDir().toAbsolutePath().toString());
        MqttAsyncClient c;
        try {
            c = new MqttAsyncClient(settings.brokerUri(), settings.clientId(), p, new TimerPingSender(),
                    executor);
        } catch (MqttException e) {
            throw new MqttSettingsException("cannot create an MQTT client for " + settings.brokerUri() + ": " + e.getMessage(), e);
        }
        c.setCallback(new Callback(generation));
        c.setManualAcks(settings.manualAcks());
        DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
        buffer.setBufferEnabled(true);
        buffer.setBufferSize(10_000);
        buffer.setPersistBuffer(false);
        buffer.setDeleteOldestMessages(false);
        c.setBufferOpts(buffer);
        this.persistence = p;
        this.client = c;
    }

    /**
     * Acknowledges a received message (with {@code manualAcks}; a no-op otherwise, and for QoS 0).
     * Safe from any thread; never throws (a lost connection means the broker redelivers anyway).
     *
     * <p>While the link is not connected the acknowledgement is not sent, and counted
     * ({@link #acksWhileDisconnected}): Paho 1.2.5 would queue it, and a PUBACK queued while
     * disconnected makes the next connection's sender loop stop before it sends CONNECT (its queue
     * returns nothing to a disconnected client whose first packet is not a CONNECT), which leaves
     * that connect waiting for ever ({@link ConnectWatchdog}). Nothing is lost: the broker
     * delivers an unacknowledged QoS 1 message again on the resumed session.
     */
    public void ack(MqttMessage message) {
        if (!settings.manualAcks() || message.getQos() == 0) {
            return;
        }
        if (!client.isConnected()) {
            acksWhileDisconnected.incrementAndGet();
            Logger.debug("{}: not connected, so message {} is not acknowledged; the broker will deliver it again",
                    settings.clientId(), message.getId());
            return;
        }
        try {
            client.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException | RuntimeException e) {
            Logger.debug("ack of message {} failed ({}); the broker will redeliver it", message.getId(), e.getMessage());
        }
    }

    /**
     * Connects, retrying with exponential backoff (100 ms doubling to 5 s) until it succeeds, the
     * first-connect timeout passes, or the link is closed; then subscribes and waits for the
     * broker's SUBACK, so retained messages are on their way when this returns. Later connection
     * losses are repaired by Paho's automatic reconnect (or, when a connect stalls inside Paho, by
     * a new client: {@link ConnectWatchdog}), after which subscriptions are restored.
     *
     * @throws IOException when the timeout passes or the link is closed first
     */
    public void connect() throws IOException {
        connectLoops.incrementAndGet();
        try {
            connectWithBackoff();
        } finally {
            connectLoops.decrementAndGet();
        }
    }

    private void connectWithBackoff() throws IOException {
        connectWithBackoff(settings.firstConnectTimeout());
    }

    private void connectWithBackoff(Duration timeout) throws IOException {
        MqttConnectOptions options = settings.connectOptions(will);
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        long backoff = FIRST_BACKOFF_MS;
        MqttException last = null;
        while (!closed) {
            try {
                try {
                    // the client of this attempt: a replacement (see replaceClient) is picked up by the next one
                    client.connect(options).waitForCompletion(Math.max(1000, settings.keepAliveSeconds() * 1000L));
                } catch (MqttException e) {
                    if (e.getReasonCode() != MqttException.REASON_CODE_CLIENT_CONNECTED) {
                        throw e;
                    }
                    // connected meanwhile by another attempt on the same client
                }
                subscribeAll(true);
                return;
            } catch (MqttException e) {
                last = e;
                if (e.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                        || e.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED) {
                    throw new IOException("broker " + settings.brokerUri() + " refused client " + settings.clientId() + ": " + e.getMessage(), e);
                }
            }
            if (System.nanoTime() + backoff * 1_000_000L > deadline) {
                break;
            }
            Logger.debug("connect to {} failed ({}); retrying in {} ms", settings.brokerUri(), last == null ? "" : last.getMessage(), backoff);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to " + settings.brokerUri(), e);
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
        throw new IOException("could not connect to " + settings.brokerUri() + " as " + settings.clientId()
                + (closed ? " (closed)" : " within " + settings.firstConnectTimeout().toMillis() + " ms") + (last == null ? "" : ": " + last.getMessage()), last);
    }

    private void subscribeAll(boolean wait) throws MqttException {
        if (subscriptions.isEmpty()) {
            return;
        }
        String[] topics = new String[subscriptions.size()];
        int[] qos = new int[topics.length];
        for (int i = 0; i < topics.length; i++) {
            topics[i] = subscriptions.get(i).topicFilter();
            qos[i] = subscriptions.get(i).qos();
        }
        if (wait) {
            client.subscribe(topics, qos).waitForCompletion(10_000);
        } else {
            client.subscribe(topics, qos);
        }
    }

    /**
     * Publishes without waiting. While disconnected, messages are buffered (up to 10,000) and sent
     * on reconnect.
     *
     * @return the delivery token (completes on PUBACK for QoS 1)
     * @throws MqttException when Paho refuses (for example, too many messages in flight)
     */
    public IMqttDeliveryToken publish(String topic, byte[] payload, int qos, boolean retained) throws MqttException {
        return client.publish(topic, payload, qos, retained);
    }

    /** True while connected. */
    public boolean isConnected() {
        return client.isConnected();
    }

    /**
     * {@link System#nanoTime} of the last byte the link's socket received from the broker (a message,
     * an acknowledgement or a PINGRESP), {@link Long#MIN_VALUE} before the first; see
     * {@link MqttSettings#inboundActivity}.
     */
    public long lastInboundNanos() {
        return settings.inboundActivity().lastNanos();
    }

    /** Exceptions the sink threw (they are swallowed so Paho keeps the connection). */
    public long sinkFailures() {
        return sinkFailures.get();
    }

    /** PUBLISH packets whose body waited in the socket for room in the receive window ({@link InboundActivity}). */
    public long receiveWindowWaits() {
        return settings.inboundActivity().windowWaits();
    }

    /** Packets the broker delivered that were refused before decoding (oversize, bad topic, malformed). */
    public long refusedCount() {
        return refused.get();
    }

    /** Library threads that died (each one reported to {@link Events#libraryFailed}). */
    public long libraryFailures() {
        return libraryFailures.get();
    }

    /** Acknowledgements not sent because the link was not connected (see {@link #ack}). */
    public long acksWhileDisconnected() {
        return acksWhileDisconnected.get();
    }

    /** Connection attempts abandoned because the MQTT library's connect would never finish ({@link ConnectWatchdog}). */
    public long abandonedConnects() {
        return abandonedConnects.get();
    }

    /** Library threads stuck for good in a connect that Paho gave up on or that was abandoned ({@link ConnectWatchdog}). */
    public int stuckLibraryThreads() {
        return stuckThreads;
    }

    /** Paho clients replaced after a connect that would never finish ({@link ConnectWatchdog}). */
    public long replacedClients() {
        return replacedClients.get();
    }

    /** Completed connects, the first one included. */
    public long connectCount() {
        return connects.get();
    }

    public String clientId() {
        return settings.clientId();
    }

    /**
     * Disconnects cleanly (no Will), waiting up to {@code quiesce} for in-flight work, then
     * releases the client's threads and persistence. Idempotent.
     */
    public void close(Duration quiesce) {
        synchronized (clientLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        MqttAsyncClient client = this.client;
        try {
            if (client.isConnected()) {
                client.disconnect(quiesce.toMillis()).waitForCompletion(quiesce.toMillis() + 2000);
            }
        } catch (MqttException e) {
            Logger.debug("disconnect of {} failed: {}", settings.clientId(), e.getMessage());
            try {
                client.disconnectForcibly(0, 1000);
            } catch (MqttException ignored) {
                // already gone
            }
        }
        awaitReceiverExit(Duration.ofSeconds(1));
        try {
            client.close(true);
        } catch (MqttException e) {
            Logger.debug("close of {} failed: {}", settings.clientId(), e.getMessage());
        }
        executor.shutdownNow();
    }

    /**
     * Four times a second, on the executor's scheduling thread: finds connects that will never finish
     * ({@link ConnectWatchdog}) and abandons them, and reports a library failure once the stuck
     * threads exceed {@link #MAX_STUCK_THREADS}.
     */
    private void watchConnects() {
        try {
            if (closed) {
                return;
            }
            Map<Thread, StackTraceElement[]> stacks = new HashMap<>();
            for (Thread t : executor.connectTasks().keySet()) {
                stacks.put(t, t.getStackTrace());
            }
            ConnectWatchdog.Finding found = watchdog.check(stacks, System.nanoTime());
            stuckThreads = found.stuckThreads();
            if (found.newlyBlocking() != null && !client.isConnected()) {
                ConnectWatchdog.Wait where = found.newlyBlocking();
                abandonedConnects.incrementAndGet();
                replaceClient("its connect waits for ever in the " + where.name().toLowerCase(Locale.ROOT)
                        + " loop's start (Paho 1.2.5, eclipse-paho/paho.mqtt.java issue 999)");
            }
            if (found.stuckThreads() > MAX_STUCK_THREADS && !stuckReported) {
                stuckReported = true;
                libraryFailed("MQTT Con: " + settings.clientId(), new IllegalStateException(found.stuckThreads()
                        + " threads of the MQTT library are stuck for good in connects it could not finish (Paho 1.2.5,"
                        + " eclipse-paho/paho.mqtt.java issue 999)"));
            }
        } catch (Throwable t) {
            Logger.error(t, "connect watchdog of {} failed", settings.clientId());
        }
    }

    /**
     * Abandons a Paho client whose connect will never finish, and connects a new one (on its own
     * thread). A fresh client is needed, not only a fresh attempt: the thread left waiting in a
     * loop's start belongs to the old client, and in the callback's case it would wake up when the
     * next connection starts that (shared) loop and send its stale CONNECT on it (Mosquitto then
     * drops the client for "multiple CONNECT messages"). The old client is disconnected and closed
     * so that its reconnect timer can never connect under the same client id again. Messages it held
     * for a connection (its disconnected buffer, and with in-memory persistence its QoS 1 messages in
     * flight) fail their delivery tokens; with file persistence the new client sends the in-flight
     * ones again.
     */
    private void replaceClient(String why) {
        Logger.warn("{}: abandoning its MQTT client for {} and connecting a new one: {}", settings.clientId(), settings.brokerUri(), why);
        synchronized (clientLock) {
            if (closed) {
                return;
            }
            MqttAsyncClient old = client;
            MqttClientPersistence oldPersistence = persistence;
            generation++;
            if (!closeForGood(old)) {
                libraryFailed("MQTT Con: " + settings.clientId(), new IllegalStateException(
                        "an MQTT client whose connect would never finish could not be closed"));
                return;
            }
            try {
                oldPersistence.close();
            } catch (Exception e) {
                Logger.debug("closing the persistence of {}'s abandoned client: {}", settings.clientId(), e.getMessage());
            }
            newClient();
            replacedClients.incrementAndGet();
        }
        if (connectLoops.get() > 0) {
            return; // connect() is retrying and takes the new client at its next attempt
        }
        Thread t = new Thread(this::connectReplacement, "qora-mqtt-replace-" + settings.clientId());
        t.setDaemon(true);
        t.start();
    }

    /**
     * Abandons the Paho client and connects a new one (in the background), for an owner that sees
     * the client wedged: for example a QoS 1 publish not acknowledged within its timeout while the
     * client says it is connected. Paho 1.2.5 has been seen in that state after reconnects under
     * faults (a node whose publishes stayed unacknowledged for minutes on a live connection).
     *
     * @param why logged, with the client id
     */
    public void restart(String why) {
        replaceClient(Objects.requireNonNull(why, "why"));
    }

    /** Disconnects and closes {@code c} so that nothing of it can connect again; false if Paho would not let it close. */
    private boolean closeForGood(MqttAsyncClient c) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                c.disconnectForcibly(0, 1000, false);
            } catch (MqttException | RuntimeException e) {
                Logger.debug("forcible disconnect of {}'s abandoned client: {}", settings.clientId(), e.getMessage());
            }
            try {
                c.close(true);
                return true;
            } catch (MqttException | RuntimeException e) {
                // a reconnect Paho had scheduled may have started in between: disconnect again
                Logger.debug("close of {}'s abandoned client: {}", settings.clientId(), e.getMessage());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Connects the replacement client, retrying until it is connected or the link is closed. */
    private void connectReplacement() {
        while (!closed) {
            try {
                connectLoops.incrementAndGet();
                try {
                    connectWithBackoff(null);
                } finally {
                    connectLoops.decrementAndGet();
                }
                Logger.info("{} connected to {} with a new MQTT client", settings.clientId(), settings.brokerUri());
                return;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                Logger.error("{} could not connect its new MQTT client to {}: {}; trying again", settings.clientId(), settings.brokerUri(),
                        e.getMessage());
                try {
                    Thread.sleep(MAX_BACKOFF_MS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The Paho client, for tests that must reach past the link (to queue a packet while disconnected). */
    MqttAsyncClient pahoClient() {
        return client;
    }

    /** On the dying library thread. */
    private void libraryFailed(String thread, Throwable failure) {
        libraryFailures.incrementAndGet();
        if (closed) {
            return;
        }
        Logger.error(failure, "MQTT library thread '{}' of {} died", thread, settings.clientId());
        boolean reconnect;
        try {
            reconnect = events.libraryFailed(thread, failure);
        } catch (Throwable t) {
            reconnect = true;
        }
        if (reconnect) {
            // not on the dying library thread, which the old client's shutdown may wait for
            Thread t = new Thread(() -> replaceClient("its library thread '" + thread + "' died of " + failure),
                    "qora-mqtt-recover-" + settings.clientId());
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * Waits (bounded) until Paho's receiver thread of this client has ended. Paho 1.2.5 can still
     * be handing a just-received message over when {@code close} frees the client's state, and its
     * receiver thread then dies with a NullPointerException on stderr (eclipse-paho/paho.mqtt.java
     * issue 955, open). After a disconnect the thread ends within milliseconds.
     */
    private void awaitReceiverExit(Duration max) {
        String id = settings.clientId();
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            boolean alive = false;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                String n = t.getName();
                if (t.isAlive() && n.startsWith("MQTT Rec:") && n.endsWith(id) && n.substring(9).strip().equals(id)) {
                    alive = true;
                    break;
                }
            }
            if (!alive) {
                return;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Logger.debug("Paho's receiver thread of {} still runs after {}; closing anyway", settings.clientId(), max);
    }

    /**
     * Drops the connection without DISCONNECT, so the broker publishes the Will; for tests of
     * death messages and of reconnects. Paho does not reconnect after this.
     */
    public void killConnection() {
        synchronized (clientLock) {
            closed = true;
        }
        MqttAsyncClient client = this.client;
        try {
            client.disconnectForcibly(0, 100, false);
        } catch (MqttException e) {
            Logger.debug("forcible disconnect of {} failed: {}", settings.clientId(), e.getMessage());
        }
        try {
            client.close(true);
        } catch (MqttException ignored) {
            // already gone
        }
        executor.shutdownNow();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }

    /** Paho's callback for one client; a replaced client's callbacks are ignored. */
    private final class Callback implements MqttCallbackExtended {
        private final int clientGeneration;

        Callback(int clientGeneration) {
            this.clientGeneration = clientGeneration;
        }

        private boolean abandoned() {
            return clientGeneration != generation;
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            if (abandoned()) {
                return;
            }
            try {
                connects.incrementAndGet();
                if (reconnect) {
                    Logger.info("reconnected to {} as {}", serverURI, settings.clientId());
                    subscribeAll(false);
                }
                if (onConnected != null) {
                    onConnected.run();
                }
            } catch (Throwable t) {
                Logger.warn("after connecting {}: {}", settings.clientId(), t.toString());
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            try {
                if (!closed && !abandoned()) {
                    Logger.warn("{} lost its connection to {}: {}; reconnecting", settings.clientId(), settings.brokerUri(),
                            cause == null ? "unknown cause" : cause.getMessage());
                }
            } catch (Throwable ignored) {
                // never throw into Paho
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            try {
                arrived(topic, message);
            } finally {
                settings.inboundActivity().delivered(); // room in the receive window for the next PUBLISH
            }
        }

        private void arrived(String topic, MqttMessage message) {
            if (abandoned()) {
                return; // not acknowledged: the broker delivers it again to the new client
            }
            try {
                String[] refusal = InboundGuard.refusal(topic, message.getPayload());
                if (refusal != null) {
                    refused.incrementAndGet();
                    ack(message);
                    long bytes = Long.parseLong(refusal[1]);
                    Logger.warn("{}: refused a {}-byte PUBLISH from the broker before decoding it: {}", settings.clientId(), bytes,
                            refusal[0]);
                    events.refused(refusal[0], bytes);
                    return;
                }
                sink.accept(topic, message);
            } catch (Throwable t) {
                sinkFailures.incrementAndGet();
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // nothing: publishers that care wait on their token
        }
    }
}
