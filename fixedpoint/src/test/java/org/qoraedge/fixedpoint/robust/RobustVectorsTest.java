package org.qoraedge.fixedpoint.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qoraedge.fixedpoint.GoldenVectors.block;
import static org.qoraedge.fixedpoint.GoldenVectors.blocks;
import static org.qoraedge.fixedpoint.GoldenVectors.ints;
import static org.qoraedge.fixedpoint.GoldenVectors.json;
import static org.qoraedge.fixedpoint.GoldenVectors.longs;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.GoldenVectors;
import org.qoraedge.fixedpoint.GoldenVectors.Case;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * Every public robust-aggregator vector (kinds {@code median}, {@code trimmed-mean},
 * {@code norm-screen}, {@code nnm}, {@code centered-clip}, {@code pipeline}, from the family files
 * and {@code hand-robust.jsonl}), refusals included, one test per case id, through the rule and
 * pipeline API. Every key of {@code expected} is compared, the centered-clipping diagnostics too.
 * The vectors are cross-check's bundled copy, read by {@link GoldenVectors} (skipped when absent,
 * failed under {@code CI=true}).
 */
class RobustVectorsTest {
    static final Set<String> KINDS = Set.of("median", "trimmed-mean", "norm-screen", "nnm", "centered-clip", "pipeline");

    static List<Case> cases() {
        return GoldenVectors.load(KINDS);
    }

