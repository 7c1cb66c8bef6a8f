package org.qoraedge.gateway.broker;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import org.tinylog.Logger;

/**
 * The gateway's own MQTT broker on 127.0.0.1, for a standalone gateway, demos and tests: a
 * supervised Mosquitto child process when the {@code mosquitto} binary is installed, otherwise
 * Moquette 0.17 in this JVM (see docs/BROKER.md for why, with the measurements).
 *
 * <p>Moquette 0.17 can lose acknowledged QoS 1 messages: an error inside one of its session
 * event loops ends that loop's thread for good (its issues #750 and #961), after which the
 * clients whose ids hash to that loop are no longer served and messages routed to them are
 * acknowledged to the publisher but never delivered. It stays as the fallback so that a machine
 * with only a JDK runs the demo, with a WARN saying so, and every such loop error is logged as an
 * ERROR naming the known bug ({@link KnownBrokerErrors}).
 *
 * <p>Both listen on loopback only and allow anonymous clients; the largest message is raised to
 * the caller's largest frame. Mosquitto is restarted if it dies and stopped by {@link #close()}
 * (also when the JVM is killed: its wrapper ends it when the gateway's pipe closes). Moquette
 * runs with telemetry off (it contacts an outside host otherwise).
 *
 * <p>The engine is {@link Engine#AUTO} unless {@link Options#engine} says otherwise; the system
 * property {@code qora.embedded.engine} ({@code auto}, {@code mosquitto}, {@code moquette})
 * overrides AUTO, e.g. for a daemon started with {@code --embedded-broker}.
 */
public final class EmbeddedBroker implements AutoCloseable {
    /** The system property that chooses the engine when the options say {@link Engine#AUTO}. */
    public static final String ENGINE_PROPERTY = "qora.embedded.engine";

    /** Which broker runs. */
    public enum Engine {
        /** Mosquitto when its binary is installed, else Moquette. */
        AUTO,
        /** A supervised Mosquitto child process; refused when the binary is missing. */
        MOSQUITTO,
        /** Moquette 0.17 in this JVM (can lose acknowledged messages: see the class comment). */
        MOQUETTE
    }

    private final Engine engine;
    private final Server server;
    private final SupervisedMosquitto mosquitto;
    private final int port;
    private final SessionLoopErrors loopErrors;
    private volatile boolean stopped;

    private EmbeddedBroker(Engine engine, Server server, SupervisedMosquitto mosquitto, int port, SessionLoopErrors loopErrors) {
        this.engine = engine;
        this.server = server;
        this.mosquitto = mosquitto;
        this.port = port;
        this.loopErrors = loopErrors;
    }

    /** The Mosquitto binary the MOSQUITTO engine runs (standard install locations, then PATH), or null. */
    public static Path mosquittoBinary() {
        return SupervisedMosquitto.findBinary();
    }

    /** Options; {@code port 0} picks a free port. */
    public static Options options() {
        return new Options();
    }

    /**
     * Starts the broker and waits until it listens.
     *
     * @throws IOException when it cannot bind or does not come up within 10 s, or when
     *     {@link Engine#MOSQUITTO} is asked for and the binary is missing
     */
    public static EmbeddedBroker start(Options o) throws IOException {
        Engine engine = o.engine == Engine.AUTO ? engineFromProperty() : o.engine;
        Path binary = engine == Engine.MOQUETTE ? null : SupervisedMosquitto.findBinary();
        if (engine == Engine.MOSQUITTO && binary == null) {
            throw new IOException("the embedded broker should be mosquitto, but no mosquitto binary was found in /usr/sbin,"
                    + " /usr/bin, /usr/local/sbin, /usr/local/bin or PATH (Debian: apt-get install mosquitto)");
        }
        if (binary != null) {
            // MQTT's fixed header adds at most 5 bytes to the "remaining length" Moquette limits.
            SupervisedMosquitto m = SupervisedMosquitto.start(binary, o.port, o.maxMessageBytes + 5, o.dataDir);
            return new EmbeddedBroker(Engine.MOSQUITTO, null, m, m.port(), null);
        }
        if (engine == Engine.AUTO) {
            Logger.warn("mosquitto is not installed, so the embedded MQTT broker is Moquette 0.17, which can lose"
                    + " acknowledged QoS 1 updates after a client reconnects (an error ends one of its session threads:"
                    + " moquette issues #750, #961; see docs/BROKER.md). Install mosquitto (Debian: apt-get install"
                    + " mosquitto) and it is used instead");
        }
        return startMoquette(o);
    }

