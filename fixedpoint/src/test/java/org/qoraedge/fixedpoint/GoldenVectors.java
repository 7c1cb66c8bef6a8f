package org.qoraedge.fixedpoint;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The golden vectors (cross-check's bundled set, read from {@code qora.vectors.dir}, which
 * fixedpoint's pom points at) for fixedpoint's own tests, and the JSON shapes of their blocks. A
 * test that loads them is skipped when the directory is absent, except under {@code CI=true}, where
 * it fails. (cross-check's {@code VectorFiles} reads the same files for the {@code run} command,
 * with the validation a user's files need; fixedpoint's tests cannot use it, as cross-check is
 * built after fixedpoint.)
 */
public final class GoldenVectors {
    private GoldenVectors() {
    }

    /** One line of a vector file. */
    public record Case(String file, int line, String kind, String id, JsonObject input, JsonObject expected) {
        /** True when the spec refuses this case. */
        public boolean refused() {
            return expected.has("refuse") && expected.get("refuse").getAsBoolean();
        }

        @Override
        public String toString() {
            return id + " (" + file + ":" + line + ")";
        }
    }

    /** The cases of the given kinds, in file name and line order. */
    public static List<Case> load(Set<String> kinds) {
        String dir = System.getProperty("qora.vectors.dir");
        boolean present = dir != null && Files.isDirectory(Path.of(dir));
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("golden vectors not found at qora.vectors.dir=" + dir);
        }
        Assumptions.assumeTrue(present, "golden vectors not found at qora.vectors.dir=" + dir);
        List<Case> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).isBlank()) {
                        continue;
                    }
                    JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
                    String kind = o.get("kind").getAsString();
                    if (kinds.contains(kind)) {
                        out.add(new Case(f.getFileName().toString(), i + 1, kind, o.get("id").getAsString(),
                                o.getAsJsonObject("input"), o.getAsJsonObject("expected")));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Blocks in the files' form, {@code [{"e": e, "m": [...]}, ...]}, validated by {@link Bfp16Block#of(int, int[])}. */
    public static Bfp16Block[] blocks(JsonArray arr) {
        Bfp16Block[] out = new Bfp16Block[arr.size()];
        for (int j = 0; j < out.length; j++) {
            out[j] = block(arr.get(j).getAsJsonObject());
        }
        return out;
    }

    /** One block in the files' form. */
    public static Bfp16Block block(JsonObject b) {
        JsonArray m = b.getAsJsonArray("m");
        int[] mant = new int[m.size()];
        for (int i = 0; i < mant.length; i++) {
            mant[i] = m.get(i).getAsInt();
        }
        return Bfp16Block.of(b.get("e").getAsInt(), mant);
    }

    /** A block in the files' form. */
    public static JsonObject json(Bfp16Block b) {
        JsonObject o = new JsonObject();
        o.addProperty("e", b.exponent());
        JsonArray m = new JsonArray();
        for (int i = 0; i < b.dimension(); i++) {
            m.add(b.mantissa(i));
        }
        o.add("m", m);
        return o;
    }

    /** Integers as a JSON array. */
    public static JsonArray ints(int[] v) {
        JsonArray a = new JsonArray();
        for (int x : v) {
            a.add(x);
        }
        return a;
    }

    /** Longs as a JSON array (compared as JSON text, never through double). */
    public static JsonArray longs(long[] v) {
        JsonArray a = new JsonArray();
        for (long x : v) {
            a.add(x);
        }
        return a;
    }
}
