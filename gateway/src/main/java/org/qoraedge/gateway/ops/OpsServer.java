package org.qoraedge.gateway.ops;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.tinylog.Logger;

/**
 * The operations endpoint, on the JDK's own HTTP server (no servlet container): {@code /metrics}
 * (Prometheus text format), {@code /health} (200 or 503, JSON), {@code /status.json} and the status
 * page at {@code /}. Only GET and HEAD. Basic authentication and TLS apply to every path when
 * configured. Requests are served by one thread of its own: a scrape or a page costs a few
 * milliseconds and never touches the round worker.
 */
final class OpsServer implements AutoCloseable {
    private static final String PAGE_RESOURCE = "status.html";

    private final HttpServer server;
    private final ExecutorService executor;
    private final String scheme;

    private OpsServer(HttpServer server, ExecutorService executor, String scheme) {
        this.server = server;
        this.executor = executor;
        this.scheme = scheme;
    }

    static OpsServer start(OpsSettings settings, Operations ops) throws IOException {
        byte[] page = page();
        InetSocketAddress address = new InetSocketAddress(settings.bind(), settings.port());
        if (address.isUnresolved()) {
            throw new OpsSettingsException("config key " + OpsSettings.BIND + " = " + settings.bind() + " does not resolve");
        }
        HttpServer server;
        String scheme;
        if (settings.keyStore() != null) {
            HttpsServer https = HttpsServer.create(address, 16);
            https.setHttpsConfigurator(new HttpsConfigurator(sslContext(settings)));
            server = https;
            scheme = "https";
        } else {
            server = HttpServer.create(address, 16);
            scheme = "http";
        }
        BasicAuthenticator auth = settings.username() == null ? null : authenticator(settings.username(),
                OpsSettings.password(OpsSettings.PASSWORD_FILE, settings.passwordFile()));
        PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
        context(server, "/metrics", auth, ex -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            text.write(out, ops.metrics().registry().scrape());
            send(ex, 200, text.getContentType(), out.toByteArray());
        });
        context(server, "/health", auth, ex -> {
            Health.Report h = ops.health();
            JsonObject o = new JsonObject();
            o.addProperty("healthy", h.healthy());
            JsonArray problems = new JsonArray();
            h.problems().forEach(problems::add);
            o.add("problems", problems);
            send(ex, h.healthy() ? 200 : 503, "application/json", (o + "\n").getBytes(StandardCharsets.UTF_8));
        });
        context(server, "/status.json", auth, ex -> send(ex, 200, "application/json",
                (ops.statusJson() + "\n").getBytes(StandardCharsets.UTF_8)));
        context(server, "/", auth, ex -> {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/") || path.equals("/status")) {
                send(ex, 200, "text/html; charset=utf-8", page);
            } else {
                send(ex, 404, "text/plain; charset=utf-8", "not found: try /, /metrics, /health or /status.json\n"
                        .getBytes(StandardCharsets.UTF_8));
            }
        });
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "qora-ops-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        OpsServer s = new OpsServer(server, executor, scheme);
        Logger.info("operations endpoint on {} (/metrics, /health, /status.json, status page at /){}", s.url(),
                auth == null ? "" : ", basic auth as " + settings.username());
        return s;
    }

    /** The {@code realm}'s authenticator for one user; the password compared in constant time. */
    private static BasicAuthenticator authenticator(String username, char[] password) {
        byte[] expected = (username + ":" + new String(password)).getBytes(StandardCharsets.UTF_8);
        Arrays.fill(password, '\0');
        return new BasicAuthenticator("qora-edge") {
            @Override
            public boolean checkCredentials(String user, String pass) {
                byte[] given = (user + ":" + pass).getBytes(StandardCharsets.UTF_8);
                return MessageDigest.isEqual(given, expected);
            }
        };
    }

    private static SSLContext sslContext(OpsSettings settings) {
        char[] password = OpsSettings.password(OpsSettings.KEY_STORE_PASSWORD_FILE, settings.keyStorePasswordFile());
        try (InputStream in = Files.newInputStream(settings.keyStore())) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new OpsSettingsException("config key " + OpsSettings.KEY_STORE + " = " + settings.keyStore()
                    + ": cannot use it as a PKCS#12 key store with the password of " + OpsSettings.KEY_STORE_PASSWORD_FILE + ": "
                    + e.getMessage(), e);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** The status page, from the jar. */
    private static byte[] page() throws IOException {
        try (InputStream in = OpsServer.class.getResourceAsStream(PAGE_RESOURCE)) {
            if (in == null) {
                throw new IOException("resource " + PAGE_RESOURCE + " is missing from the gateway's jar");
            }
            return in.readAllBytes();
        }
    }

    /** A handler that only answers GET and HEAD, and never lets an exception reach the server's thread. */
    private static void context(HttpServer server, String path, BasicAuthenticator auth, HttpHandler handler) {
        HttpContext c = server.createContext(path, ex -> {
            try (ex) {
                String method = ex.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    ex.getResponseHeaders().set("Allow", "GET, HEAD");
                    send(ex, 405, "text/plain; charset=utf-8", "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                handler.handle(ex);
            } catch (IOException | RuntimeException e) {
                Logger.debug("operations endpoint: {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
            }
        });
        if (auth != null) {
            c.setAuthenticator(auth);
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        String host = server.getAddress().getAddress().getHostAddress();
        return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
