package org.qoraedge.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** Reads the operations endpoint as Prometheus and a browser would: plain HTTP GETs. */
public final class Scrape {
    private Scrape() {
    }

    /** The status code and body of a GET of {@code url}; {@code auth} "user:password" or null. */
    public record Response(int status, String body) {
    }

    public static Response get(String url, String auth) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(5000);
        if (auth != null) {
            c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            int status = c.getResponseCode();
            var in = status < 400 ? c.getInputStream() : c.getErrorStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(status, body);
        } finally {
            c.disconnect();
        }
    }

    /** Every sample of a Prometheus text scrape, keyed by {@code name{labels}} exactly as written. */
    public static Map<String, Double> metrics(String baseUrl) throws IOException {
        Response r = get(baseUrl + "/metrics", null);
        assertEquals(200, r.status(), r.body());
        return parse(r.body());
    }

    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return out;
    }

    /** The value of sample {@code key}, 0 when the scrape has no such sample. */
    public static long value(Map<String, Double> m, String key) {
        Double v = m.get(key);
        return v == null ? 0 : Math.round(v);
    }

    public static JsonObject status(String baseUrl) throws IOException {
        Response r = get(baseUrl + "/status.json", null);
        assertEquals(200, r.status(), r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }
}