    private static Engine engineFromProperty() throws IOException {
        String v = System.getProperty(ENGINE_PROPERTY, "auto").strip().toLowerCase(Locale.ROOT);
        switch (v) {
            case "auto":
            case "":
                return Engine.AUTO;
            case "mosquitto":
                return Engine.MOSQUITTO;
            case "moquette":
                return Engine.MOQUETTE;
            default:
                throw new IOException(ENGINE_PROPERTY + " must be auto, mosquitto or moquette, not \"" + v + "\"");
        }
    }

    private static EmbeddedBroker startMoquette(Options o) throws IOException {
        if (o.port != 0) {
            // Moquette logs a page of Netty stack trace when it cannot bind: find out first, in one line.
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), o.port));
            } catch (BindException e) {
                throw new IOException("cannot start the embedded broker: 127.0.0.1:" + o.port + " is in use (embedded.port ="
                        + " " + o.port + "; a mosquitto service? then use it as broker.uri without --embedded-broker)");
            }
        }
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", Integer.toString(o.port));
        p.setProperty("websocket_port", "disabled");
        p.setProperty("telemetry_enabled", "false");
        p.setProperty("allow_anonymous", "true");
        p.setProperty("netty.mqtt.message_size", Long.toString(Math.min(Integer.MAX_VALUE, o.maxMessageBytes)));
        p.setProperty("use_metrics", "false");
        p.setProperty("use_bugsnag", "false");
        if (o.dataDir != null) {
            Files.createDirectories(o.dataDir);
            p.setProperty("persistence_enabled", "true");
            p.setProperty("data_path", o.dataDir.toAbsolutePath().toString() + "/");
        } else {
            p.setProperty("persistence_enabled", "false");
        }
        Server server = new Server();
        SessionLoopErrors loopErrors = new SessionLoopErrors();
        server.startServer(new MemoryConfig(p), List.of(loopErrors));
        long deadline = System.nanoTime() + 10_000_000_000L;
        int port = boundPort(server);
        while (port <= 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.stopServer();
                throw new IOException("interrupted while the embedded broker started", e);
            }
            port = boundPort(server);
        }
        if (port <= 0) {
            server.stopServer();
            throw new IOException("embedded broker did not report a listening port within 10 s");
        }
        Logger.info("embedded MQTT broker: Moquette 0.17 listening on tcp://127.0.0.1:{}", port);
        return new EmbeddedBroker(Engine.MOQUETTE, server, null, port, loopErrors);
    }

    /**
     * Moquette's {@code getPort()} iterates a plain HashMap that its Netty thread fills while the
     * listener binds, so a read during start-up can throw ConcurrentModificationException: that
     * read counts as "not bound yet" and the caller polls again.
     */
    private static int boundPort(Server server) {
        try {
            return server.getPort();
        } catch (ConcurrentModificationException stillBinding) {
            return 0;
        }
    }

    /** The engine that runs: {@link Engine#MOSQUITTO} or {@link Engine#MOQUETTE}, never AUTO. */
    public Engine engine() {
        return engine;
    }

    public int port() {
        return port;
    }

    /** {@code tcp://127.0.0.1:PORT}. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /**
     * The errors that ended one of Moquette's session event loops since start, oldest first (see
     * {@link SessionLoopErrors}); always empty for Mosquitto.
     */
    public List<Throwable> sessionLoopErrors() {
        return loopErrors == null ? List.of() : loopErrors.errors();
    }

    /** How many times the supervised Mosquitto was restarted after dying (0 for Moquette). */
    public int restarts() {
        return mosquitto == null ? 0 : mosquitto.restarts();
    }

    /** The pid of the Mosquitto child process, or -1 for Moquette. */
    public long pid() {
        return mosquitto == null ? -1 : mosquitto.pid();
    }

    /** Stops the broker (idempotent). */
    @Override
    public void close() {
        if (!stopped) {
            stopped = true;
            if (server != null) {
                server.stopServer();
            }
            if (mosquitto != null) {
                mosquitto.close();
            }
        }
    }

    /** Fluent options. */
    public static final class Options {
        private int port;
        private long maxMessageBytes = 16L * 1024 * 1024;
        private Path dataDir;
        private Engine engine = Engine.AUTO;

        private Options() {
        }

        /** The TCP port on 127.0.0.1; 0 (default) picks a free one. */
        public Options port(int port) {
            this.port = port;
            return this;
        }

        /** Largest MQTT message accepted; default 16 MiB. Use at least the round's max frame size. */
        public Options maxMessageBytes(long bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * Keeps sessions and queued messages in this directory (Mosquitto's database, saved every
         * second, or Moquette's H2 MVStore); default: in memory.
         */
        public Options dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Which broker; default {@link Engine#AUTO}. */
        public Options engine(Engine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }
    }
}
