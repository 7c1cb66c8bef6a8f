package org.qoraedge.gateway.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;

/**
 * How to reach a broker: URI ({@code tcp://host:port} or {@code ssl://host:port}), client id,
 * optional credentials and trust store, session kind, and where Paho keeps in-flight messages.
 * Immutable; build with {@link #builder(String, String)}. {@link #connectOptions} turns them into
 * the options Paho connects with; no other code builds those.
 */
public final class MqttSettings {
    private final String brokerUri;
    private final String clientId;
    private final String username;
    private final char[] password;
    private final Path trustStore;
    private final char[] trustStorePassword;
    private final boolean cleanSession;
    private final boolean manualAcks;
    private final Path persistenceDir;
    private final Duration firstConnectTimeout;
    private final int keepAliveSeconds;
    private final int maxInflight;
    private final long maxInboundPublishBytes;
    /** Stamped by the sockets of the link's own that these settings make ({@link #connectOptions}). */
    private final InboundActivity inbound = new InboundActivity();

    private MqttSettings(Builder b) {
        this.brokerUri = b.brokerUri;
        this.clientId = b.clientId;
        this.username = b.username;
        this.password = b.password == null ? null : b.password.clone();
        this.trustStore = b.trustStore;
        this.trustStorePassword = b.trustStorePassword == null ? null : b.trustStorePassword.clone();
        this.cleanSession = b.cleanSession;
        this.manualAcks = b.manualAcks;
        this.persistenceDir = b.persistenceDir;
        this.firstConnectTimeout = b.firstConnectTimeout;
        this.keepAliveSeconds = b.keepAliveSeconds;
        this.maxInflight = b.maxInflight;
        this.maxInboundPublishBytes = b.maxInboundPublishBytes;
    }

    public static Builder builder(String brokerUri, String clientId) {
        return new Builder(brokerUri, clientId);
    }

    public String brokerUri() {
        return brokerUri;
    }

    public String clientId() {
        return clientId;
    }

    public String username() {
        return username;
    }

    char[] password() {
        return password == null ? null : password.clone();
    }

    public Path trustStore() {
        return trustStore;
    }

    char[] trustStorePassword() {
        return trustStorePassword == null ? null : trustStorePassword.clone();
    }

    public boolean cleanSession() {
        return cleanSession;
    }

    /** True when QoS 1 messages are acknowledged by {@link MqttLink#ack}, not when the callback returns. */
    public boolean manualAcks() {
        return manualAcks;
    }

    /** Directory for Paho's file persistence, or null for memory persistence. */
    public Path persistenceDir() {
        return persistenceDir;
    }

    /** How long the first connect is retried before giving up; null: until closed. */
    public Duration firstConnectTimeout() {
        return firstConnectTimeout;
    }

    public int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    public int maxInflight() {
        return maxInflight;
    }

    /**
     * When a socket made by {@link #connectOptions} last received a byte. Only sockets of the link's
     * own are stamped: with {@code ssl://} and no trust store (Paho's own TLS sockets) it stays at
     * {@link Long#MIN_VALUE}, and {@link #inboundObserved} is false.
     */
    public InboundActivity inboundActivity() {
        return inbound;
    }

    /** True when the link's sockets are the link's own, so that {@link #inboundActivity} is stamped. */
    public boolean inboundObserved() {
        return trustStore != null || brokerUri.startsWith("tcp://");
    }

    /**
     * Largest PUBLISH (remaining length: topic, packet id and payload) accepted from the broker;
     * a larger one is refused before the MQTT library allocates it.
     */
    public long maxInboundPublishBytes() {
        return maxInboundPublishBytes;
    }

