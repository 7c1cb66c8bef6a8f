package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qoraedge.fixedpoint.GoldenVectors.blocks;
import static org.qoraedge.fixedpoint.GoldenVectors.ints;
import static org.qoraedge.fixedpoint.GoldenVectors.json;
import static org.qoraedge.fixedpoint.GoldenVectors.longs;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.GoldenVectors;
import org.qoraedge.fixedpoint.GoldenVectors.Case;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.krum.RoundDistances;

/**
 * Every distance, Krum, Multi-Krum and mean case of the golden vectors ({@link GoldenVectors})
 * through every {@link Variant}, the vector kernels included, compared with the expected values of
 * the file itself. Skipped when the vectors are absent, except under {@code CI=true}, where it fails.
 */
class GoldenVectorEquivalenceTest {
    private static final Set<String> KINDS = Set.of("distance", "krum", "multikrum", "mean");

    static List<Case> load() {
        return GoldenVectors.load(KINDS);
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
            r.add("aggregate", json(agg));
            r.addProperty("aggregate_digest", Digests.block(agg));
            return r;
        }
        Metric metric = Metric.valueOf(in.get("metric").getAsString());
        long arrival = c.id().hashCode();
        if (c.kind().equals("distance")) {
            RoundDistances d = v.distances(blocks, metric, arrival);
            r.add("distances", longs(d.upperTriangle()));
            r.addProperty("digest", Digests.distances(d.upperTriangle()));
            r.addProperty("e_ref", d.referenceExponent());
            return r;
        }
        int f = in.get("f").getAsInt();
        boolean multi = c.kind().equals("multikrum");
        KrumResult k = multi ? v.multiKrum(blocks, f, in.get("m").getAsInt(), metric, arrival) : v.krum(blocks, f, metric, arrival);
        r.addProperty("k", k.k());
        r.add("scores", longs(k.scores()));
        r.addProperty("scores_digest", k.scoresDigest());
        r.add("ranking", ints(k.ranking()));
        r.addProperty("ranking_digest", k.rankingDigest());
        if (multi) {
            r.add("selected", ints(k.selected()));
            r.addProperty("selected_digest", k.selectedDigest());
        } else {
            r.addProperty("selected", k.selected()[0]);
        }
        r.add("aggregate", json(k.aggregate()));
        r.addProperty("aggregate_digest", k.aggregateDigest());
        r.addProperty("e_ref", k.referenceExponent());
        return r;
    }
}
