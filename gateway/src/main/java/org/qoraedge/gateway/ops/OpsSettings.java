package org.qoraedge.gateway.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;

/**
 * The operations endpoint and the health rules, read from the {@code http.*} and {@code health.*}
 * keys of the gateway's properties (docs/OPERATIONS.md). The endpoint is off unless {@code http.port}
 * is given; it binds to 127.0.0.1 unless {@code http.bind} says otherwise. Passwords are read from
 * files (never from the config file itself, which more people may read). Invalid values are refused
 * with an {@link OpsSettingsException} naming the key, the value and the rule. Immutable.
 */
public final class OpsSettings {
    public static final String PORT = "http.port";
    public static final String BIND = "http.bind";
    public static final String USERNAME = "http.username";
    public static final String PASSWORD_FILE = "http.passwordFile";
    public static final String KEY_STORE = "http.keyStore";
    public static final String KEY_STORE_PASSWORD_FILE = "http.keyStorePasswordFile";
    public static final String WORKER_STALL = "health.workerStallSeconds";
    public static final String MQTT_SILENCE = "health.mqttSilenceSeconds";

    /** Every key this class reads. */
    public static final Set<String> KEYS = Set.of(PORT, BIND, USERNAME, PASSWORD_FILE, KEY_STORE, KEY_STORE_PASSWORD_FILE,
            WORKER_STALL, MQTT_SILENCE);

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_WORKER_STALL_SECONDS = 60;
    /** 0: twice the MQTT keep-alive plus 10 s (70 s with the gateway's 30 s keep-alive). */
    public static final int DEFAULT_MQTT_SILENCE_SECONDS = 0;

    /** No endpoint; default health rules. */
    public static final OpsSettings DISABLED = new OpsSettings(-1, DEFAULT_BIND, null, null, null, null,
            DEFAULT_WORKER_STALL_SECONDS, DEFAULT_MQTT_SILENCE_SECONDS);

    private final int port;
    private final String bind;
    private final String username;
    private final Path passwordFile;
    private final Path keyStore;
    private final Path keyStorePasswordFile;
    private final int workerStallSeconds;
    private final int mqttSilenceSeconds;

    private OpsSettings(int port, String bind, String username, Path passwordFile, Path keyStore, Path keyStorePasswordFile,
            int workerStallSeconds, int mqttSilenceSeconds) {
        check(port >= -1 && port <= 65535, PORT, port, "0 to 65535 (0: any free port)");
        check(!bind.isEmpty(), BIND, bind, "an address or host name");
        check((username == null) == (passwordFile == null), username == null ? PASSWORD_FILE : USERNAME,
                username == null ? passwordFile : username, "given together with " + (username == null ? USERNAME : PASSWORD_FILE));
        check((keyStore == null) == (keyStorePasswordFile == null), keyStore == null ? KEY_STORE_PASSWORD_FILE : KEY_STORE,
                keyStore == null ? keyStorePasswordFile : keyStore, "given together with "
                        + (keyStore == null ? KEY_STORE : KEY_STORE_PASSWORD_FILE));
        check(username == null || (!username.contains(":") && !username.isBlank()), USERNAME, username, "a name without ':'");
        check(workerStallSeconds >= 2 && workerStallSeconds <= 86_400, WORKER_STALL, workerStallSeconds, "2 to 86400 (the worker steps at least once a second)");
        check(mqttSilenceSeconds == 0 || (mqttSilenceSeconds >= 2 && mqttSilenceSeconds <= 86_400), MQTT_SILENCE,
                mqttSilenceSeconds, "0 (twice the keep-alive plus 10 s) or 2 to 86400");
        this.port = port;
        this.bind = bind;
        this.username = username;
        this.passwordFile = passwordFile;
        this.keyStore = keyStore;
        this.keyStorePasswordFile = keyStorePasswordFile;
        this.workerStallSeconds = workerStallSeconds;
        this.mqttSilenceSeconds = mqttSilenceSeconds;
    }

    private static void check(boolean ok, String key, Object value, String rule) {
        if (!ok) {
            throw new OpsSettingsException("config key " + key + " = " + value + " is invalid: must be " + rule);
        }
    }

    /**
     * Reads the keys from {@code p}; relative paths are resolved against {@code configDir}. Nothing
     * is read from the files here ({@link #password} and the endpoint do, at start).
     */
    public static OpsSettings fromProperties(Properties p, Path configDir) {
        String portText = str(p, PORT);
        return new OpsSettings(portText == null ? -1 : integer(PORT, portText), orDefault(str(p, BIND), DEFAULT_BIND),
                str(p, USERNAME), path(configDir, PASSWORD_FILE, str(p, PASSWORD_FILE)), path(configDir, KEY_STORE, str(p, KEY_STORE)),
                path(configDir, KEY_STORE_PASSWORD_FILE, str(p, KEY_STORE_PASSWORD_FILE)),
                integerOr(p, WORKER_STALL, DEFAULT_WORKER_STALL_SECONDS), integerOr(p, MQTT_SILENCE, DEFAULT_MQTT_SILENCE_SECONDS));
    }

