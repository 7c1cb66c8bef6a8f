package org.qoraedge.fixedpoint.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.InvalidWeightException;
import org.qoraedge.fixedpoint.fast.FastPipeline;
import org.qoraedge.fixedpoint.fast.Parallelism;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * Weighted {@link FastPipeline} against the weighted reference {@link Pipeline} on seeded random
 * pipelines (with {@code norm-screen} and {@code nnm} pre-steps), rounds (exponents near one another
 * and far apart, zero and full-scale blocks) and weights (up to 2^20, up to 2^40, sums beyond 2^63):
 * the same bytes, kept indices and selection, and the same refusals.
 */
class FastWeightedPipelineEquivalenceTest {

    @Test
    void everyRandomWeightedPipelineGivesTheReferencesResult() {
        int compared = 0;
        int[] byAggregator = new int[3];
        for (long seed = 0; seed < 400; seed++) {
            SplittableRandom r = new SplittableRandom(seed * 7919 + 11);
            int n = 1 + r.nextInt(14);
            int d = 1 + r.nextInt(40);
            int centre = r.nextInt(-40, 40);
            int spread = r.nextInt(5) == 0 ? 70 : r.nextInt(3) == 0 ? 0 : 8;
            Bfp16Block[] blocks = new Bfp16Block[n];
            for (int j = 0; j < n; j++) {
                blocks[j] = WeightedRounds.block(r, d, centre, spread);
            }
            Bfp16Block reference = r.nextBoolean() ? null : WeightedRounds.block(r, d, centre, spread);
            Pipeline p = RandomPipelines.pipeline(r, n);
            long[] weights = WeightedRounds.weights(r, n);
            String what = "seed " + seed + " " + p + " weights " + Arrays.toString(weights);
            PipelineResult want;
            try {
                want = p.apply(blocks, reference, weights);
            } catch (FixedPointException refused) {
                for (Parallelism par : List.of(Parallelism.serial(), Parallelism.threads(2))) {
                    FixedPointException got = assertThrows(FixedPointException.class,
                            () -> FastPipeline.apply(p, blocks, reference, weights, par), what);
                    assertEquals(refused.getClass(), got.getClass(), what);
                    assertEquals(refused.getMessage(), got.getMessage(), what);
                }
                if (!p.acceptsWeights()) {
                    assertEquals(RuleWeightsException.class, refused.getClass(), what);
                }
                continue;
            }
            assertTrue(p.acceptsWeights(), what);
            for (Parallelism par : List.of(Parallelism.serial(), Parallelism.threads(2))) {
                FastPipeline.Result got = FastPipeline.apply(p, blocks, reference, weights, par);
                assertEquals(want.aggregate(), got.aggregate(), what);
                assertEquals(want.kept().size(), got.kept().size(), what);
                for (int s = 0; s < want.screens(); s++) {
                    assertArrayEquals(want.kept(s), got.kept().get(s), what);
                }
                if (want.krum().isPresent()) {
                    assertArrayEquals(want.krum().get().selected(), got.selected(), what);
                } else {
                    assertEquals(null, got.selected(), what);
                }
            }
            Aggregator a = p.aggregator();
            byAggregator[a instanceof Mean ? 0 : a instanceof MultiKrum ? 1 : 2]++;
            compared++;
        }
        assertTrue(compared > 150, "weighted pipelines compared: " + compared);
        for (int count : byAggregator) {
            assertTrue(count > 30, "each weighted aggregator compared often: " + Arrays.toString(byAggregator));
        }
    }

    @Test
    void everyWeightOneGivesTheUnweightedFastResult() {
        for (long seed = 0; seed < 200; seed++) {
            SplittableRandom r = new SplittableRandom(seed * 31 + 5);
            int n = 1 + r.nextInt(12);
            int d = 1 + r.nextInt(30);
            Bfp16Block[] blocks = new Bfp16Block[n];
            for (int j = 0; j < n; j++) {
                blocks[j] = WeightedRounds.block(r, d, -10, 8);
            }
            Pipeline p = RandomPipelines.pipeline(r, n);
            if (!p.acceptsWeights()) {
                continue;
            }
            long[] ones = new long[n];
            Arrays.fill(ones, 1L);
            FastPipeline.Result want;
            try {
                want = FastPipeline.apply(p, blocks, null, Parallelism.serial());
            } catch (FixedPointException refused) {
                continue;
            }
            FastPipeline.Result got = FastPipeline.apply(p, blocks, null, ones, Parallelism.serial());
            assertEquals(want.aggregate(), got.aggregate(), "seed " + seed + " " + p);
            assertArrayEquals(want.selected(), got.selected(), "seed " + seed + " " + p);
        }
    }

