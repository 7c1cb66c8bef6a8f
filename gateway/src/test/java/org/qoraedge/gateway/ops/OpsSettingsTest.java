package org.qoraedge.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.daemon.ConfigException;
import org.qoraedge.gateway.daemon.GatewayConfig;

/** The {@code http.*} and {@code health.*} keys: defaults, paths, refusals. */
class OpsSettingsTest {
    private static final Path DIR = Path.of("/etc/qora-edge");

    @TempDir
    Path tmp;

    private static OpsSettings parse(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return OpsSettings.fromProperties(p, DIR);
    }

    @Test
    void theEndpointIsOffByDefaultAndBindsToLoopbackWhenOn() {
        OpsSettings off = parse();
        assertFalse(off.endpointEnabled());
        assertEquals("off", off.toString());
        OpsSettings on = parse("http.port", "9464");
        assertTrue(on.endpointEnabled());
        assertEquals("127.0.0.1", on.bind());
        assertNull(on.username());
        assertEquals("http://127.0.0.1:9464", on.toString());
    }

    @Test
    void passwordFilesAndKeyStoresAreResolvedAgainstTheConfigDirectory() {
        OpsSettings s = parse("http.port", "9464", "http.username", "prom", "http.passwordFile", "http.password",
                "http.keyStore", "tls/ops.p12", "http.keyStorePasswordFile", "/run/secrets/ks");
        assertEquals(DIR.resolve("http.password"), s.passwordFile());
        assertEquals(DIR.resolve("tls/ops.p12"), s.keyStore());
        assertEquals(Path.of("/run/secrets/ks"), s.keyStorePasswordFile());
        assertEquals("https://127.0.0.1:9464 (basic auth as prom)", s.toString());
    }

    @Test
    void theSilenceLimitDefaultsToTwiceTheKeepAlivePlusTenSeconds() {
        assertEquals(Duration.ofSeconds(70), parse().mqttSilence(30));
        assertEquals(Duration.ofSeconds(12), parse().mqttSilence(1));
        assertEquals(Duration.ofSeconds(45), parse("health.mqttSilenceSeconds", "45").mqttSilence(30));
        assertEquals(Duration.ofSeconds(60), parse().workerStall());
    }

    @Test
    void theGatewaysConfigFileTakesTheKeysAndRefusesTyposAndASilenceLimitWithinTheKeepAlive() throws Exception {
        Path file = tmp.resolve("gateway.properties");
        Files.writeString(file, "model.dimension = 4\nhttp.port = 9464\nhttp.bind = 0.0.0.0\nbroker.keepAliveSeconds = 20\n"
                + "health.workerStallSeconds = 120\n");
        GatewayConfig c = GatewayConfig.load(file);
        assertEquals(9464, c.ops().port());
        assertEquals("0.0.0.0", c.ops().bind());
        assertEquals(20, c.keepAliveSeconds());
        assertEquals(Duration.ofSeconds(50), c.ops().mqttSilence(c.keepAliveSeconds()));
        assertEquals(Duration.ofSeconds(120), c.ops().workerStall());

        Files.writeString(file, "model.dimension = 4\nhttp.prot = 9464\n");
        assertTrue(assertThrows(ConfigException.class, () -> GatewayConfig.load(file)).getMessage()
                .contains("unknown config key(s) [http.prot]"));
        Files.writeString(file, "model.dimension = 4\nhealth.mqttSilenceSeconds = 30\n");
        assertTrue(assertThrows(ConfigException.class, () -> GatewayConfig.load(file)).getMessage()
                .contains("health.mqttSilenceSeconds = 30 is invalid: must be more than broker.keepAliveSeconds = 30"));
    }

    @Test
    void refusesWhatItCannotUse() {
        assertEquals("config key http.port = 70000 is invalid: must be 0 to 65535 (0: any free port)",
                assertThrows(OpsSettingsException.class, () -> parse("http.port", "70000")).getMessage());
        assertEquals("config key http.port = x is not an integer",
                assertThrows(OpsSettingsException.class, () -> parse("http.port", "x")).getMessage());
        assertTrue(assertThrows(OpsSettingsException.class, () -> parse("http.port", "1", "http.username", "prom")).getMessage()
                .contains("must be given together with http.passwordFile"));
        assertTrue(assertThrows(OpsSettingsException.class, () -> parse("http.port", "1", "http.keyStore", "a.p12")).getMessage()
                .contains("must be given together with http.keyStorePasswordFile"));
        assertTrue(assertThrows(OpsSettingsException.class, () -> parse("health.workerStallSeconds", "1")).getMessage()
                .contains("2 to 86400 (the worker steps at least once a second)"));
        assertTrue(assertThrows(OpsSettingsException.class, () -> parse("health.mqttSilenceSeconds", "1")).getMessage()
                .contains("0 (twice the keep-alive plus 10 s) or 2 to 86400"));
    }
}