    /** The endpoint on {@code 127.0.0.1:port} (0: a free port), no authentication, no TLS; default health rules. */
    public static OpsSettings localEndpoint(int port) {
        return DISABLED.withEndpoint(port);
    }

    /** These settings with the endpoint on {@code port} (-1: off). */
    public OpsSettings withEndpoint(int port) {
        return new OpsSettings(port, bind, username, passwordFile, keyStore, keyStorePasswordFile, workerStallSeconds,
                mqttSilenceSeconds);
    }

    /** These settings with other health limits (seconds; see the keys). */
    public OpsSettings withHealth(int workerStallSeconds, int mqttSilenceSeconds) {
        return new OpsSettings(port, bind, username, passwordFile, keyStore, keyStorePasswordFile, workerStallSeconds,
                mqttSilenceSeconds);
    }

    /** These settings with basic authentication: {@code passwordFile} holds the password (its first line). */
    public OpsSettings withBasicAuth(String username, Path passwordFile) {
        return new OpsSettings(port, bind, username, passwordFile, keyStore, keyStorePasswordFile, workerStallSeconds,
                mqttSilenceSeconds);
    }

    /** These settings with TLS: {@code keyStore} is a PKCS#12 store whose password is the first line of {@code passwordFile}. */
    public OpsSettings withTls(Path keyStore, Path passwordFile) {
        return new OpsSettings(port, bind, username, this.passwordFile, keyStore, passwordFile, workerStallSeconds,
                mqttSilenceSeconds);
    }

    private static String str(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static String orDefault(String v, String def) {
        return v == null ? def : v;
    }

    private static int integerOr(Properties p, String key, int def) {
        String v = str(p, key);
        return v == null ? def : integer(key, v);
    }

    private static int integer(String key, String v) {
        try {
            return Integer.parseInt(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new OpsSettingsException("config key " + key + " = " + v + " is not an integer");
        }
    }

    private static Path path(Path dir, String key, String v) {
        if (v == null) {
            return null;
        }
        try {
            return dir.resolve(v).normalize();
        } catch (InvalidPathException e) {
            throw new OpsSettingsException("config key " + key + " is not a path: " + e.getMessage());
        }
    }

    /** Reads the first line of a password file; refuses an empty one. */
    static char[] password(String key, Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.indexOf('\n');
            String line = (end < 0 ? text : text.substring(0, end)).strip();
            if (line.isEmpty()) {
                throw new OpsSettingsException("config key " + key + " = " + file + ": the file's first line is empty");
            }
            return line.toCharArray();
        } catch (IOException e) {
            throw new OpsSettingsException("config key " + key + " = " + file + ": cannot read it: " + e.getMessage(), e);
        }
    }

    /** True when {@code http.port} is given. */
    public boolean endpointEnabled() {
        return port >= 0;
    }

    /** The port ({@code http.port}); 0: any free port; -1: no endpoint. */
    public int port() {
        return port;
    }

    /** The address the endpoint binds to ({@code http.bind}, default 127.0.0.1). */
    public String bind() {
        return bind;
    }

    /** The basic-authentication user, or null for none. */
    public String username() {
        return username;
    }

    public Path passwordFile() {
        return passwordFile;
    }

    /** The PKCS#12 key store of the endpoint's TLS certificate, or null for plain HTTP. */
    public Path keyStore() {
        return keyStore;
    }

    public Path keyStorePasswordFile() {
        return keyStorePasswordFile;
    }

    /** How long the round worker may go without a step before the gateway is unhealthy. */
    public Duration workerStall() {
        return Duration.ofSeconds(workerStallSeconds);
    }

    /** How long a link may go without receiving a byte before the gateway is unhealthy, for a keep-alive of {@code keepAliveSeconds}. */
    public Duration mqttSilence(int keepAliveSeconds) {
        return Duration.ofSeconds(mqttSilenceSeconds > 0 ? mqttSilenceSeconds : 2L * keepAliveSeconds + 10);
    }

    @Override
    public String toString() {
        return endpointEnabled() ? (keyStore != null ? "https://" : "http://") + bind + ":" + port
                + (username != null ? " (basic auth as " + username + ")" : "") : "off";
    }
}
