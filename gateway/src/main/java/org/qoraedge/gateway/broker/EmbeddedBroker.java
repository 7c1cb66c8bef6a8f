package org.qoraedge.gateway.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import org.tinylog.Logger;

/**
 * An in-process MQTT 3.1.1 broker (Moquette 0.17) bound to 127.0.0.1, for a standalone gateway,
 * demos and tests. Telemetry is off (Moquette contacts an outside host otherwise), anonymous
 * clients are allowed (it listens on loopback only), and its message size limit is raised to the
 * caller's largest frame (Moquette's default of 8092 bytes is far below a model's).
 *
 * <p>Start with {@link #start(Options)}; {@link #close()} stops it (about 2 s).
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final Server server;
    private final int port;
    private volatile boolean stopped;

    private EmbeddedBroker(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Options; {@code port 0} picks a free port. */
    public static Options options() {
        return new Options();
    }

    /**
     * Starts the broker and waits until it listens.
     *
     * @throws IOException when it cannot bind or does not come up within 10 s
     */
    public static EmbeddedBroker start(Options o) throws IOException {
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
        server.startServer(new MemoryConfig(p), List.of());
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
        Logger.info("embedded MQTT broker listening on tcp://127.0.0.1:{}", port);
        return new EmbeddedBroker(server, port);
    }

    /**
     * Moquette's {@code getPort()} iterates a plain HashMap that its Netty thread fills while the
     * listener binds, so a read during start-up can throw ConcurrentModificationException: that
     * read counts as "not bound yet" and the caller polls again.
     */
    private static int boundPort(Server server) {
        try {
            return server.getPort();
        } catch (java.util.ConcurrentModificationException stillBinding) {
            return 0;
        }
    }

    public int port() {
        return port;
    }

    /** {@code tcp://127.0.0.1:PORT}. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Stops the broker (idempotent). */
    @Override
    public void close() {
        if (!stopped) {
            stopped = true;
            server.stopServer();
        }
    }

    /** Fluent options. */
    public static final class Options {
        private int port;
        private long maxMessageBytes = 16L * 1024 * 1024;
        private Path dataDir;

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

        /** Keeps sessions and queued messages in this directory (H2 MVStore); default: in memory. */
        public Options dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }
    }
}
