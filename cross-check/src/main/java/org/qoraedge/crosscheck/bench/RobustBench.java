package org.qoraedge.crosscheck.bench;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.fast.FastKrum;
import org.qoraedge.fixedpoint.fast.FastRobust;
import org.qoraedge.fixedpoint.fast.Parallelism;
import org.qoraedge.fixedpoint.fast.RoundBuffer;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.CenteredClip;
import org.qoraedge.fixedpoint.robust.Median;
import org.qoraedge.fixedpoint.robust.MultiKrum;
import org.qoraedge.fixedpoint.robust.Nnm;
import org.qoraedge.fixedpoint.robust.NormScreen;
import org.qoraedge.fixedpoint.robust.Pipeline;
import org.qoraedge.fixedpoint.robust.PipelineResult;
import org.qoraedge.fixedpoint.robust.TrimmedMean;

/**
 * {@code bench --rule R}: one robust rule of {@code fixedpoint.fast.FastRobust} (or the pipeline
 * {@code norm-screen(f, f) > nnm(f) > multi-krum(f, m)}) timed on the benchmark's seeded round, the
 * exact reference of {@code fixedpoint.robust} timed in the same run, and their results compared by
 * digest.
 */
final class RobustBench {
    /** The rules {@code --rule} accepts besides {@code krum}; {@code all} runs every one in this order. */
    static final String[] RULES = {"norm-screen", "median", "trimmed-mean", "nnm", "centered-clip", "pipeline", "pipeline-buffer"};
    /** Above this many value operations (n d per pass, n^2 d / 2 for pairs) the reference is skipped unless asked for. */
    static final double REFERENCE_AUTO_LIMIT = 5e7;

    private RobustBench() {
    }

