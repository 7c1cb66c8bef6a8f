package org.qoraedge.crosscheck.conformance;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.NonFiniteInputException;
import org.qoraedge.fixedpoint.krum.Distances;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.krum.RoundDistances;

/**
 * Runs one vector case through {@code fixedpoint} (the robust kinds through {@link RobustCases}) and
 * states what this platform computed, in the shape of the case's {@code expected} object
 * (docs/CONFORMANCE.md, "Kinds").
 */
public final class CaseEvaluator {
    /** The kinds this version understands. */
    public static final List<String> KINDS = List.of("encode", "distance", "krum", "multikrum", "mean", "order",
            "median", "trimmed-mean", "norm-screen", "nnm", "centered-clip", "pipeline");

    private CaseEvaluator() {
    }

    /**
     * What this platform computes for the case: the result fields, or {@code {"refuse": true}}
     * (with {@code "index"} for a NaN/infinity) when fixedpoint refused it.
     *
     * @throws MalformedCaseException if the case lacks what its kind needs, or its kind is unknown
     */
    public static JsonObject evaluate(VectorCase c) {
        try {
            return switch (c.kind()) {
                case "encode" -> encode(c.input());
                case "distance" -> distance(c.input());
                case "krum" -> krum(c.input(), false);
                case "multikrum" -> krum(c.input(), true);
                case "mean" -> mean(c.input());
                case "order" -> order(c.input());
                case "median", "trimmed-mean", "norm-screen", "nnm", "centered-clip", "pipeline" ->
                        RobustCases.evaluate(c.kind(), c.input());
                default -> throw new MalformedCaseException("case " + c.id() + " (" + c.source() + ") has the unknown kind \""
                        + c.kind() + "\"; this version knows " + KINDS);
            };
        } catch (FixedPointException e) {
            JsonObject r = new JsonObject();
            r.addProperty("refuse", true);
            if (e instanceof NonFiniteInputException nf) {
                r.addProperty("index", nf.index());
            }
            return r;
        } catch (NullPointerException | IllegalStateException | UnsupportedOperationException | ClassCastException
                | IllegalArgumentException | IndexOutOfBoundsException e) {
            // IllegalArgumentException: a number that is not one, or a metric Metric.valueOf does not know.
            throw new MalformedCaseException("case " + c.id() + " (" + c.source() + ") is malformed for kind "
                    + c.kind() + ": " + e);
        }
    }

    /**
     * The keys of {@code expected} that differ from {@code actual}, as messages. Keys this version
     * does not know are ignored, as the format requires.
     */
    public static List<String> mismatches(VectorCase c, JsonObject actual) {
        List<String> out = new ArrayList<>();
        JsonObject expected = c.expected();
        if (c.expectsRefusal() != (actual.has("refuse") && actual.get("refuse").getAsBoolean())) {
            out.add(c.expectsRefusal() ? "expected a refusal, got " + abbreviate(actual) : "refused, expected " + abbreviate(expected));
            return out;
        }
        for (String key : knownKeys(c.kind(), c.expectsRefusal())) {
            if (!expected.has(key)) {
                continue;
            }
            JsonElement want = expected.get(key);
            JsonElement got = actual.get(key);
            // Compare the JSON text, never numbers through double: distances can be 2^63 - 1.
            if (got == null || !want.toString().equals(got.toString())) {
                out.add(key + ": expected " + abbreviate(want) + ", got " + (got == null ? "nothing" : abbreviate(got)));
            }
        }
        for (String check : new String[] {"x_encodes_to_blocks", "ids_utf8_matches"}) {
            if (actual.has(check) && !actual.get(check).getAsBoolean()) {
                out.add(check + ": false");
            }
        }
        return out;
    }

    private static List<String> knownKeys(String kind, boolean refusal) {
        if (refusal) {
            return List.of("refuse", "index");
        }
        return switch (kind) {
            case "encode" -> List.of("e", "m", "digest", "decoded");
            case "distance" -> List.of("distances", "digest", "e_ref");
            case "krum" -> List.of("k", "scores", "scores_digest", "ranking", "ranking_digest", "selected",
                    "aggregate", "aggregate_digest", "e_ref");
            case "multikrum" -> List.of("k", "scores", "scores_digest", "ranking", "ranking_digest", "selected",
                    "selected_digest", "aggregate", "aggregate_digest", "e_ref");
            case "mean" -> List.of("aggregate", "aggregate_digest");
            case "order" -> List.of("order");
            default -> RobustCases.knownKeys(kind);
        };
    }

    private static String abbreviate(JsonElement e) {
        String s = e.toString();
        return s.length() > 160 ? s.substring(0, 157) + "..." : s;
    }

    private static JsonObject encode(JsonObject in) {
        Bfp16Block b = Bfp16.encode(floats(in.getAsJsonArray("x")));
        JsonObject r = blockJson(b);
        r.addProperty("digest", Digests.block(b));
        JsonArray decoded = new JsonArray();
        for (float v : Bfp16.decode(b)) {
            decoded.add(String.format("%08x", Float.floatToRawIntBits(v)));
        }
        r.add("decoded", decoded);
        return r;
    }

