package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qoraedge.fixedpoint.GoldenVectors.ints;

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
import org.qoraedge.fixedpoint.robust.Dyadic;

/**
 * Every median, trimmed-mean, norm-screen, nnm and centered-clip case of the golden vectors
 * (refusals included) through {@link FastRobust} with every whole-round {@link Variant}, compared
 * with the file's expected values, centered clipping's diagnostics too. The vectors are read as
 * {@link GoldenVectors} reads them (skipped when absent, failed under {@code CI=true}).
 */
class FastRobustGoldenVectorTest {
    private static final Set<String> KINDS = Set.of("median", "trimmed-mean", "norm-screen", "nnm", "centered-clip");

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int count = 0;
        for (Case c : GoldenVectors.load(KINDS)) {
            count++;
            for (Variant v : FastRobustEquivalenceTest.variants()) {
                out.add(Arguments.of(v, c));
            }
        }
        assertTrue(count >= 800, "only " + count + " robust cases");
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void fastPathGivesTheGoldenResult(Variant v, Case c) {
        JsonObject want = c.expected();
        if (want.has("refuse") && want.get("refuse").getAsBoolean()) {
            assertThrows(FixedPointException.class, () -> evaluate(v, c), "the spec refuses this case");
            return;
        }
        JsonObject got = evaluate(v, c);
        int compared = 0;
        for (String key : want.keySet()) {
            if (got.has(key)) {
                assertEquals(want.get(key).toString(), got.get(key).toString(), key);
                compared++;
            }
        }
        assertEquals(got.size(), compared, "every computed key is in the file: " + got.keySet() + " against " + want.keySet());
    }

    private static JsonObject evaluate(Variant v, Case c) {
        JsonObject in = c.input();
        Bfp16Block[] blocks = GoldenVectors.blocks(in.getAsJsonArray("blocks"));
        Parallelism p = v.parallelism();
        Kernels k = v.kernels();
        JsonObject r = new JsonObject();
        switch (c.kind()) {
            case "median" -> aggregate(r, "digest", FastRobust.median(blocks, in.get("f").getAsInt(), p, k));
            case "trimmed-mean" -> aggregate(r, "digest", FastRobust.trimmedMean(blocks, in.get("b").getAsInt(), p, k));
            case "norm-screen" -> {
                int l = in.get("l").getAsInt();
                int h = in.get("h").getAsInt();
                int[] kept = FastRobust.normScreen(blocks, l, h, p, k);
                r.add("kept", ints(kept));
                r.addProperty("digest", Digests.indices(kept));
                aggregate(r, "aggregate_digest", FastRobust.tnbs(blocks, l, h, p));
            }
            case "nnm" -> {
                Bfp16Block[] y = FastRobust.nnm(blocks, in.get("f").getAsInt(), p, k);
                JsonArray bs = new JsonArray();
                JsonArray ds = new JsonArray();
                for (Bfp16Block b : y) {
                    bs.add(GoldenVectors.json(b));
                    ds.add(Digests.block(b));
                }
                r.add("blocks", bs);
                r.add("digests", ds);
            }
            case "centered-clip" -> {
                Bfp16Block ref = GoldenVectors.block(in.getAsJsonObject("reference"));
                FastRobust.ClipTrace t = FastRobust.centeredClip(blocks, in.get("f").getAsInt(), in.get("L").getAsInt(), ref, p, k);
                aggregate(r, "digest", t.aggregate());
                r.addProperty("reference_digest", Digests.block(t.reference()));
                JsonArray th = new JsonArray();
                for (Dyadic x : t.thresholds()) {
                    th.add(x.toFraction());
                }
                r.add("thresholds", th);
                JsonArray cl = new JsonArray();
                for (int[] x : t.clipped()) {
                    cl.add(ints(x));
                }
                r.add("clipped", cl);
                JsonArray it = new JsonArray();
                for (Bfp16Block b : t.iterates()) {
                    it.add(Digests.block(b));
                }
                r.add("iterate_digests", it);
            }
            default -> throw new IllegalArgumentException(c.kind());
        }
        return r;
    }

    private static void aggregate(JsonObject r, String digestKey, Bfp16Block b) {
        r.add("aggregate", GoldenVectors.json(b));
        r.addProperty(digestKey, Digests.block(b));
    }
}
