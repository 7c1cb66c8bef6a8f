package org.qoraedge.fixedpoint.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.EmptyInputException;
import org.qoraedge.fixedpoint.InvalidWeightException;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * The reference weighted rules ({@link Pipeline}, "Weighted rounds") on hand cases, every expected
 * value worked out by hand in the comments; every weight 1 against the unweighted pipeline on seeded
 * random pipelines; and the refusals.
 */
class WeightedPipelineTest {
    private static Bfp16Block b(int e, int... m) {
        return Bfp16Block.of(e, m);
    }

    @Test
    void weightedMeanOfTwoBlocks() {
        // (3 * [2, 4] + 1 * [8, -4]) / 4 = [14/4, 8/4] = [3.5, 2]; M = 3.5, 2 < M <= 4 so c = 2,
        // e = 2 - 15 = -13, m = [3.5 * 2^13, 2 * 2^13] = [28672, 16384]. (Unweighted: [5, 0].)
        Bfp16Block[] blocks = {b(0, 2, 4), b(0, 8, -4)};
        long[] weights = {3, 1};
        Bfp16Block want = b(-13, 28672, 16384);
        assertEquals(want, Mean.reference(blocks, weights));
        assertEquals(want, Pipeline.of(Mean.of()).apply(blocks, null, weights).aggregate());
    }

    @Test
    void weightedMeanOfThreeBlocksWithDifferentExponents() {
        // values [2, 0, -2] (e = 1), [3, 1, 0], [0, 0, 5]; weights 1, 2, 5, W = 8:
        // [2 + 6 + 0, 0 + 2 + 0, -2 + 0 + 25] / 8 = [1, 0.25, 2.875]; M = 2.875 so c = 2, e = -13,
        // m = [8192, 2048, 23552].
        Bfp16Block[] blocks = {b(1, 1, 0, -1), b(0, 3, 1, 0), b(0, 0, 0, 5)};
        assertEquals(b(-13, 8192, 2048, 23552), Pipeline.of(Mean.of()).apply(blocks, null, new long[] {1, 2, 5}).aggregate());
    }

    @Test
    void weightedCenteredClippingWithOneClippedUpdateFromTheZeroReference() {
        // u_0 = 0, so x_j = v_j: Q = 9, 9, 144; f = 1: T = position n - f - 1 = 1 of [9, 9, 144] = 9.
        // Block 2 is clipped: s = isqrt(floor(9 * 2^64 / 144)) / 2^32 = isqrt(2^60) / 2^32 = 1/4,
        // s x_2 = [3, 0]. Weights 1, 2, 5, W = 8:
        // u_1 = (1 [3, 0] + 2 [0, 3] + 5 [3, 0]) / 8 = [18, 6] / 8 = [2.25, 0.75]; c = 2, e = -13,
        // m = [18432, 6144]. (Unweighted: ([3, 0] + [0, 3] + [3, 0]) / 3 = [2, 1].)
        Bfp16Block[] blocks = {b(0, 3, 0), b(0, 0, 3), b(0, 12, 0)};
        long[] weights = {1, 2, 5};
        CenteredClipResult r = CenteredClip.reference(blocks, 1, 1, null, weights);
        assertEquals(b(-13, 18432, 6144), r.aggregate());
        assertEquals(List.of(Dyadic.of(BigInteger.valueOf(9), 0)), r.thresholds());
        assertArrayEquals(new int[] {2}, r.clipped(1));
        PipelineResult p = Pipeline.of(CenteredClip.of(1, 1)).apply(blocks, null, weights);
        assertEquals(r.aggregate(), p.aggregate());
        // unweighted [2, 1]: M = 2, 1 < M <= 2 so c = 1, e = -14, m = [2^15 clamped to 32767, 16384]
        assertEquals(b(-14, 32767, 16384), Pipeline.of(CenteredClip.of(1, 1)).apply(blocks).aggregate());
    }

