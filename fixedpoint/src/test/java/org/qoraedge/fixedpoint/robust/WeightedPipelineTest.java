package org.qoraedge.fixedpoint.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.InvalidWeightException;
import org.qoraedge.fixedpoint.fast.FastPipeline;
import org.qoraedge.fixedpoint.fast.Parallelism;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * Weighted pipelines: hand-computed small cases (expected values worked out in the comments), every
 * weight 1 against the unweighted run, the fast path against the reference, and the refusals.
 */
class WeightedPipelineTest {
    private static Bfp16Block b(int e, int... m) {
        return Bfp16Block.of(e, m);
    }

    /** The exact value of coordinate i: mantissa * 2^e (exact in a double for these small cases). */
    private static double value(Bfp16Block x, int i) {
        return x.mantissa(i) * Math.scalb(1.0, x.exponent());
    }

    private static Bfp16Block both(Pipeline p, Bfp16Block[] blocks, Bfp16Block reference, long[] w) {
        Bfp16Block want = p.apply(blocks, reference, w).aggregate();
        for (Parallelism par : List.of(Parallelism.serial(), Parallelism.threads(2))) {
            assertEquals(Digests.block(want), Digests.block(FastPipeline.apply(p, blocks, reference, w, par).aggregate()), p.toString());
        }
        return want;
    }

    @Test
    void aWeightedMeanByHand() {
        // (2, 0) with weight 3 and (0, 4) with weight 1: (6/4, 4/4) = (1.5, 1)
        Bfp16Block m = both(Pipeline.of(Mean.of()), new Bfp16Block[] {b(0, 2, 0), b(0, 0, 4)}, null, new long[] {3, 1});
        assertEquals(1.5, value(m, 0));
        assertEquals(1.0, value(m, 1));
    }

    @Test
    void weightedCenteredClippingByHand() {
        // v = 4, 2, 0 (d = 1), reference 0, f = 1, L = 1: Q = 16, 4, 0; sorted 0, 4, 16; T = element n - f - 1 = 1: 4.
        // 4 is clipped: s = isqrt(floor(4 * 2^64 / 16)) / 2^32 = 2^31 / 2^32 = 1/2, so it counts as 2.
        // weights 1, 2, 1 (W = 4): u = (1 * 2 + 2 * 2 + 1 * 0) / 4 = 1.5; unweighted (2 + 2 + 0) / 3 = 4/3.
        Pipeline p = Pipeline.of(CenteredClip.of(1, 1));
        Bfp16Block[] v = {b(0, 4), b(0, 2), b(0, 0)};
        assertEquals(1.5, value(both(p, v, null, new long[] {1, 2, 1}), 0));
        Bfp16Block plain = p.apply(v, null).aggregate();
        assertEquals(4.0 / 3.0, value(plain, 0), 1e-4);
    }

    @Test
    void weightedMultiKrumSelectsAsUnweightedAndAveragesItsSelectionByWeight() {
        // 0, 1, 2, 3, 100, 200; f = 1, m = 2; each score sums the squared distances to the n - f - 2 = 3 nearest:
        // 0: 1 + 4 + 9 = 14; 1: 1 + 1 + 4 = 6; 2: 1 + 1 + 4 = 6; 3: 1 + 4 + 9 = 14; the outliers far more.
        // Selected: 1 and 2 (equal scores, by index). Weighted 1 (w = 1) and 2 (w = 3): 7/4 = 1.75; unweighted 1.5.
        Bfp16Block[] v = {b(0, 0), b(0, 1), b(0, 2), b(0, 3), b(0, 100), b(0, 200)};
        Pipeline p = Pipeline.of(MultiKrum.of(1, 2, Metric.COMMON));
        long[] w = {5, 1, 3, 13, 17, 19};
        PipelineResult plain = p.apply(v, null);
        PipelineResult weighted = p.apply(v, null, w);
        assertArrayEquals(new int[] {1, 2}, plain.krum().orElseThrow().selected());
        assertArrayEquals(new int[] {1, 2}, weighted.krum().orElseThrow().selected());
        assertEquals(1.5, value(plain.aggregate(), 0));
        assertEquals(1.75, value(both(p, v, null, w), 0));
    }