    /**
     * The options Paho connects with, the same for every link but for what the settings and the
     * Will say:
     * <ul>
     * <li>MQTT 3.1.1, {@link #cleanSession}, {@link #keepAliveSeconds}, {@link #maxInflight};</li>
     * <li>automatic reconnect, at most 5 s apart (the link's longest backoff); 10 s for a
     * connection to be made;</li>
     * <li>the username and password when there is a username;</li>
     * <li>{@code will}, or none when it is null;</li>
     * <li>with a trust store, TLS sockets that trust only its certificates, whatever the URI's
     * scheme; without one, plain sockets for {@code tcp://}, and Paho's own TLS sockets (the
     * JVM's default trust store) for {@code ssl://}. Sockets of the link's own ({@link MqttSockets})
     * have TCP_NODELAY on and refuse a PUBLISH larger than {@link #maxInboundPublishBytes};
     * Paho's own TLS sockets have neither.</li>
     * </ul>
     * A new object at each call (a link asks again before each first connect).
     *
     * @throws IOException when the trust store cannot be read or is not a PKCS#12 (or {@code .jks})
     *     store that its password opens
     */
    public MqttConnectOptions connectOptions(MqttLink.Will will) throws IOException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(cleanSession);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay((int) MqttLink.MAX_BACKOFF_MS);
        o.setKeepAliveInterval(keepAliveSeconds);
        o.setConnectionTimeout(10);
        o.setMaxInflight(maxInflight);
        if (username != null) {
            o.setUserName(username);
            if (password != null) {
                o.setPassword(password.clone());
            }
        }
        if (will != null) {
            o.setWill(will.topic(), will.payload(), will.qos(), will.retained());
        }
        if (trustStore != null) {
            o.setSocketFactory(MqttSockets.tls(sslContext(trustStore, trustStorePassword).getSocketFactory(), maxInboundPublishBytes,
                    inbound));
        } else if (brokerUri.startsWith("tcp://")) {
            o.setSocketFactory(MqttSockets.plain(maxInboundPublishBytes, inbound));
        }
        return o;
    }

    private static SSLContext sslContext(Path trustStore, char[] password) throws IOException {
        String type = trustStore.toString().endsWith(".jks") ? "JKS" : "PKCS12";
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load trust store " + trustStore + " (" + type + "): " + e.getMessage(), e);
        }
    }

    /**
     * The remaining length of a PUBLISH carrying {@code payloadBytes} on any topic of at most
     * 65,535 bytes, with its packet id: the limit to set for payloads up to that size.
     */
    public static long publishBytesFor(long payloadBytes) {
        return payloadBytes + 2 + 65_535 + 2;
    }

    /** Fluent builder; defaults: clean session, memory persistence, 30 s first-connect retry, 30 s keep-alive. */
    public static final class Builder {
        private final String brokerUri;
        private final String clientId;
        private String username;
        private char[] password;
        private Path trustStore;
        private char[] trustStorePassword;
        private boolean cleanSession = true;
        private boolean manualAcks;
        private Path persistenceDir;
        private Duration firstConnectTimeout = Duration.ofSeconds(30);
        private int keepAliveSeconds = 30;
        private int maxInflight = 1000;
        private long maxInboundPublishBytes = publishBytesFor(16L << 20);

        private Builder(String brokerUri, String clientId) {
            this.brokerUri = Objects.requireNonNull(brokerUri, "brokerUri");
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            if (!brokerUri.startsWith("tcp://") && !brokerUri.startsWith("ssl://")) {
                throw new MqttSettingsException("broker URI must start with tcp:// or ssl://, got " + brokerUri);
            }
            if (clientId.isEmpty() || clientId.length() > 128) {
                throw new MqttSettingsException("client id must have 1 to 128 characters, got '" + clientId + "'");
            }
        }

        /**
         * The username and password to connect with; a null username means none (the default),
         * and then the password is not kept. The password may be null.
         */
        public Builder credentials(String username, char[] password) {
            this.username = username;
            this.password = username == null || password == null ? null : password.clone();
            return this;
        }

        /**
         * A PKCS#12 (or JKS, by the {@code .jks} suffix) trust store for {@code ssl://} URIs; a null
         * path means none (the default), and then the password is not kept.
         */
        public Builder trustStore(Path path, char[] password) {
            this.trustStore = path;
            this.trustStorePassword = path == null || password == null ? null : password.clone();
            return this;
        }

        /**
         * Acknowledge QoS 1 messages only when {@link MqttLink#ack} is called (after the receiver has
         * made them durable), so that a crash before that makes the broker deliver them again.
         */
        public Builder manualAcks(boolean v) {
            this.manualAcks = v;
            return this;
        }

        /** False for a persistent session: the broker keeps subscriptions and queues QoS 1 messages while away. */
        public Builder cleanSession(boolean clean) {
            this.cleanSession = clean;
            return this;
        }

        public Builder persistenceDir(Path dir) {
            this.persistenceDir = dir;
            return this;
        }

        public Builder firstConnectTimeout(Duration timeout) {
            this.firstConnectTimeout = timeout;
            return this;
        }

        public Builder keepAliveSeconds(int seconds) {
            this.keepAliveSeconds = seconds;
            return this;
        }

        public Builder maxInflight(int max) {
            this.maxInflight = max;
            return this;
        }

        /**
         * Largest PUBLISH accepted from the broker (remaining length); default
         * {@code publishBytesFor(16 MiB)}. See {@link MqttSettings#publishBytesFor}.
         */
        public Builder maxInboundPublishBytes(long bytes) {
            if (bytes < 2 || bytes > 268_435_455L) {
                throw new MqttSettingsException("maxInboundPublishBytes must be 2 to 268435455 (MQTT's largest packet), got " + bytes);
            }
            this.maxInboundPublishBytes = bytes;
            return this;
        }

        public MqttSettings build() {
            return new MqttSettings(this);
        }
    }
}