    @Test
    void weightedCenteredClippingAroundAReference() {
        // r = [1, 1]; blocks [3, 1], [1, 3], [9, 1], so x = [2, 0], [0, 2], [8, 0] and Q = 4, 4, 64;
        // f = 1: T = 4. Block 2 clipped: s = isqrt(floor(4 * 2^64 / 64)) / 2^32 = 1/4, s x_2 = [2, 0].
        // Weights 3, 1, 4, W = 8: u_1 = [1, 1] + (3 [2, 0] + 1 [0, 2] + 4 [2, 0]) / 8
        //   = [1, 1] + [14, 2] / 8 = [2.75, 1.25]; c = 2, e = -13, m = [22528, 10240].
        Bfp16Block[] blocks = {b(0, 3, 1), b(0, 1, 3), b(0, 9, 1)};
        Bfp16Block reference = b(0, 1, 1);
        long[] weights = {3, 1, 4};
        CenteredClipResult r = CenteredClip.reference(blocks, 1, 1, reference, weights);
        assertEquals(b(-13, 22528, 10240), r.aggregate());
        assertArrayEquals(new int[] {2}, r.clipped(1));
        assertEquals(r.aggregate(), Pipeline.of(CenteredClip.of(1, 1)).apply(blocks, reference, weights).aggregate());
    }

    @Test
    void weightedMultiKrumSelectsUnweightedThenAveragesTheSelectionWithItsWeights() {
        // d = 1, e = 0: [0], [3], [4], [100]; f = 0, k = n - f - 2 = 2, e_ref = 0 so D is the squared
        // distance: D01 = 9, D02 = 16, D12 = 1, D03 = 10000, D13 = 9409, D23 = 9216.
        // Scores: 9 + 16 = 25, 1 + 9 = 10, 1 + 16 = 17, 9216 + 9409 = 18625; ranking 1, 2, 0, 3.
        // m = 2 selects [1, 2]; weights 5, 1, 2, 9: (1 * 3 + 2 * 4) / 3 = 11/3; c = 2, e = -13,
        // m = rha(11/3 * 8192) = rha(30037.33) = 30037. (Unweighted: 3.5, m = 28672.)
        Bfp16Block[] blocks = {b(0, 0), b(0, 3), b(0, 4), b(0, 100)};
        long[] weights = {5, 1, 2, 9};
        KrumResult r = MultiKrum.reference(blocks, 0, 2, Metric.COMMON, weights);
        assertArrayEquals(new long[] {25, 10, 17, 18625}, r.scores());
        assertArrayEquals(new int[] {1, 2, 0, 3}, r.ranking());
        assertArrayEquals(new int[] {1, 2}, r.selected());
        assertEquals(b(-13, 30037), r.aggregate());
        PipelineResult p = Pipeline.of(MultiKrum.of(0, 2, Metric.COMMON)).apply(blocks, null, weights);
        assertEquals(b(-13, 30037), p.aggregate());
        assertArrayEquals(new int[] {1, 2}, p.krum().get().selected());
        assertEquals(b(-13, 28672), Pipeline.of(MultiKrum.of(0, 2, Metric.COMMON)).apply(blocks).aggregate());
    }

    @Test
    void normScreenKeepsTheWeightsOfTheBlocksItKeeps() {
        // [1], [100], [2], [3] with weights 1, 1000, 2, 5: norm-screen(0, 1) drops [100] and keeps 0, 2, 3
        // with weights 1, 2, 5: (1 + 4 + 15) / 8 = 2.5; c = 2, e = -13, m = 20480.
        Bfp16Block[] blocks = {b(0, 1), b(0, 100), b(0, 2), b(0, 3)};
        PipelineResult r = Pipeline.of(NormScreen.of(0, 1), Mean.of()).apply(blocks, null, new long[] {1, 1000, 2, 5});
        assertArrayEquals(new int[] {0, 2, 3}, r.kept(0));
        assertEquals(b(-13, 20480), r.aggregate());
    }

    @Test
    void nnmLeavesEachSlotsWeightAndMixesUnweighted() {
        // [0], [0], [30]; nnm(1) mixes each block with its n - f = 2 nearest (itself included, ties by
        // index): y_0 = y_1 = mean([0], [0]) = 0, y_2 = mean([30], [0]) = 15 (unweighted, whatever the
        // weights). Weights 1, 1, 2: (0 + 0 + 2 * 15) / 4 = 7.5; 4 < 7.5 <= 8 so c = 3, e = -12,
        // m = 7.5 * 4096 = 30720. (Unweighted: 15 / 3 = 5.)
        Bfp16Block[] blocks = {b(0, 0), b(0, 0), b(0, 30)};
        assertEquals(b(-12, 30720), Pipeline.of(Nnm.of(1), Mean.of()).apply(blocks, null, new long[] {1, 1, 2}).aggregate());
    }

