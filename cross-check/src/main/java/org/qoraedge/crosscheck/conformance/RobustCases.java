package org.qoraedge.crosscheck.conformance;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.CenteredClip;
import org.qoraedge.fixedpoint.robust.CenteredClipResult;
import org.qoraedge.fixedpoint.robust.Krum;
import org.qoraedge.fixedpoint.robust.Mean;
import org.qoraedge.fixedpoint.robust.Median;
import org.qoraedge.fixedpoint.robust.MultiKrum;
import org.qoraedge.fixedpoint.robust.Nnm;
import org.qoraedge.fixedpoint.robust.NormScreen;
import org.qoraedge.fixedpoint.robust.Pipeline;
import org.qoraedge.fixedpoint.robust.PipelineResult;
import org.qoraedge.fixedpoint.robust.PipelineShapeException;
import org.qoraedge.fixedpoint.robust.Step;
import org.qoraedge.fixedpoint.robust.TrimmedMean;

/**
 * The robust kinds of the vector format (docs/CONFORMANCE.md, "Kinds", {@code median} to
 * {@code pipeline}): each case run through {@code fixedpoint}'s rule and pipeline API, the result
 * in the shape of the case's {@code expected} object, the centered-clipping diagnostics included.
 */
final class RobustCases {
    /** The robust kinds, in docs/CONFORMANCE.md's order. */
    static final List<String> KINDS = List.of("median", "trimmed-mean", "norm-screen", "nnm", "centered-clip", "pipeline");

    private RobustCases() {
    }

    static List<String> knownKeys(String kind) {
        return switch (kind) {
            case "median", "trimmed-mean" -> List.of("aggregate", "digest");
            case "norm-screen" -> List.of("kept", "digest", "aggregate", "aggregate_digest");
            case "nnm" -> List.of("blocks", "digests");
            case "centered-clip" -> List.of("aggregate", "digest", "reference_digest", "thresholds", "clipped",
                    "iterate_digests");
            case "pipeline" -> List.of("aggregate", "digest", "kept", "kept_digests", "scores", "ranking", "ranking_digest",
                    "selected", "selected_digest", "e_ref", "reference_digest", "thresholds", "clipped", "iterate_digests");
            default -> List.of();
        };
    }

    static JsonObject evaluate(String kind, JsonObject in) {
        Bfp16Block[] blocks = CaseEvaluator.blocks(in.getAsJsonArray("blocks"));
        JsonObject r = new JsonObject();
        switch (kind) {
            case "median" -> aggregate(r, Pipeline.of(Median.of(in.get("f").getAsInt())).apply(blocks), "digest");
            case "trimmed-mean" -> aggregate(r, Pipeline.of(TrimmedMean.of(in.get("b").getAsInt())).apply(blocks), "digest");
            case "norm-screen" -> {
                PipelineResult p = Pipeline.of(NormScreen.of(in.get("l").getAsInt(), in.get("h").getAsInt()), Mean.of())
                        .apply(blocks);
                r.add("kept", CaseEvaluator.ints(p.kept(0)));
                r.addProperty("digest", p.keptDigests().get(0));
                aggregate(r, p, "aggregate_digest");
            }
            case "nnm" -> {
                JsonArray ys = new JsonArray();
                JsonArray digests = new JsonArray();
                for (Bfp16Block y : Nnm.of(in.get("f").getAsInt()).apply(blocks)) {
                    ys.add(CaseEvaluator.blockJson(y));
                    digests.add(Digests.block(y));
                }
                r.add("blocks", ys);
                r.add("digests", digests);
            }
            case "centered-clip" -> {
                Bfp16Block reference = block(in.getAsJsonObject("reference"));
                PipelineResult p = Pipeline.of(CenteredClip.of(in.get("f").getAsInt(), in.get("L").getAsInt()))
                        .apply(blocks, reference);
                aggregate(r, p, "digest");
                centeredClip(r, p.centeredClip().orElseThrow());
            }
            case "pipeline" -> pipeline(r, in, blocks);
            default -> throw new IllegalStateException("not a robust kind: " + kind);
        }
        return r;
    }

