package org.qoraedge.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Set;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.testing.TlsFiles;

/** The endpoint itself, before any gateway is attached: where it listens, what it answers, TLS. */
class OpsEndpointTest {
    @TempDir
    Path tmp;

    @Test
    void listensOn127001ByDefaultAndSaysUnhealthyUntilAGatewayIsAttached() throws Exception {
        try (Operations ops = new Operations(OpsSettings.localEndpoint(0), "f", Set.of("node-1"))) {
            ops.startEndpoint();
            assertTrue(ops.url().startsWith("http://127.0.0.1:"), ops.url());
            Scrape.Response health = Scrape.get(ops.url() + "/health", null);
            assertEquals(503, health.status());
            assertTrue(health.body().contains("the gateway has not started"), health.body());
            Scrape.Response metrics = Scrape.get(ops.url() + "/metrics", null);
            assertEquals(200, metrics.status());
            assertTrue(metrics.body().contains("qora_rounds_aggregated_total 0"), metrics.body());
            assertTrue(metrics.body().contains("qora_rejections_total{reason=\"bad-signature\"} 0"), metrics.body());
            Scrape.Response page = Scrape.get(ops.url() + "/", null);
            assertEquals(200, page.status());
            assertTrue(page.body().contains("fetch(\"status.json\""), "the page polls status.json");
        }
    }

    @Test
    void answersOnlyGetAndHead() throws Exception {
        try (Operations ops = new Operations(OpsSettings.localEndpoint(0), "f", Set.of())) {
            ops.startEndpoint();
            HttpURLConnection c = (HttpURLConnection) URI.create(ops.url() + "/metrics").toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.getOutputStream().write(1);
            assertEquals(405, c.getResponseCode());
            assertEquals("GET, HEAD", c.getHeaderField("Allow"));
            c.disconnect();
        }
    }

    @Test
    void withAKeyStoreItServesHttpsOnly() throws Exception {
        TlsFiles tls = TlsFiles.create(tmp.resolve("tls"));
        Path pw = Files.writeString(tmp.resolve("ks.password"), new String(TlsFiles.PASSWORD) + "\n");
        OpsSettings s = OpsSettings.localEndpoint(0).withTls(tmp.resolve("tls").resolve("server.p12"), pw);
        try (Operations ops = new Operations(s, "f", Set.of())) {
            ops.startEndpoint();
            assertTrue(ops.url().startsWith("https://127.0.0.1:"), ops.url());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(tls.trustStore)) {
                trust.load(in, TlsFiles.PASSWORD);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            HttpsURLConnection c = (HttpsURLConnection) URI.create(ops.url() + "/metrics").toURL().openConnection();
            c.setSSLSocketFactory(ctx.getSocketFactory());
            assertEquals(200, c.getResponseCode());
            assertTrue(new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("qora_rounds_aggregated_total"));
            c.disconnect();
            String plain = ops.url().replace("https://", "http://");
            assertThrows(IOException.class, () -> Scrape.get(plain + "/metrics", null));
        }
    }

    @Test
    void refusesAKeyStoreItsPasswordDoesNotOpen() throws Exception {
        TlsFiles.create(tmp.resolve("tls"));
        Path pw = Files.writeString(tmp.resolve("ks.password"), "wrong\n");
        OpsSettings s = OpsSettings.localEndpoint(0).withTls(tmp.resolve("tls").resolve("server.p12"), pw);
        try (Operations ops = new Operations(s, "f", Set.of())) {
            OpsSettingsException e = assertThrows(OpsSettingsException.class, ops::startEndpoint);
            assertTrue(e.getMessage().startsWith("config key http.keyStore = "), e.getMessage());
        }
    }
}