    @Test
    void screenThenMixThenClipCarriesTheWeightsInTheInputNumbering() {
        // norm-screen(1, 0) drops the smallest norm, [0] at index 1; then the weights of 0, 2, 3 follow
        // their blocks: the same as the pipeline without the screen on those blocks and weights.
        Bfp16Block[] blocks = {b(0, 5, 1), b(0, 0, 0), b(0, 7, -2), b(0, -40, 9)};
        long[] weights = {3, 100, 1, 6};
        Pipeline screened = Pipeline.of(NormScreen.of(1, 0), Nnm.of(1), CenteredClip.of(1, 2));
        Bfp16Block[] kept = {blocks[0], blocks[2], blocks[3]};
        PipelineResult want = Pipeline.of(Nnm.of(1), CenteredClip.of(1, 2)).apply(kept, null, new long[] {3, 1, 6});
        PipelineResult got = screened.apply(blocks, null, weights);
        assertArrayEquals(new int[] {0, 2, 3}, got.kept(0));
        assertEquals(want.aggregate(), got.aggregate());
        assertArrayEquals(new int[] {0, 2, 3}, got.usedInputs());
    }

    @Test
    void everyWeightOneIsTheUnweightedPipelineOnRandomPipelines() {
        int compared = 0;
        for (long seed = 0; seed < 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(12);
            int d = 1 + r.nextInt(24);
            int centre = r.nextInt(-30, 10);
            Bfp16Block[] blocks = new Bfp16Block[n];
            for (int j = 0; j < n; j++) {
                blocks[j] = WeightedRounds.block(r, d, centre, r.nextInt(4) == 0 ? 40 : 8);
            }
            Bfp16Block reference = r.nextBoolean() ? null : WeightedRounds.block(r, d, centre, 8);
            Pipeline p = RandomPipelines.pipeline(r, n);
            if (!p.acceptsWeights()) {
                continue;
            }
            long[] ones = new long[n];
            Arrays.fill(ones, 1L);
            PipelineResult want;
            try {
                want = p.apply(blocks, reference);
            } catch (RuntimeException refused) {
                RuntimeException got = assertThrows(RuntimeException.class, () -> p.apply(blocks, reference, ones));
                assertEquals(refused.getClass(), got.getClass(), "seed " + seed + " " + p);
                assertEquals(refused.getMessage(), got.getMessage(), "seed " + seed + " " + p);
                continue;
            }
            PipelineResult got = p.apply(blocks, reference, ones);
            String what = "seed " + seed + " " + p;
            assertEquals(want.aggregate(), got.aggregate(), what);
            assertEquals(want.kept().size(), got.kept().size(), what);
            for (int s = 0; s < want.screens(); s++) {
                assertArrayEquals(want.kept(s), got.kept(s), what);
            }
            assertArrayEquals(want.usedInputs(), got.usedInputs(), what);
            if (want.centeredClip().isPresent()) {
                assertEquals(want.centeredClip().get().thresholds(), got.centeredClip().get().thresholds(), what);
                assertEquals(want.centeredClip().get().iterates(), got.centeredClip().get().iterates(), what);
            }
            compared++;
        }
        assertTrue(compared > 100, "random weighted pipelines compared: " + compared);
    }

    @Test
    void nullWeightsAreTheUnweightedPipeline() {
        Bfp16Block[] blocks = {b(0, 5, 1), b(2, 0, 3), b(-1, 7, -2)};
        Pipeline median = Pipeline.of(Median.of(1));
        assertEquals(median.apply(blocks).aggregate(), median.apply(blocks, null, null).aggregate());
    }

    @Test
    void refusesAWeightBelowOneNamingItsIndexInTheInputNumberingAndItsValue() {
        Bfp16Block[] blocks = {b(0, 1), b(0, 100), b(0, 2), b(0, 3)};
        Pipeline p = Pipeline.of(NormScreen.of(0, 1), Mean.of());
        InvalidWeightException zero = assertThrows(InvalidWeightException.class,
                () -> p.apply(blocks, null, new long[] {1, 1, 1, 0}));
        assertEquals("weight 3 is 0; weights must be >= 1", zero.getMessage());
        // checked before the screen runs: the weight of a block the screen would drop is refused too
        InvalidWeightException negative = assertThrows(InvalidWeightException.class,
                () -> p.apply(blocks, null, new long[] {1, -5, 1, 1}));
        assertEquals("weight 1 is -5; weights must be >= 1", negative.getMessage());
        InvalidWeightException min = assertThrows(InvalidWeightException.class,
                () -> p.apply(blocks, null, new long[] {Long.MIN_VALUE, 1, 1, 1}));
        assertEquals("weight 0 is " + Long.MIN_VALUE + "; weights must be >= 1", min.getMessage());
        InvalidWeightException count = assertThrows(InvalidWeightException.class, () -> p.apply(blocks, null, new long[] {1, 1, 1}));
        assertEquals("3 weights given for 4 blocks", count.getMessage());
        assertEquals("0 weights given for 4 blocks",
                assertThrows(InvalidWeightException.class, () -> p.apply(blocks, null, new long[0])).getMessage());
        // the weights are checked before the blocks
        assertThrows(EmptyInputException.class, () -> p.apply(new Bfp16Block[0], null, new long[0]));
        assertEquals("1 weights given for 0 blocks",
                assertThrows(InvalidWeightException.class, () -> p.apply(new Bfp16Block[0], null, new long[] {1})).getMessage());
    }

