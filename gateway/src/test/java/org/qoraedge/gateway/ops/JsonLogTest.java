package org.qoraedge.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tinylog.Level;
import org.tinylog.core.LogEntry;
import org.tinylog.runtime.RuntimeProvider;
import org.tinylog.writers.JsonWriter;

/** deploy/tinylog-json.properties: its JSON writer, as configured there, writes one parseable object per line. */
class JsonLogTest {
    private static final Path CONFIG = Path.of("..", "deploy", "tinylog-json.properties");

    @TempDir
    Path tmp;

    @Test
    void theShippedJsonWriterWritesOneEscapedObjectPerLine() throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(CONFIG, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        assertEquals("json", p.getProperty("writer2"));
        Map<String, String> writer = new HashMap<>();
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("writer2.")) {
                writer.put(k.substring("writer2.".length()), p.getProperty(k));
            }
        }
        Path file = tmp.resolve("gateway.jsonl");
        writer.put("file", file.toString());
        JsonWriter w = new JsonWriter(writer);
        String tricky = "rejected malformed on the topic of \"node-7\\\"\nsecond line\ttab";
        w.write(entry(Level.WARN, tricky, null));
        w.write(entry(Level.ERROR, "round worker failed in round 12", new IllegalStateException("boom")));
        w.close();

        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(2, lines.size(), String.join("\n", lines));
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals("WARN", first.get("level").getAsString());
        assertEquals(tricky, first.get("message").getAsString());
        assertEquals("qora-round-worker-demo", first.get("thread").getAsString());
        assertTrue(first.get("time").getAsString().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"),
                first.get("time").getAsString());
        JsonObject second = JsonParser.parseString(lines.get(1)).getAsJsonObject();
        assertEquals("ERROR", second.get("level").getAsString());
        assertTrue(second.get("exception").getAsString().startsWith("java.lang.IllegalStateException: boom"),
                second.get("exception").getAsString());
    }

    private static LogEntry entry(Level level, String message, Throwable t) {
        Thread thread = new Thread(() -> { }, "qora-round-worker-demo");
        return new LogEntry(RuntimeProvider.createTimestamp(), thread, Map.of(), "org.qoraedge.gateway.round.RoundCoordinator",
                "closeRound", "RoundCoordinator.java", 1, null, level, message, t);
    }
}
