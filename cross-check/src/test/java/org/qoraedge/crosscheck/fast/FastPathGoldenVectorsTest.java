package org.qoraedge.crosscheck.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.crosscheck.conformance.CaseEvaluator;
import org.qoraedge.crosscheck.conformance.VectorCase;
import org.qoraedge.crosscheck.conformance.VectorFiles;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.fast.FastKrum;
import org.qoraedge.fixedpoint.fast.FastMeans;
import org.qoraedge.fixedpoint.fast.Parallelism;
import org.qoraedge.fixedpoint.fast.RoundBuffer;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.random.Permutations;

/**
 * The fast path against the golden vectors themselves (not against the reference): every distance,
 * Krum, Multi-Krum and mean case of the bundled set, through the whole-round entry points with 1 and
 * 3 threads and through the incremental round buffer (blocks added in a shuffled order), must give
 * the expected fields exactly, as {@link CaseEvaluator#mismatches} judges them.
 *
 * <p>This JVM runs whichever kernels {@link FastKrum#implementation()} reports (the scalar ones unless
 * cross-check's tests are started with {@code --add-modules jdk.incubator.vector}); fixedpoint's own
 * tests run the same vectors through the vector kernels.
 */
class FastPathGoldenVectorsTest {
    private static final Set<String> KINDS = Set.of("distance", "krum", "multikrum", "mean");

    enum Way {
        WHOLE_ROUND_1_THREAD, WHOLE_ROUND_3_THREADS, INCREMENTAL
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (VectorCase c : VectorFiles.loadBundled()) {
            if (KINDS.contains(c.kind())) {
                for (Way w : Way.values()) {
                    out.add(Arguments.of(c, w));
                }
            }
        }
        return out.stream();
    }

    @Test
    void coversEveryCaseOfTheFastPathsKinds() {
        long n = VectorFiles.loadBundled().stream().filter(c -> KINDS.contains(c.kind())).count();
        assertTrue(n >= 600, "only " + n + " distance/krum/multikrum/mean cases bundled");
        assertEquals(n * Way.values().length, cases().count());
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("cases")
    void fastPathGivesTheGoldenResult(VectorCase c, Way way) {
        JsonObject actual;
        try {
            actual = evaluate(c, way);
        } catch (FixedPointException e) {
            actual = new JsonObject();
            actual.addProperty("refuse", true);
        }
        List<String> problems = CaseEvaluator.mismatches(c, actual);
        assertTrue(problems.isEmpty(), c.id() + " (" + c.source() + ") via " + way + " with " + FastKrum.implementation()
                + ": " + problems);
    }

    private static JsonObject evaluate(VectorCase c, Way way) {
        JsonObject in = c.input();
        Bfp16Block[] blocks = CaseEvaluator.blocks(in.getAsJsonArray("blocks"));
        Parallelism par = way == Way.WHOLE_ROUND_3_THREADS ? Parallelism.threads(3) : Parallelism.serial();
        if (c.kind().equals("mean")) {
            long[] weights = CaseEvaluator.weights(in);
            return CaseEvaluator.meanJson(weights != null ? FastMeans.weightedMean(blocks, weights, par)
                    : FastMeans.mean(blocks, par));
        }
        Metric metric = Metric.valueOf(in.get("metric").getAsString());
        RoundBuffer buffer = null;
        int[] order = null;
        if (way == Way.INCREMENTAL) {
            buffer = new RoundBuffer(blocks[0].dimension(), blocks.length, Parallelism.serial());
            order = new int[blocks.length];
            int[] arrival = Permutations.of(blocks.length, new SplittableRandom(c.id().hashCode())::nextInt);
            for (int i : arrival) {
                order[i] = buffer.add(blocks[i]); // refuses unequal lengths, as the reference does
            }
        }
        if (c.kind().equals("distance")) {
            return CaseEvaluator.distanceJson(buffer != null ? buffer.distances(order, metric)
                    : FastKrum.distances(blocks, metric, par));
        }
        boolean multi = c.kind().equals("multikrum");
        int f = in.get("f").getAsInt();
        KrumResult k;
        if (multi) {
            int m = in.get("m").getAsInt();
            k = buffer != null ? buffer.multiKrum(order, f, m, metric) : FastKrum.multiKrum(blocks, f, m, metric, par);
        } else {
            k = buffer != null ? buffer.krum(order, f, metric) : FastKrum.krum(blocks, f, metric, par);
        }
        return CaseEvaluator.krumJson(k, multi);
    }
}