    @Test
    void refusesWeightsWithAnAggregatorThatDoesNotAverage() {
        Bfp16Block[] blocks = {b(0, 1), b(0, 2), b(0, 3), b(0, 4), b(0, 5)};
        long[] weights = {1, 2, 3, 4, 5};
        for (Aggregator a : List.of(Median.of(1), TrimmedMean.of(1), Krum.of(1, Metric.COMMON))) {
            Pipeline p = Pipeline.of(Nnm.of(0), a);
            assertFalse(p.acceptsWeights(), a.toString());
            RuleWeightsException e = assertThrows(RuleWeightsException.class, () -> p.apply(blocks, null, weights));
            assertEquals(a.toString(), e.rule());
            assertEquals("weights apply to averaging aggregators (mean, multi-krum, centered-clip), not " + a, e.getMessage());
            // the aggregator is refused first, whatever the weights
            assertThrows(RuleWeightsException.class, () -> p.apply(blocks, null, new long[] {0}));
            assertThrows(RuleWeightsException.class, p::checkAcceptsWeights);
            // unweighted, the same pipeline runs
            p.apply(blocks);
        }
        assertEquals("weights apply to averaging aggregators (mean, multi-krum, centered-clip), not median(f=6)",
                new RuleWeightsException(Median.of(6).toString()).getMessage());
        for (Aggregator a : List.of(Mean.of(), MultiKrum.of(1, 1, Metric.PAIRWISE), CenteredClip.of(1, 2))) {
            Pipeline p = Pipeline.of(NormScreen.of(0, 0), a);
            assertTrue(p.acceptsWeights(), a.toString());
            p.checkAcceptsWeights();
            p.checkWeights(weights, 5);
            p.apply(blocks, null, weights);
        }
    }

    @Test
    void aConfigurationLineTellsWhetherItTakesWeightsBeforeAnyRound() {
        for (String line : List.of("mean", "norm-screen(1, 1) > multi-krum(1)", "nnm(2) > centered-clip(2, 3)")) {
            PipelineSpec spec = PipelineSpec.parse(line);
            assertTrue(spec.acceptsWeights(), line);
            spec.checkAcceptsWeights();
            assertTrue(spec.build(spec.minimumUpdates()).acceptsWeights(), line);
        }
        for (String line : List.of("median(6)", "nnm(1) > krum(1, pairwise)", "norm-screen(0, 1) > trimmed-mean(2)")) {
            PipelineSpec spec = PipelineSpec.parse(line);
            assertFalse(spec.acceptsWeights(), line);
            assertFalse(spec.build(spec.minimumUpdates()).acceptsWeights(), line);
            RuleWeightsException e = assertThrows(RuleWeightsException.class, spec::checkAcceptsWeights);
            assertEquals(spec.aggregator().canonical(), e.rule(), line);
        }
        assertEquals("weights apply to averaging aggregators (mean, multi-krum, centered-clip), not median(6)",
                assertThrows(RuleWeightsException.class, () -> PipelineSpec.parse("median(6)").checkAcceptsWeights()).getMessage());
    }

    @Test
    void theWeightsGivenAreNotModified() {
        Bfp16Block[] blocks = {b(0, 1), b(0, 100), b(0, 2), b(0, 3)};
        long[] weights = {1, 1000, 2, 5};
        Pipeline.of(NormScreen.of(0, 1), Nnm.of(1), Mean.of()).apply(blocks, null, weights);
        assertArrayEquals(new long[] {1, 1000, 2, 5}, weights);
    }
}
