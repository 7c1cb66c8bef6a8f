package org.qoraedge.crosscheck.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.qoraedge.crosscheck.PlatformInfo;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.fast.FastKrum;
import org.qoraedge.fixedpoint.fast.Parallelism;
import org.qoraedge.fixedpoint.fast.RoundBuffer;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cross-check bench}: times the fast exact Krum path of {@code fixedpoint} on one seeded round
 * and, in the same run, the straightforward reference, and checks that both give identical results.
 * Figures, not a timed test: warm-up repetitions first, then the median, min and max of the measured
 * ones.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks fast exact Krum and Multi-Krum (whole round and incremental) against the reference.",
            "Start the JVM with --add-modules jdk.incubator.vector for the vector kernels (x86_64, aarch64);"
                + " -Dqora.vector=false forces the scalar ones."})
public final class BenchCommand implements Callable<Integer> {
    /** Above this many pair-coordinates the reference is skipped unless --reference-reps is given. */
    static final double REFERENCE_AUTO_LIMIT = 5e9;

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "100", description = "Blocks in the round, n (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--dim", defaultValue = "100000", description = "Coordinates per block, d (default ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--threads", description = "Threads for the fast path (default: available processors).")
    Integer threads;

    @Option(names = "--metric", defaultValue = "COMMON", description = "COMMON or PAIRWISE (default ${DEFAULT-VALUE}).")
    Metric metric;

    @Option(names = "--reps", defaultValue = "10", description = "Measured repetitions of each fast measurement (default ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured repetitions first, for the JIT (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--f", description = "Byzantine nodes tolerated (default: (n - 3) / 4).")
    Integer f;

    @Option(names = "--m", description = "Multi-Krum selection size (default: n - 2f - 2, the largest).")
    Integer m;

    @Option(names = "--reference-reps", description = "Repetitions of the straightforward reference (default 1; 0 skips it;"
            + " skipped by default above 5e9 pair-coordinates).")
    Integer referenceReps;

    @Option(names = "--no-incremental", description = "Skip the incremental round buffer.")
    boolean noIncremental;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the round's blocks (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON here.")
    Path json;

    @Option(names = "--rule", paramLabel = "R", description = "krum (the default: Krum and Multi-Krum), one robust rule of"
            + " norm-screen, median, trimmed-mean, nnm, centered-clip, pipeline (norm-screen(f, f) > nnm(f) > multi-krum(f, m)),"
            + " pipeline-buffer (the same, closing a round buffer filled on arrival), or all (every robust rule)."
            + " Robust rules use --f as f, b, l and h.")
    String rule;

    @Option(names = "--iterations", defaultValue = "3", description = "Centered clipping's L (default ${DEFAULT-VALUE}).")
    int iterations;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        int fv = f != null ? f : Math.max(0, (nodes - 3) / 4);
        if (nodes < 3 || dim < 1 || reps < 1 || warmup < 0 || (long) nodes < 2L * fv + 3) {
            throw new ParameterException(spec.commandLine(), "need --nodes >= 2f + 3 >= 3, --dim >= 1, --reps >= 1, --warmup >= 0; got n = "
                    + nodes + ", f = " + fv + ", d = " + dim + ", reps = " + reps + ", warmup = " + warmup);
        }
        int mv = m != null ? m : nodes - 2 * fv - 2;
        if (mv < 1 || mv > nodes - 2 * fv - 2) {
            throw new ParameterException(spec.commandLine(), "--m " + mv + " is outside [1, n - 2f - 2] = [1, " + (nodes - 2 * fv - 2) + "]");
        }
        int tv = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (tv < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be >= 1, got " + tv);
        }
        Parallelism par = Parallelism.threads(tv);
        double pairCoords = (double) nodes * (nodes - 1) / 2 * dim;
        int refReps = referenceReps != null ? referenceReps : (pairCoords > REFERENCE_AUTO_LIMIT ? 0 : 1);

        PlatformInfo platform = PlatformInfo.current(FastKrum.vectorized());
        out.println(platform.line());
        out.println("kernels: " + FastKrum.implementation());
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        out.printf(Locale.ROOT, "system load average (1 min) at start: %.2f on %d processors (other work on the machine skews the figures)%n",
                load, Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "round: n=%d d=%d f=%d m=%d metric=%s threads=%d seed=%d; %.3g pair-coordinates; %d MiB of mantissas%n",
                nodes, dim, fv, mv, metric, tv, seed, pairCoords, (long) nodes * dim * 2 >> 20);
        out.flush();
        Bfp16Block[] blocks = BenchRound.blocks(seed, nodes, dim, fv);
        if (rule != null && !rule.equals("krum")) {
            return robust(out, blocks, fv, tv, par, load, platform);
        }

        JsonObject report = new JsonObject();
        JsonObject params = new JsonObject();
        params.addProperty("nodes", nodes);
        params.addProperty("dim", dim);
        params.addProperty("f", fv);
        params.addProperty("m", mv);
        params.addProperty("metric", metric.name());
        params.addProperty("threads", tv);
        params.addProperty("reps", reps);
        params.addProperty("warmup", warmup);
        params.addProperty("seed", seed);
        params.addProperty("referenceReps", refReps);
        report.addProperty("report", "bench");
        report.add("parameters", params);
        report.add("platform", platform.toJson());
        report.addProperty("kernels", FastKrum.implementation());
        report.addProperty("loadAverageAtStart", load);

        // Fast path, whole round.
        KrumResult[] fastKrum = new KrumResult[1];
        Timing krumT = Timing.measure(warmup, reps, () -> fastKrum[0] = FastKrum.krum(blocks, fv, metric, par));
        long krumAlloc = Allocation.bytesDuring(() -> FastKrum.krum(blocks, fv, metric, par));
        KrumResult[] fastMulti = new KrumResult[1];
        Timing multiT = Timing.measure(warmup, reps, () -> fastMulti[0] = FastKrum.multiKrum(blocks, fv, mv, metric, par));
        long multiAlloc = Allocation.bytesDuring(() -> FastKrum.multiKrum(blocks, fv, mv, metric, par));
        double nsPerPairCoord = krumT.medianNanos() / pairCoords;

        out.printf(Locale.ROOT, "%-38s %10s %10s %10s %14s%n", "measurement", "median ms", "min ms", "max ms", "heap bytes");
        row(out, "fast Krum scoring (whole round)", krumT, krumAlloc);
        row(out, "fast Multi-Krum round (with mean)", multiT, multiAlloc);
        out.printf(Locale.ROOT, "fast Krum: %.4f ns per pair-coordinate (%.2f G pair-coordinates/s)%n", nsPerPairCoord,
                pairCoords / krumT.medianNanos());
        report.add("fastKrum", krumT.toJson(krumAlloc));
        report.add("fastMultiKrum", multiT.toJson(multiAlloc));
        report.addProperty("nsPerPairCoordinate", nsPerPairCoord);

        boolean identical = fastKrum[0] != null && fastMulti[0] != null;
        JsonObject checks = new JsonObject();

        // Incremental round buffer: blocks added in a shuffled arrival order, then closed.
        if (!noIncremental) {
            JsonObject inc = incremental(out, blocks, fv, mv, par, checks);
            report.add("incremental", inc);
            identical &= inc.get("identicalToWholeRound").getAsBoolean();
        }

        // The straightforward reference, same round, same run.
        if (refReps > 0) {
            KrumResult[] refKrum = new KrumResult[1];
            Timing refKrumT = Timing.measure(0, refReps, () -> refKrum[0] = Krum.krum(blocks, fv, metric));
            KrumResult[] refMulti = new KrumResult[1];
            Timing refMultiT = Timing.measure(0, refReps, () -> refMulti[0] = Krum.multiKrum(blocks, fv, mv, metric));
            row(out, "reference Krum scoring (1 thread)", refKrumT, -1);
            row(out, "reference Multi-Krum round", refMultiT, -1);
            double krumRatio = refKrumT.medianNanos() / krumT.medianNanos();
            double multiRatio = refMultiT.medianNanos() / multiT.medianNanos();
            out.printf(Locale.ROOT, "speed-up over the reference (median / median): Krum %.1fx, Multi-Krum %.1fx%n", krumRatio, multiRatio);
            boolean sameKrum = same(refKrum[0], fastKrum[0]);
            boolean sameMulti = same(refMulti[0], fastMulti[0]);
            out.println("fast results identical to the reference: Krum " + yes(sameKrum) + ", Multi-Krum " + yes(sameMulti)
                    + " (scores, ranking, selection, aggregate digests)");
            identical &= sameKrum && sameMulti;
            JsonObject ref = new JsonObject();
            ref.add("krum", refKrumT.toJson(-1));
            ref.add("multiKrum", refMultiT.toJson(-1));
            ref.addProperty("krumSpeedup", krumRatio);
            ref.addProperty("multiKrumSpeedup", multiRatio);
            report.add("reference", ref);
            checks.addProperty("krumIdenticalToReference", sameKrum);
            checks.addProperty("multiKrumIdenticalToReference", sameMulti);
        } else {
            out.printf(Locale.ROOT, "reference skipped (%s); pass --reference-reps N to run it%n",
                    referenceReps != null ? "--reference-reps 0" : String.format(Locale.ROOT,
                            "%.3g pair-coordinates is above the automatic limit of %.0e", pairCoords, REFERENCE_AUTO_LIMIT));
        }
        out.println("Krum digests: scores " + fastKrum[0].scoresDigest() + ", ranking " + fastKrum[0].rankingDigest());
        out.println("Multi-Krum aggregate digest: " + fastMulti[0].aggregateDigest());
        checks.addProperty("identical", identical);
        report.add("checks", checks);
        report.addProperty("krumScoresDigest", fastKrum[0].scoresDigest());
        report.addProperty("multiKrumAggregateDigest", fastMulti[0].aggregateDigest());
        if (json != null) {
            Files.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(report) + "\n", StandardCharsets.UTF_8);
        }
        if (!identical) {
            spec.commandLine().getErr().println("FAILED: the fast path's results differ (see above)");
            return 1;
        }
        return 0;
    }

    /** {@code --rule R} for a robust rule, or {@code all}. */
    private int robust(PrintWriter out, Bfp16Block[] blocks, int fv, int tv, Parallelism par, double load, PlatformInfo platform)
            throws IOException {
        String[] names = rule.equals("all") ? RobustBench.RULES : new String[] {rule};
        for (String name : names) {
            if (!Arrays.asList(RobustBench.RULES).contains(name)) {
                throw new ParameterException(spec.commandLine(), "--rule " + name + " is not one of krum, all, "
                        + String.join(", ", RobustBench.RULES));
            }
        }
        if (iterations < 1) {
            throw new ParameterException(spec.commandLine(), "--iterations must be >= 1, got " + iterations);
        }
        int kept = nodes - 2 * fv; // what the pipeline's screen leaves for nnm and Multi-Krum
        boolean pipeline = Arrays.asList(names).contains("pipeline")
                || Arrays.asList(names).contains("pipeline-buffer");
        if (pipeline && (long) kept < 2L * fv + 3) {
            throw new ParameterException(spec.commandLine(), "the pipeline needs n - 2f >= 2f + 3 (its Multi-Krum's quorum after"
                    + " the screen); got n = " + nodes + ", f = " + fv);
        }
        int mv = m != null ? m : Math.max(1, kept - 2 * fv - 2);
        if (pipeline && (mv < 1 || mv > kept - 2 * fv - 2)) {
            throw new ParameterException(spec.commandLine(), "--m " + mv + " is outside [1, n - 2f - 2f - 2] = [1, "
                    + (kept - 2 * fv - 2) + "] for the pipeline's Multi-Krum");
        }
        out.printf(Locale.ROOT, "robust rules: f = b = l = h = %d, centered clipping L = %d, pipeline Multi-Krum m = %d (of %d blocks"
                + " left by the screen)%n", fv, iterations, mv, kept);
        RobustBench.Row[] rows = RobustBench.run(out, names, blocks, fv, mv, iterations, par, warmup, reps, referenceReps);
        boolean identical = true;
        JsonArray results = new JsonArray();
        for (RobustBench.Row r : rows) {
            results.add(r.toJson());
            identical &= r.identical() == null || r.identical();
        }
        if (json != null) {
            JsonObject report = new JsonObject();
            JsonObject params = new JsonObject();
            params.addProperty("nodes", nodes);
            params.addProperty("dim", dim);
            params.addProperty("f", fv);
            params.addProperty("m", mv);
            params.addProperty("iterations", iterations);
            params.addProperty("threads", tv);
            params.addProperty("reps", reps);
            params.addProperty("warmup", warmup);
            params.addProperty("seed", seed);
            report.addProperty("report", "bench-robust");
            report.add("parameters", params);
            report.add("platform", platform.toJson());
            report.addProperty("kernels", FastKrum.implementation());
            report.addProperty("loadAverageAtStart", load);
            report.add("rules", results);
            report.addProperty("identical", identical);
            Files.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(report) + "\n", StandardCharsets.UTF_8);
        }
        if (!identical) {
            spec.commandLine().getErr().println("FAILED: a fast robust rule's result differs from the reference (see above)");
            return 1;
        }
        return 0;
    }

    private JsonObject incremental(PrintWriter out, Bfp16Block[] blocks, int fv, int mv, Parallelism par, JsonObject checks) {
        int n = blocks.length;
        int[] arrival = BenchRound.arrivalOrder(seed, n);
        RoundBuffer buffer = new RoundBuffer(dim, n, par);
        if (warmup > 0) { // JIT warm-up of add: a first partial round, then a fresh one
            for (int i = 0; i < Math.min(n, 32); i++) {
                buffer.add(blocks[arrival[i]]);
            }
            buffer.clear();
        }
        int[] order = new int[n];
        long[] addNanos = new long[n];
        long heapBefore = Allocation.allThreads();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            int slot = buffer.add(blocks[arrival[i]]);
            addNanos[i] = System.nanoTime() - t0;
            order[arrival[i]] = slot;
        }
        long addAlloc = Allocation.allThreads() - heapBefore;
        KrumResult[] closeMulti = new KrumResult[1];
        Timing closeMultiT = Timing.measure(warmup, reps, () -> closeMulti[0] = buffer.multiKrum(order, fv, mv, metric));
        long closeMultiAlloc = Allocation.bytesDuring(() -> buffer.multiKrum(order, fv, mv, metric));
        KrumResult[] closeKrum = new KrumResult[1];
        Timing closeKrumT = Timing.measure(warmup, reps, () -> closeKrum[0] = buffer.krum(order, fv, metric));
        Timing adds = Timing.of(addNanos);
        long total = 0;
        for (long a : addNanos) {
            total += a;
        }
        out.printf(Locale.ROOT, "%-38s %10.3f %10.3f %10.3f %14d%n", "incremental add (per block)", adds.medianNanos() / 1e6,
                adds.minNanos() / 1e6, adds.maxNanos() / 1e6, addAlloc / n);
        out.printf(Locale.ROOT, "incremental adds: %.1f ms in total for %d blocks (the last add: %.3f ms)%n", total / 1e6, n,
                addNanos[n - 1] / 1e6);
        // The same arrivals added a batch at a time, as a round worker that fell behind a burst adds its queue:
        // whole rounds of batches, warmed up and repeated like the other measurements.
        RoundBuffer[] batchedRound = new RoundBuffer[1];
        Timing batchedT = Timing.measure(warmup, reps, () -> {
            RoundBuffer b = new RoundBuffer(dim, n, par);
            List<Bfp16Block> queue = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                queue.add(blocks[arrival[i]]);
                if (queue.size() == RoundBuffer.BATCH || i == n - 1) {
                    b.addAll(queue);
                    queue.clear();
                }
            }
            batchedRound[0] = b;
        });
        RoundBuffer batched = batchedRound[0];
        out.printf(Locale.ROOT, "incremental adds, %d at a time: %.1f ms median for a round of %d blocks (%.2fx faster than one at a"
                + " time)%n", RoundBuffer.BATCH, batchedT.medianNanos() / 1e6, n, total / batchedT.medianNanos());
        row(out, "incremental close, Multi-Krum", closeMultiT, closeMultiAlloc);
        row(out, "incremental close, Krum", closeKrumT, -1);
        boolean same = same(closeMulti[0], FastKrum.multiKrum(blocks, fv, mv, metric, par))
                && same(closeKrum[0], FastKrum.krum(blocks, fv, metric, par))
                && same(batched.multiKrum(order, fv, mv, metric), closeMulti[0]);
        out.println("incremental results identical to the whole-round fast path: " + yes(same));
        checks.addProperty("incrementalIdenticalToWholeRound", same);
        JsonObject inc = new JsonObject();
        inc.add("add", adds.toJson(addAlloc / n));
        inc.addProperty("addTotalMs", total / 1e6);
        inc.addProperty("lastAddMs", addNanos[n - 1] / 1e6);
        inc.addProperty("addRoundInBatchesMs", batchedT.medianNanos() / 1e6);
        inc.addProperty("batch", RoundBuffer.BATCH);
        inc.add("closeMultiKrum", closeMultiT.toJson(closeMultiAlloc));
        inc.add("closeKrum", closeKrumT.toJson(-1));
        inc.addProperty("identicalToWholeRound", same);
        return inc;
    }

    private static void row(PrintWriter out, String what, Timing t, long heapBytes) {
        out.printf(Locale.ROOT, "%-38s %10.3f %10.3f %10.3f %14s%n", what, t.medianNanos() / 1e6, t.minNanos() / 1e6,
                t.maxNanos() / 1e6, heapBytes < 0 ? "-" : Long.toString(heapBytes));
        out.flush();
    }

    private static String yes(boolean b) {
        return b ? "yes" : "NO";
    }

    static boolean same(KrumResult a, KrumResult b) {
        return a.scoresDigest().equals(b.scoresDigest()) && a.rankingDigest().equals(b.rankingDigest())
                && a.selectedDigest().equals(b.selectedDigest()) && a.aggregateDigest().equals(b.aggregateDigest())
                && a.referenceExponent() == b.referenceExponent();
    }
}
