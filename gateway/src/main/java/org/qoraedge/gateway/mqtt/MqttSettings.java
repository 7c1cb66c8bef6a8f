package org.qoraedge.gateway.mqtt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach a broker: URI ({@code tcp://host:port} or {@code ssl://host:port}), client id,
 * optional credentials and trust store, session kind, and where Paho keeps in-flight messages.
 * Immutable; build with {@link #builder(String, String)}.
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
     * Largest PUBLISH (remaining length: topic, packet id and payload) accepted from the broker;
     * a larger one is refused before the MQTT library allocates it.
     */
    public long maxInboundPublishBytes() {
        return maxInboundPublishBytes;
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
                throw new IllegalArgumentException("broker URI must start with tcp:// or ssl://, got " + brokerUri);
            }
            if (clientId.isEmpty() || clientId.length() > 128) {
                throw new IllegalArgumentException("client id must have 1 to 128 characters, got '" + clientId + "'");
            }
        }

        public Builder credentials(String username, char[] password) {
            this.username = username;
            this.password = password == null ? null : password.clone();
            return this;
        }

        /** A PKCS#12 (or JKS, by the {@code .jks} suffix) trust store for {@code ssl://} URIs. */
        public Builder trustStore(Path path, char[] password) {
            this.trustStore = path;
            this.trustStorePassword = password == null ? null : password.clone();
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
                throw new IllegalArgumentException("maxInboundPublishBytes must be 2 to 268435455 (MQTT's largest packet), got " + bytes);
            }
            this.maxInboundPublishBytes = bytes;
            return this;
        }

        public MqttSettings build() {
            return new MqttSettings(this);
        }
    }
}