    @Test
    void theBundledSetHoldsEveryPublicRobustCase() {
        Map<String, int[]> perKind = new TreeMap<>();
        for (Case c : cases()) {
            int[] counts = perKind.computeIfAbsent(c.kind(), k -> new int[2]);
            counts[0]++;
            counts[1] += c.refused() ? 1 : 0;
        }
        // docs/CONFORMANCE.md: family files plus hand-robust.jsonl (median 7, trimmed-mean 4,
        // norm-screen 5, nnm 5, centered-clip 5, pipeline 3), 951 cases in all
        Map<String, String> got = new TreeMap<>();
        perKind.forEach((k, v) -> got.put(k, v[0] + " cases, " + v[1] + " refused"));
        assertEquals(Map.of(
                "median", "175 cases, 12 refused",
                "trimmed-mean", "172 cases, 12 refused",
                "norm-screen", "142 cases, 13 refused",
                "nnm", "151 cases, 10 refused",
                "centered-clip", "170 cases, 17 refused",
                "pipeline", "141 cases, 20 refused"), got);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheGoldenVector(Case c) {
        if (c.refused()) {
            assertThrows(FixedPointException.class, () -> evaluate(c), "the spec refuses this case");
            return;
        }
        JsonObject got = evaluate(c);
        for (String key : c.expected().keySet()) {
            assertTrue(got.has(key), "no value computed for expected." + key);
            // compared as JSON text, never through double
            assertEquals(c.expected().get(key).toString(), got.get(key).toString(), key);
        }
    }

    /** What the rule computes for the case, in the shape of its {@code expected} object. */
    static JsonObject evaluate(Case c) {
        JsonObject in = c.input();
        Bfp16Block[] blocks = blocks(in.getAsJsonArray("blocks"));
        JsonObject r = new JsonObject();
        switch (c.kind()) {
            case "median" -> aggregate(r, Pipeline.of(Median.of(in.get("f").getAsInt())).apply(blocks), "digest");
            case "trimmed-mean" -> aggregate(r, Pipeline.of(TrimmedMean.of(in.get("b").getAsInt())).apply(blocks), "digest");
            case "norm-screen" -> {
                PipelineResult p = Pipeline.of(NormScreen.of(in.get("l").getAsInt(), in.get("h").getAsInt()), Mean.of())
                        .apply(blocks);
                r.add("kept", ints(p.kept(0)));
                r.addProperty("digest", p.keptDigests().get(0));
                aggregate(r, p, "aggregate_digest");
            }
            case "nnm" -> {
                Bfp16Block[] y = Nnm.of(in.get("f").getAsInt()).apply(blocks);
                JsonArray ys = new JsonArray();
                JsonArray digests = new JsonArray();
                for (Bfp16Block b : y) {
                    ys.add(json(b));
                    digests.add(Digests.block(b));
                }
                r.add("blocks", ys);
                r.add("digests", digests);
            }
            case "centered-clip" -> {
                Bfp16Block ref = block(in.getAsJsonObject("reference"));
                PipelineResult p = Pipeline.of(CenteredClip.of(in.get("f").getAsInt(), in.get("L").getAsInt()))
                        .apply(blocks, ref);
                aggregate(r, p, "digest");
                centeredClip(r, p.centeredClip().orElseThrow());
            }
            case "pipeline" -> pipeline(r, in, blocks);
            default -> throw new IllegalArgumentException("not a robust kind: " + c.kind());
        }
        return r;
    }

    private static void pipeline(JsonObject r, JsonObject in, Bfp16Block[] blocks) {
        List<Step> steps = new ArrayList<>();
        for (JsonElement s : in.getAsJsonArray("steps")) {
            steps.add(step(s.getAsJsonObject()));
        }
        Pipeline pipeline = Pipeline.of(steps);
        Bfp16Block ref = in.has("reference") ? block(in.getAsJsonObject("reference")) : null;
        PipelineResult p = pipeline.apply(blocks, ref);
        aggregate(r, p, "digest");
        JsonArray kept = new JsonArray();
        JsonArray keptDigests = new JsonArray();
        for (int s = 0; s < p.screens(); s++) {
            kept.add(ints(p.kept(s)));
            keptDigests.add(p.keptDigests().get(s));
        }
        r.add("kept", kept);
        r.add("kept_digests", keptDigests);
        if (p.krum().isPresent()) {
            KrumResult k = p.krum().get();
            r.add("scores", longs(k.scores()));
            r.add("ranking", ints(k.ranking()));
            r.addProperty("ranking_digest", k.rankingDigest());
            if (pipeline.aggregator() instanceof MultiKrum) {
                r.add("selected", ints(k.selected()));
                r.addProperty("selected_digest", k.selectedDigest());
            } else {
                r.addProperty("selected", k.selected()[0]);
            }
            if (k.metric() == Metric.COMMON) {
                r.addProperty("e_ref", k.referenceExponent());
            }
        }
        p.centeredClip().ifPresent(cc -> centeredClip(r, cc));
    }

    static Step step(JsonObject s) {
        return switch (s.get("rule").getAsString()) {
            case "norm-screen" -> NormScreen.of(s.get("l").getAsInt(), s.get("h").getAsInt());
            case "nnm" -> Nnm.of(s.get("f").getAsInt());
            case "mean" -> Mean.of();
            case "krum" -> Krum.of(s.get("f").getAsInt(), Metric.valueOf(s.get("metric").getAsString()));
            case "multi-krum" -> MultiKrum.of(s.get("f").getAsInt(), s.get("m").getAsInt(),
                    Metric.valueOf(s.get("metric").getAsString()));
            case "median" -> Median.of(s.get("f").getAsInt());
            case "trimmed-mean" -> TrimmedMean.of(s.get("b").getAsInt());
            case "centered-clip" -> CenteredClip.of(s.get("f").getAsInt(), s.get("L").getAsInt());
            default -> throw new IllegalArgumentException("unknown rule " + s);
        };
    }

    private static void aggregate(JsonObject r, PipelineResult p, String digestKey) {
        r.add("aggregate", json(p.aggregate()));
        r.addProperty(digestKey, p.digest());
    }

    private static void centeredClip(JsonObject r, CenteredClipResult cc) {
        r.addProperty("reference_digest", cc.referenceDigest());
        JsonArray thresholds = new JsonArray();
        cc.thresholds().forEach(t -> thresholds.add(t.toFraction()));
        r.add("thresholds", thresholds);
        JsonArray clipped = new JsonArray();
        JsonArray iterates = new JsonArray();
        for (int l = 1; l <= cc.iterations(); l++) {
            clipped.add(ints(cc.clipped(l)));
            iterates.add(Digests.block(cc.iterates().get(l - 1)));
        }
        r.add("clipped", clipped);
        r.add("iterate_digests", iterates);
    }
}