    @Test
    void weightsFollowTheirBlocksThroughANormScreen() {
        // norm-screen(0, 1) drops the largest norm (block 1, value 8); the mean of 2 (weight 1) and 4 (weight 3) is 14/4 = 3.5
        Pipeline p = Pipeline.of(NormScreen.of(0, 1), Mean.of());
        assertEquals(3.5, value(both(p, new Bfp16Block[] {b(0, 2), b(0, 8), b(0, 4)}, null, new long[] {1, 100, 3}), 0));
    }

    @Test
    void everyWeightOneIsTheUnweightedRunAndTheFastPathIsTheReference() {
        int compared = 0;
        for (long seed = 0; seed < 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(12);
            int d = 1 + r.nextInt(40);
            int centre = r.nextInt(-30, 10);
            Bfp16Block[] blocks = new Bfp16Block[n];
            for (int j = 0; j < n; j++) {
                blocks[j] = RandomPipelines.block(r, d, centre);
            }
            Bfp16Block reference = r.nextBoolean() ? null : blocks[r.nextInt(n)];
            Pipeline p = RandomPipelines.pipeline(r, n);
            if (!Weights.averages(p.aggregator())) {
                continue;
            }
            long[] ones = new long[n];
            long[] w = new long[n];
            for (int j = 0; j < n; j++) {
                ones[j] = 1;
                w[j] = r.nextInt(4) == 0 ? 1 + r.nextLong(1L << 40) : 1 + r.nextLong(1L << 20);
            }
            PipelineResult plain;
            try {
                plain = p.apply(blocks, reference);
            } catch (RuntimeException refused) {
                RuntimeException weighted = assertThrows(RuntimeException.class, () -> p.apply(blocks, reference, w));
                assertEquals(refused.getClass(), weighted.getClass());
                RuntimeException fast = assertThrows(RuntimeException.class,
                        () -> FastPipeline.apply(p, blocks, reference, w, Parallelism.serial()));
                assertEquals(refused.getMessage(), fast.getMessage());
                continue;
            }
            String what = "seed " + seed + " " + p;
            assertEquals(plain.digest(), p.apply(blocks, reference, ones).digest(), what);
            assertEquals(plain.digest(), Digests.block(FastPipeline.apply(p, blocks, reference, ones, Parallelism.serial())
                    .aggregate()), what);
            both(p, blocks, reference, w);
            compared++;
        }
        assertTrue(compared > 100, "most averaging pipelines run: " + compared);
    }

    @Test
    void refusalsAreTheSameOnBothPaths() {
        Bfp16Block[] v = {b(0, 1), b(0, 2), b(0, 3)};
        Object[][] cases = {
            {Pipeline.of(Median.of(1)), new long[] {1, 1, 1}, UnweightedAggregatorException.class, "not median"},
            {Pipeline.of(Mean.of()), new long[] {1, 0, 1}, InvalidWeightException.class, "weight 1 is 0"},
            {Pipeline.of(Mean.of()), new long[] {1, -5, 1}, InvalidWeightException.class, "weight 1 is -5"},
            {Pipeline.of(Mean.of()), new long[] {1, 1}, InvalidWeightException.class, "2 weights given for 3 blocks"},
        };
        for (Object[] c : cases) {
            Pipeline p = (Pipeline) c[0];
            long[] w = (long[]) c[1];
            @SuppressWarnings("unchecked")
            Class<? extends RuntimeException> type = (Class<? extends RuntimeException>) c[2];
            RuntimeException ref = assertThrows(type, () -> p.apply(v, null, w));
            RuntimeException fast = assertThrows(type, () -> FastPipeline.apply(p, v, null, w, Parallelism.serial()));
            assertTrue(ref.getMessage().contains((String) c[3]), ref.getMessage());
            assertEquals(ref.getMessage(), fast.getMessage());
        }
    }
}