    /** Both paths refuse the same inputs with the same exception type and message. */
    @Test
    void refusesAsTheReference() {
        Bfp16Block[] blocks = new Bfp16Block[7];
        SplittableRandom r = new SplittableRandom(3);
        for (int j = 0; j < blocks.length; j++) {
            blocks[j] = WeightedRounds.block(r, 5, 0, 4);
        }
        long[] good = {1, 2, 3, 4, 5, 6, 7};
        List<Pipeline> weighted = List.of(Pipeline.of(Mean.of()), Pipeline.of(NormScreen.of(1, 1), MultiKrum.of(1, 1, Metric.COMMON)),
                Pipeline.of(Nnm.of(2), CenteredClip.of(2, 2)));
        List<Pipeline> unweighted = List.of(Pipeline.of(Median.of(2)), Pipeline.of(Nnm.of(1), TrimmedMean.of(3)),
                Pipeline.of(NormScreen.of(1, 1), Krum.of(1, Metric.PAIRWISE)));
        List<long[]> bad = List.of(new long[] {1, 2, 3, 0, 5, 6, 7}, new long[] {1, 2, 3, 4, 5, 6, -1}, new long[] {1, 2},
                new long[8], new long[0], new long[] {Long.MIN_VALUE, 1, 1, 1, 1, 1, 1});
        for (Pipeline p : weighted) {
            for (long[] w : bad) {
                FixedPointException e = sameRefusal(() -> p.apply(blocks, null, w),
                        () -> FastPipeline.apply(p, blocks, null, w, Parallelism.threads(2)));
                assertEquals(InvalidWeightException.class, e.getClass());
            }
            sameRefusal(() -> p.apply(new Bfp16Block[0], null, new long[0]),
                    () -> FastPipeline.apply(p, new Bfp16Block[0], null, new long[0], Parallelism.serial()));
            Bfp16Block[] unequal = {blocks[0], Bfp16Block.of(0, new short[6]), blocks[2], blocks[3], blocks[4], blocks[5], blocks[6]};
            sameRefusal(() -> p.apply(unequal, null, good), () -> FastPipeline.apply(p, unequal, null, good, Parallelism.serial()));
            Bfp16Block[] few = Arrays.copyOf(blocks, 3); // below every quorum here but the mean's
            if (!(p.aggregator() instanceof Mean)) {
                sameRefusal(() -> p.apply(few, null, new long[] {1, 2, 3}),
                        () -> FastPipeline.apply(p, few, null, new long[] {1, 2, 3}, Parallelism.serial()));
            }
        }
        for (Pipeline p : unweighted) {
            for (long[] w : List.of(good, bad.get(0), bad.get(2))) {
                FixedPointException e = sameRefusal(() -> p.apply(blocks, null, w),
                        () -> FastPipeline.apply(p, blocks, null, w, Parallelism.serial()));
                assertEquals(RuleWeightsException.class, e.getClass());
            }
        }
        Bfp16Block shortReference = Bfp16Block.of(0, new short[4]);
        Pipeline clip = weighted.get(2);
        sameRefusal(() -> clip.apply(blocks, shortReference, good),
                () -> FastPipeline.apply(clip, blocks, shortReference, good, Parallelism.serial()));
    }

    private static FixedPointException sameRefusal(Supplier<?> reference, Supplier<?> fast) {
        FixedPointException want = assertThrows(FixedPointException.class, reference::get);
        FixedPointException got = assertThrows(FixedPointException.class, fast::get);
        assertEquals(want.getClass(), got.getClass());
        assertEquals(want.getMessage(), got.getMessage());
        return want;
    }
}
