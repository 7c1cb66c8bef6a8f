package org.qoraedge.crosscheck.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qoraedge.crosscheck.PlatformInfo;
import org.qoraedge.fixedpoint.Digests;

/**
 * A platform report: what ran ({@code report} type and parameters), where ({@code platform}), and
 * the digests of what it computed, per group (a vector kind, or a stress family) and per case, so
 * that {@code compare} can say which group and which case differs between two platforms.
 *
 * <p>JSON layout: {@code {"report", "parameters", "platform", "groups": {name: {"cases", "failed",
 * "digest", "caseDigests": {id: hex16}}}, "digest", "millis"}}.
 */
public final class DigestReport {
    /** Digests of one group: SHA-256 over its cases' records in order, and each case's own digest. */
    public static final class Group {
        private final MessageDigest all = Digests.sha256();
        private final Map<String, String> cases = new LinkedHashMap<>();
        private int failed;
        private String digest;

        /** Adds one case: its id and the canonical text of what this platform computed. */
        public void add(String id, String outcome, boolean passed) {
            byte[] record = (id + "\n" + outcome + "\n").getBytes(StandardCharsets.UTF_8);
            all.update(record);
            cases.put(id, HexFormat.of().formatHex(Digests.sha256().digest(record), 0, 8));
            if (!passed) {
                failed++;
            }
        }

        public int cases() {
            return cases.size();
        }

        public int failed() {
            return failed;
        }

        public String digest() {
            if (digest == null) {
                digest = HexFormat.of().formatHex(all.digest());
            }
            return digest;
        }

        public Map<String, String> caseDigests() {
            return cases;
        }
    }

    private final String type;
    private final JsonObject parameters = new JsonObject();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final PlatformInfo platform;
    private long millis;

    public DigestReport(String type, PlatformInfo platform) {
        this.type = type;
        this.platform = platform;
    }

    public JsonObject parameters() {
        return parameters;
    }

    /** The group of that name, created empty on first use (groups keep their creation order). */
    public Group group(String name) {
        return groups.computeIfAbsent(name, k -> new Group());
    }

    public Map<String, Group> groups() {
        return groups;
    }

    public void millis(long ms) {
        this.millis = ms;
    }

    public long millis() {
        return millis;
    }

    /** SHA-256 over every group's name and digest, in group order. */
    public String digest() {
        MessageDigest md = Digests.sha256();
        for (Map.Entry<String, Group> g : groups.entrySet()) {
            md.update((g.getKey() + " " + g.getValue().digest() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public int failed() {
        return groups.values().stream().mapToInt(Group::failed).sum();
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("report", type);
        o.add("parameters", parameters.deepCopy());
        o.add("platform", platform.toJson());
        JsonObject gs = new JsonObject();
        for (Map.Entry<String, Group> e : groups.entrySet()) {
            Group g = e.getValue();
            JsonObject go = new JsonObject();
            go.addProperty("cases", g.cases());
            go.addProperty("failed", g.failed());
            go.addProperty("digest", g.digest());
            JsonObject cd = new JsonObject();
            g.caseDigests().forEach(cd::addProperty);
            go.add("caseDigests", cd);
            gs.add(e.getKey(), go);
        }
        o.add("groups", gs);
        o.addProperty("digest", digest());
        o.addProperty("millis", millis);
        return o;
    }

    /** Writes the report as pretty JSON, creating parent directories. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(toJson()) + "\n", StandardCharsets.UTF_8);
    }

    /**
     * Reads a report written by {@link #write}, refusing anything else with a message naming the file,
     * including a report whose fields compare reads have another JSON type.
     */
    public static JsonObject read(Path file) throws IOException {
        JsonElement el;
        try {
            el = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!el.isJsonObject() || !el.getAsJsonObject().has("report") || !el.getAsJsonObject().has("groups")
                || !el.getAsJsonObject().has("digest")) {
            throw new IOException(file + " is not a cross-check report (no \"report\", \"groups\" or \"digest\")");
        }
        String problem = shapeProblem(el.getAsJsonObject());
        if (problem != null) {
            throw new IOException(file + " is not a cross-check report: " + problem);
        }
        return el.getAsJsonObject();
    }

    /** The first field compare relies on that has the wrong JSON type, or null. */
    private static String shapeProblem(JsonObject o) {
        if (!isString(o.get("report")) || !isString(o.get("digest"))) {
            return "\"report\" and \"digest\" must be strings";
        }
        if (!o.get("groups").isJsonObject()) {
            return "\"groups\" must be an object";
        }
        for (Map.Entry<String, JsonElement> g : o.getAsJsonObject("groups").entrySet()) {
            JsonElement go = g.getValue();
            if (!go.isJsonObject() || !isString(go.getAsJsonObject().get("digest")) || go.getAsJsonObject().get("caseDigests") == null
                    || !go.getAsJsonObject().get("caseDigests").isJsonObject()) {
                return "group " + g.getKey() + " must be an object with a string \"digest\" and an object \"caseDigests\"";
            }
        }
        JsonElement p = o.get("platform");
        if (p != null) {
            if (!p.isJsonObject()) {
                return "\"platform\" must be an object";
            }
            JsonObject po = p.getAsJsonObject();
            for (String k : new String[] {"osArch", "vmVendor", "vmVersion"}) {
                if (!isString(po.get(k))) {
                    return "platform." + k + " must be a string";
                }
            }
            JsonElement v = po.get("vectorized");
            if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isBoolean()) {
                return "platform.vectorized must be true or false";
            }
        }
        return null;
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }
}