    private static void pipeline(JsonObject r, JsonObject in, Bfp16Block[] blocks) {
        JsonArray given = in.getAsJsonArray("steps");
        List<Step> steps = new ArrayList<>();
        for (int p = 0; p < given.size(); p++) {
            steps.add(step(given.get(p).getAsJsonObject(), p, given.size()));
        }
        Pipeline pipeline = Pipeline.of(steps);
        Bfp16Block reference = in.has("reference") ? block(in.getAsJsonObject("reference")) : null;
        PipelineResult p = pipeline.apply(blocks, reference);
        aggregate(r, p, "digest");
        JsonArray kept = new JsonArray();
        for (int s = 0; s < p.screens(); s++) {
            kept.add(CaseEvaluator.ints(p.kept(s)));
        }
        r.add("kept", kept);
        JsonArray keptDigests = new JsonArray();
        p.keptDigests().forEach(keptDigests::add);
        r.add("kept_digests", keptDigests);
        if (p.krum().isPresent()) {
            KrumResult k = p.krum().get();
            JsonArray scores = new JsonArray();
            for (long s : k.scores()) {
                scores.add(s);
            }
            r.add("scores", scores);
            r.add("ranking", CaseEvaluator.ints(k.ranking()));
            r.addProperty("ranking_digest", k.rankingDigest());
            if (pipeline.aggregator() instanceof MultiKrum) {
                r.add("selected", CaseEvaluator.ints(k.selected()));
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

    /**
     * One step of {@code input.steps}. A rule this version does not know, or one without all its
     * parameters, makes the pipeline not well formed: robust section 7 refuses it.
     */
    private static Step step(JsonObject s, int position, int count) {
        String rule = s.get("rule").getAsString();
        return switch (rule) {
            case "norm-screen" -> NormScreen.of(param(s, "l", position, count), param(s, "h", position, count));
            case "nnm" -> Nnm.of(param(s, "f", position, count));
            case "mean" -> Mean.of();
            case "krum" -> Krum.of(param(s, "f", position, count), metric(s, position, count));
            case "multi-krum" -> MultiKrum.of(param(s, "f", position, count), param(s, "m", position, count),
                    metric(s, position, count));
            case "median" -> Median.of(param(s, "f", position, count));
            case "trimmed-mean" -> TrimmedMean.of(param(s, "b", position, count));
            case "centered-clip" -> CenteredClip.of(param(s, "f", position, count), param(s, "L", position, count));
            default -> throw new PipelineShapeException("pipeline step " + position + " has the unknown rule \"" + rule
                    + "\"", position, count);
        };
    }

    private static int param(JsonObject s, String name, int position, int count) {
        JsonElement v = s.get(name);
        if (v == null) {
            throw new PipelineShapeException("pipeline step " + position + " (" + s.get("rule").getAsString()
                    + ") has no parameter " + name, position, count);
        }
        return v.getAsInt();
    }

    private static Metric metric(JsonObject s, int position, int count) {
        if (!s.has("metric")) {
            throw new PipelineShapeException("pipeline step " + position + " (" + s.get("rule").getAsString()
                    + ") has no metric", position, count);
        }
        return Metric.valueOf(s.get("metric").getAsString());
    }

    private static Bfp16Block block(JsonObject b) {
        JsonArray one = new JsonArray();
        one.add(b);
        return CaseEvaluator.blocks(one)[0];
    }

    private static void aggregate(JsonObject r, PipelineResult p, String digestKey) {
        r.add("aggregate", CaseEvaluator.blockJson(p.aggregate()));
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
            clipped.add(CaseEvaluator.ints(cc.clipped(l)));
            iterates.add(Digests.block(cc.iterates().get(l - 1)));
        }
        r.add("clipped", clipped);
        r.add("iterate_digests", iterates);
    }
}
