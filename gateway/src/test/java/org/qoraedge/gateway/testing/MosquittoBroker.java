package org.qoraedge.gateway.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.qoraedge.gateway.broker.EmbeddedBroker;

/**
 * A real Mosquitto started from a config file on a free loopback port, for integration tests.
 * Without the binary the test is skipped with a message, except when {@code CI=true}, where it
 * fails. {@link #close} stops only the process this fixture started.
 */
public final class MosquittoBroker implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private MosquittoBroker(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** The binary, or null: the lookup the embedded broker uses. */
    public static Path binary() {
        return EmbeddedBroker.mosquittoBinary();
    }

    /** Skips (or, with CI=true, fails) the calling test when Mosquitto is not installed. */
    public static Path requireBinary() {
        Path bin = binary();
        String message = "mosquitto is not installed (apt-get install -y mosquitto); the Mosquitto integration tests need it";
        if (bin == null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message + " and CI=true, so this is a failure, not a skip");
            }
            Assumptions.abort(message);
        }
        return bin;
    }

    /** Starts Mosquitto on a free port of 127.0.0.1 with its config and log under {@code dir}. */
    public static MosquittoBroker start(Path dir) throws IOException, InterruptedException {
        return start(dir, "allow_anonymous true\n");
    }

    /**
     * Starts Mosquitto with {@code listenerConfig} (lines that follow the {@code listener} line:
     * TLS files, authentication) instead of anonymous plain TCP.
     */
    public static MosquittoBroker start(Path dir, String listenerConfig) throws IOException, InterruptedException {
        return start(dir, listenerConfig, false);
    }

    /**
     * Starts Mosquitto with anonymous plain TCP and persistence on: its database (retained
     * messages, persistent sessions and the QoS 1 messages queued for them) is saved under
     * {@code dir} every second and at a clean shutdown, so it survives {@link #stop} and
     * {@link #restart}. What arrived since the last save is lost when it is killed with SIGKILL.
     */
    public static MosquittoBroker startPersistent(Path dir) throws IOException, InterruptedException {
        return start(dir, "allow_anonymous true\n", true);
    }

    private static MosquittoBroker start(Path dir, String listenerConfig, boolean persistent) throws IOException, InterruptedException {
        Path bin = requireBinary();
        int port = freePort();
        Files.createDirectories(dir);
        Path conf = dir.resolve("mosquitto.conf");
        // Run as root (as CI does), Mosquitto 2 drops to the "mosquitto" user once it needs a password
        // file, and could then not read this fixture's private temporary directory: stay the user we are.
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.writeString(conf, (root ? "user root\n" : "") + "listener " + port + " 127.0.0.1\n"
                + listenerConfig
                + (persistent ? "persistence true\npersistence_location " + dir.toAbsolutePath() + "/\nautosave_interval 1\n"
                        : "persistence false\n")
                + (listenerConfig.contains("max_queued_messages") ? "" : "max_queued_messages 10000\n")
                + "max_inflight_messages 0\n"
                + "log_dest file " + dir.resolve("mosquitto.log").toAbsolutePath() + "\n"
                + "log_type error\nlog_type warning\nlog_type notice\n");
        return launch(bin, conf, port, dir);
    }

    /**
     * Starts Mosquitto from a complete configuration (e.g. one {@code mosquitto-config} wrote) whose
     * listener is on 127.0.0.1:{@code port}. The file used is {@code dir/mosquitto.conf}: that
     * configuration, plus, when the tests run as root, {@code user root} (as in {@link #start(Path,
     * String)}) and a log file under {@code dir}.
     */
    public static MosquittoBroker startFromConfig(Path dir, String configuration, int port) throws IOException, InterruptedException {
        Path bin = requireBinary();
        Files.createDirectories(dir);
        Path conf = dir.resolve("mosquitto.conf");
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.writeString(conf, (root ? "user root\n" : "") + configuration + "\nlog_dest file "
                + dir.resolve("mosquitto.log").toAbsolutePath() + "\nlog_type error\nlog_type warning\nlog_type notice\n");
        return launch(bin, conf, port, dir);
    }

    private static MosquittoBroker launch(Path bin, Path conf, int port, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(bin.toString(), "-c", conf.toAbsolutePath().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.out").toFile()))
                .start();
        MosquittoBroker b = new MosquittoBroker(p, port, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("mosquitto exited with " + p.exitValue() + ": " + Files.readString(dir.resolve("mosquitto.out")).strip()
                        + (Files.exists(dir.resolve("mosquitto.log")) ? " / " + Files.readString(dir.resolve("mosquitto.log")).strip() : ""));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return b;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        b.close();
        throw new IOException("mosquitto did not listen on 127.0.0.1:" + port + " within 10 s");
    }

    /** A port that was free a moment ago on 127.0.0.1. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Stops this process: with SIGTERM (Mosquitto saves its database and exits) or, when
     * {@code forcibly}, with SIGKILL. Waits for it to end.
     */
    public void stop(boolean forcibly) throws InterruptedException {
        if (forcibly) {
            process.destroyForcibly();
        } else {
            process.destroy();
            if (process.waitFor(10, TimeUnit.SECONDS)) {
                return;
            }
            process.destroyForcibly();
        }
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Starts Mosquitto again from the same configuration on the same port (after {@link #stop});
     * with persistence on it loads its saved database. The returned fixture owns the new process.
     */
    public MosquittoBroker restart() throws IOException, InterruptedException {
        if (process.isAlive()) {
            throw new IllegalStateException("mosquitto is still running");
        }
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return launch(requireBinary(), dir.resolve("mosquitto.conf"), port, dir);
            } catch (IOException e) { // the port may linger for a moment after SIGKILL
                last = e;
                Thread.sleep(500);
            }
        }
        throw last;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