    /** The figures of one rule: fast timing, its allocation, the reference's timing (or null) and whether both agree. */
    record Row(String rule, String what, Timing fast, long heapBytes, Timing reference, Boolean identical, String digest) {
        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("rule", rule);
            o.addProperty("what", what);
            o.add("fast", fast.toJson(heapBytes));
            if (reference != null) {
                o.add("reference", reference.toJson(-1));
                o.addProperty("speedup", reference.medianNanos() / fast.medianNanos());
                o.addProperty("identicalToReference", identical);
            }
            o.addProperty("digest", digest);
            return o;
        }
    }

    /** The rule's fast and reference computations, each reduced to a digest string for the comparison. */
    private record Rule(String what, double referenceWork, Supplier<String> fast, Supplier<String> reference) {
    }

    private static Rule rule(String name, Bfp16Block[] b, int f, int m, int iterations, Parallelism p) {
        int n = b.length;
        double nd = (double) n * b[0].dimension();
        return switch (name) {
            case "norm-screen" -> new Rule("norm-screen(l=" + f + ", h=" + f + ") kept indices", nd,
                    () -> Digests.indices(FastRobust.normScreen(b, f, f, p)), () -> Digests.indices(NormScreen.reference(b, f, f)));
            case "median" -> new Rule("median(f=" + f + ")", nd,
                    () -> Digests.block(FastRobust.median(b, f, p)), () -> Digests.block(Median.reference(b, f)));
            case "trimmed-mean" -> new Rule("trimmed-mean(b=" + f + ")", nd,
                    () -> Digests.block(FastRobust.trimmedMean(b, f, p)), () -> Digests.block(TrimmedMean.reference(b, f)));
            case "nnm" -> new Rule("nnm(f=" + f + "), its n blocks", nd * n / 2,
                    () -> blocksDigest(FastRobust.nnm(b, f, p)), () -> blocksDigest(Nnm.reference(b, f)));
            case "centered-clip" -> new Rule("centered-clip(f=" + f + ", L=" + iterations + ") from the zero block", nd * iterations,
                    () -> Digests.block(FastRobust.centeredClip(b, f, iterations, null, p)),
                    () -> CenteredClip.reference(b, f, iterations, null).digest());
            case "pipeline" -> {
                Pipeline pipeline = Pipeline.of(NormScreen.of(f, f), Nnm.of(f), MultiKrum.of(f, m, Metric.COMMON));
                yield new Rule(pipeline.toString(), nd * n / 2,
                        () -> fastPipeline(b, f, m, p), () -> pipelineDigest(pipeline.apply(b)));
            }
            case "pipeline-buffer" -> {
                Pipeline pipeline = Pipeline.of(NormScreen.of(f, f), Nnm.of(f), MultiKrum.of(f, m, Metric.COMMON));
                RoundBuffer buffer = new RoundBuffer(b[0].dimension(), n, p);
                int[] order = new int[n];
                for (int k = 0; k < n; k++) {
                    order[k] = buffer.add(b[k]); // on arrival, before the round closes: not timed
                }
                yield new Rule(pipeline + ", closing a round buffer", nd * n / 2,
                        () -> bufferPipeline(buffer, order, b, f, m, p), () -> pipelineDigest(pipeline.apply(b)));
            }
            default -> throw new IllegalArgumentException("unknown rule " + name);
        };
    }

    /** The pipeline on the fast path: the screen's kept blocks, mixed, then fast Multi-Krum. */
    static String fastPipeline(Bfp16Block[] b, int f, int m, Parallelism p) {
        int[] kept = FastRobust.normScreen(b, f, f, p);
        Bfp16Block[] screened = new Bfp16Block[kept.length];
        for (int t = 0; t < kept.length; t++) {
            screened[t] = b[kept[t]];
        }
        Bfp16Block[] mixed = FastRobust.nnm(screened, f, p);
        return Digests.indices(kept) + " " + FastKrum.multiKrum(mixed, f, m, Metric.COMMON, p).aggregateDigest();
    }

    /**
     * The pipeline when the round's blocks went into a {@link RoundBuffer} as they arrived: the screen
     * from its sums of squares, the mixing from its dot products, then fast Multi-Krum on the mixed blocks.
     */
    static String bufferPipeline(RoundBuffer buffer, int[] order, Bfp16Block[] b, int f, int m, Parallelism p) {
        int[] kept = buffer.normScreen(order, f, f);
        int[] slots = new int[kept.length];
        for (int t = 0; t < kept.length; t++) {
            slots[t] = order[kept[t]];
        }
        Bfp16Block[] mixed = buffer.nnm(slots, f);
        return Digests.indices(kept) + " " + FastKrum.multiKrum(mixed, f, m, Metric.COMMON, p).aggregateDigest();
    }

    private static String pipelineDigest(PipelineResult r) {
        return Digests.indices(r.kept(0)) + " " + r.digest();
    }

    private static String blocksDigest(Bfp16Block[] blocks) {
        StringBuilder sb = new StringBuilder();
        for (Bfp16Block x : blocks) {
            sb.append(Digests.block(x)).append(',');
        }
        return Digests.hex(Digests.sha256().digest(sb.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * Runs the named rules and prints one line each.
     *
     * @param referenceReps null for automatic (1 below {@link #REFERENCE_AUTO_LIMIT}, else 0)
     */
    static Row[] run(PrintWriter out, String[] names, Bfp16Block[] b, int f, int m, int iterations, Parallelism p, int warmup,
            int reps, Integer referenceReps) {
        out.printf(Locale.ROOT, "%-58s %9s %9s %9s %13s %11s %9s%n", "rule (fast path)", "median ms", "min ms", "max ms",
                "heap bytes", "ref ms", "ratio");
        Row[] rows = new Row[names.length];
        for (int k = 0; k < names.length; k++) {
            Rule r = rule(names[k], b, f, m, iterations, p);
            String[] digest = new String[1];
            Timing fast = Timing.measure(warmup, reps, () -> digest[0] = r.fast().get());
            long heap = Allocation.bytesDuring(() -> r.fast().get());
            int refReps = referenceReps != null ? referenceReps : (r.referenceWork() > REFERENCE_AUTO_LIMIT ? 0 : 1);
            Timing ref = null;
            Boolean same = null;
            if (refReps > 0) {
                String[] want = new String[1];
                ref = Timing.measure(0, refReps, () -> want[0] = r.reference().get());
                same = want[0].equals(digest[0]);
            }
            rows[k] = new Row(names[k], r.what(), fast, heap, ref, same, digest[0]);
            out.printf(Locale.ROOT, "%-58s %9.3f %9.3f %9.3f %13d %11s %9s%s%n", r.what(), fast.medianNanos() / 1e6,
                    fast.minNanos() / 1e6, fast.maxNanos() / 1e6, heap,
                    ref == null ? "skipped" : String.format(Locale.ROOT, "%.1f", ref.medianNanos() / 1e6),
                    ref == null ? "-" : String.format(Locale.ROOT, "%.1fx", ref.medianNanos() / fast.medianNanos()),
                    same == null ? "" : same ? "  identical" : "  DIFFERENT");
            out.flush();
        }
        if (Arrays.stream(rows).anyMatch(r -> r.reference() == null)) {
            out.printf(Locale.ROOT, "reference skipped above %.0e value operations; pass --reference-reps N to run it%n",
                    REFERENCE_AUTO_LIMIT);
        }
        return rows;
    }
}
