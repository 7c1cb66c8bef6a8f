package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.krum.RoundDistances;

/**
 * Every distance, Krum, Multi-Krum and mean case of the golden vectors (cross-check's bundled set,
 * read from {@code qora.vectors.dir}, which fixedpoint's pom points at) through every
 * {@link Variant}, the vector kernels included, compared with the expected values of the file
 * itself. Skipped when the directory is absent, except under {@code CI=true}, where it fails.
 */
class GoldenVectorEquivalenceTest {
    private static final Set<String> KINDS = Set.of("distance", "krum", "multikrum", "mean");

    record Case(String file, int line, String kind, String id, JsonObject input, JsonObject expected) {
        @Override
        public String toString() {
            return id + " (" + file + ":" + line + ")";
        }
    }

    static List<Case> load() {
        return load(KINDS);
    }

    /** The cases of the given kinds, in file and line order. */
    static List<Case> load(Set<String> kinds) {
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

    static Stream<Arguments> cases() {
        List<Case> all = load();
        assertTrue(all.size() >= 600, "only " + all.size() + " distance/krum/multikrum/mean cases");
        List<Arguments> out = new ArrayList<>();
        for (Case c : all) {
            for (Variant v : Variant.all()) {
                if (!c.kind().equals("mean") || !v.incremental()) { // a mean has no incremental form
                    out.add(Arguments.of(v, c));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void variantGivesTheGoldenResult(Variant v, Case c) {
        JsonObject want = c.expected();
        if (want.has("refuse") && want.get("refuse").getAsBoolean()) {
            assertThrows(FixedPointException.class, () -> evaluate(v, c), "the spec refuses this case");
            return;
        }
        JsonObject got = evaluate(v, c);
        for (String key : want.keySet()) {
            if (got.has(key)) {
                assertEquals(want.get(key).toString(), got.get(key).toString(), key);
            }
        }
        assertTrue(got.keySet().containsAll(switch (c.kind()) {
            case "distance" -> Set.of("distances", "digest");
            case "mean" -> Set.of("aggregate", "aggregate_digest");
            default -> Set.of("scores", "ranking", "selected", "aggregate", "aggregate_digest");
        }));
    }

    private static JsonObject evaluate(Variant v, Case c) {
        JsonObject in = c.input();
        Bfp16Block[] blocks = blocks(in.getAsJsonArray("blocks"));
        JsonObject r = new JsonObject();
        if (c.kind().equals("mean")) {
            long[] weights = FastMeans.ones(blocks.length);
            if (in.has("weights")) {
                JsonArray w = in.getAsJsonArray("weights");
                weights = new long[w.size()];
                for (int i = 0; i < weights.length; i++) {
                    weights[i] = w.get(i).getAsLong();
                }
            }
            Bfp16Block agg = FastMeans.weightedMean(blocks, weights, v.parallelism(), v.kernels());
            r.add("aggregate", block(agg));
            r.addProperty("aggregate_digest", Digests.block(agg));
            return r;
        }
        Metric metric = Metric.valueOf(in.get("metric").getAsString());
        long arrival = c.id().hashCode();
        if (c.kind().equals("distance")) {
            RoundDistances d = v.distances(blocks, metric, arrival);
            JsonArray a = new JsonArray();
            for (long x : d.upperTriangle()) {
                a.add(x);
            }
            r.add("distances", a);
            r.addProperty("digest", Digests.distances(d.upperTriangle()));
            r.addProperty("e_ref", d.referenceExponent());
            return r;
        }
        int f = in.get("f").getAsInt();
        boolean multi = c.kind().equals("multikrum");
        KrumResult k = multi ? v.multiKrum(blocks, f, in.get("m").getAsInt(), metric, arrival) : v.krum(blocks, f, metric, arrival);
        r.addProperty("k", k.k());
        JsonArray scores = new JsonArray();
        for (long s : k.scores()) {
            scores.add(s);
        }
        r.add("scores", scores);
        r.addProperty("scores_digest", k.scoresDigest());
        r.add("ranking", ints(k.ranking()));
        r.addProperty("ranking_digest", k.rankingDigest());
        if (multi) {
            r.add("selected", ints(k.selected()));
            r.addProperty("selected_digest", k.selectedDigest());
        } else {
            r.addProperty("selected", k.selected()[0]);
        }
        r.add("aggregate", block(k.aggregate()));
        r.addProperty("aggregate_digest", k.aggregateDigest());
        r.addProperty("e_ref", k.referenceExponent());
        return r;
    }

    static Bfp16Block[] blocks(JsonArray arr) {
        Bfp16Block[] out = new Bfp16Block[arr.size()];
        for (int j = 0; j < out.length; j++) {
            JsonObject b = arr.get(j).getAsJsonObject();
            JsonArray m = b.getAsJsonArray("m");
            int[] mant = new int[m.size()];
            for (int i = 0; i < mant.length; i++) {
                mant[i] = m.get(i).getAsInt();
            }
            out[j] = Bfp16Block.of(b.get("e").getAsInt(), mant);
        }
        return out;
    }

    static JsonObject block(Bfp16Block b) {
        JsonObject o = new JsonObject();
        o.addProperty("e", b.exponent());
        JsonArray m = new JsonArray();
        for (int i = 0; i < b.dimension(); i++) {
            m.add(b.mantissa(i));
        }
        o.add("m", m);
        return o;
    }

    private static JsonElement ints(int[] v) {
        JsonArray a = new JsonArray();
        for (int x : v) {
            a.add(x);
        }
        return a;
    }
}