    private static JsonObject distance(JsonObject in) {
        Metric metric = Metric.valueOf(in.get("metric").getAsString());
        return distanceJson(Distances.compute(blocks(in.getAsJsonArray("blocks")), metric));
    }

    /** A round's distances in the shape of a {@code distance} case's {@code expected}. */
    public static JsonObject distanceJson(RoundDistances d) {
        JsonObject r = new JsonObject();
        long[] upper = d.upperTriangle();
        r.add("distances", longs(upper));
        r.addProperty("digest", Digests.distances(upper));
        if (d.metric() == Metric.COMMON) {
            r.addProperty("e_ref", d.referenceExponent());
        }
        return r;
    }

    private static JsonObject krum(JsonObject in, boolean multi) {
        Metric metric = Metric.valueOf(in.get("metric").getAsString());
        int f = in.get("f").getAsInt();
        Bfp16Block[] blocks = blocks(in.getAsJsonArray("blocks"));
        KrumResult k = multi ? Krum.multiKrum(blocks, f, in.get("m").getAsInt(), metric) : Krum.krum(blocks, f, metric);
        JsonObject r = krumJson(k, multi);
        if (in.has("x")) {
            // End-to-end: the blocks must be what this platform's encoder makes of the float inputs.
            JsonArray xs = in.getAsJsonArray("x");
            boolean same = xs.size() == blocks.length;
            for (int j = 0; same && j < blocks.length; j++) {
                same = Bfp16.encode(floats(xs.get(j).getAsJsonArray())).equals(blocks[j]);
            }
            r.addProperty("x_encodes_to_blocks", same);
        }
        return r;
    }

    /** A Krum ({@code multi} false) or Multi-Krum result in the shape of its case's {@code expected}. */
    public static JsonObject krumJson(KrumResult k, boolean multi) {
        JsonObject r = new JsonObject();
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
        r.add("aggregate", blockJson(k.aggregate()));
        r.addProperty("aggregate_digest", k.aggregateDigest());
        if (k.metric() == Metric.COMMON) {
            r.addProperty("e_ref", k.referenceExponent());
        }
        return r;
    }

    private static JsonObject mean(JsonObject in) {
        Bfp16Block[] blocks = blocks(in.getAsJsonArray("blocks"));
        long[] weights = weights(in);
        return meanJson(weights != null ? Means.weightedMean(blocks, weights) : Means.mean(blocks));
    }

    /** A {@code mean} case's {@code input.weights}, or null when it has none (an unweighted mean). */
    public static long[] weights(JsonObject in) {
        if (!in.has("weights")) {
            return null;
        }
        JsonArray w = in.getAsJsonArray("weights");
        long[] weights = new long[w.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = w.get(i).getAsLong();
        }
        return weights;
    }

    /** A mean in the shape of a {@code mean} case's {@code expected}. */
    public static JsonObject meanJson(Bfp16Block agg) {
        JsonObject r = new JsonObject();
        r.add("aggregate", blockJson(agg));
        r.addProperty("aggregate_digest", Digests.block(agg));
        return r;
    }

    private static JsonObject order(JsonObject in) {
        JsonArray a = in.getAsJsonArray("ids");
        String[] ids = new String[a.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = a.get(i).getAsString();
        }
        JsonObject r = new JsonObject();
        if (in.has("ids_utf8")) {
            JsonArray hex = in.getAsJsonArray("ids_utf8");
            boolean same = hex.size() == ids.length;
            for (int i = 0; same && i < ids.length; i++) {
                same = HexFormat.of().formatHex(ids[i].getBytes(StandardCharsets.UTF_8)).equals(hex.get(i).getAsString());
            }
            r.addProperty("ids_utf8_matches", same);
        }
        r.add("order", ints(NodeIds.canonicalOrder(ids)));
        return r;
    }

    static float[] floats(JsonArray hex) {
        float[] x = new float[hex.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(hex.get(i).getAsString(), 16));
        }
        return x;
    }

    /** Blocks read raw, validated by {@link Bfp16Block#of(int, int[])} (section 1 refusals). */
    public static Bfp16Block[] blocks(JsonArray arr) {
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

    /** A block in the vector files' form, {@code {"e": e, "m": [...]}}. */
    public static JsonObject blockJson(Bfp16Block b) {
        JsonObject o = new JsonObject();
        o.addProperty("e", b.exponent());
        JsonArray m = new JsonArray();
        for (int i = 0; i < b.dimension(); i++) {
            m.add(b.mantissa(i));
        }
        o.add("m", m);
        return o;
    }

    private static JsonArray longs(long[] v) {
        JsonArray a = new JsonArray();
        for (long x : v) {
            a.add(x);
        }
        return a;
    }

    /** Integers as a JSON array. */
    public static JsonArray ints(int[] v) {
        JsonArray a = new JsonArray();
        for (int x : v) {
            a.add(x);
        }
        return a;
    }
}
