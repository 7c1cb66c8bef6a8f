package org.qoraedge.fixedpoint.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.EmptyInputException;
import org.qoraedge.fixedpoint.InvalidBlockException;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.krum.QuorumException;
import org.qoraedge.fixedpoint.krum.SelectionSizeException;

/** Hand cases of the pipeline API and its refusals; every expected value worked out by hand in the comments. */
class RobustRulesTest {
    private static Bfp16Block b(int e, int... m) {
        return Bfp16Block.of(e, m);
    }

    @Test
    void refusesAQuorumNamingTheRuleTheCountAndTheRequirement() {
        Bfp16Block[] three = {b(0, 1), b(0, 2), b(0, 3)};
        RuleQuorumException e = assertThrows(RuleQuorumException.class, () -> Pipeline.of(Median.of(2)).apply(three));
        assertEquals(3, e.n());
        assertEquals(5, e.required());
        assertEquals("median(f=2)", e.rule());
        assertEquals("median(f=2) needs n >= 2f + 1 = 5 blocks, got n = 3", e.getMessage());
        RuleQuorumException s = assertThrows(RuleQuorumException.class, () -> NormScreen.reference(three, 2, 1));
        assertEquals(4, s.required());
        assertEquals(5, assertThrows(RuleQuorumException.class, () -> TrimmedMean.reference(three, 2)).required());
        assertEquals(5, assertThrows(RuleQuorumException.class, () -> Nnm.reference(three, 2)).required());
        assertEquals(5, assertThrows(RuleQuorumException.class, () -> CenteredClip.reference(three, 2, 1, null)).required());
    }

    @Test
    void refusesNegativeParametersWhenTheRuleIsBuilt() {
        RuleParameterException e = assertThrows(RuleParameterException.class, () -> CenteredClip.of(1, 0));
        assertEquals("L", e.parameter());
        assertEquals(0, e.value());
        assertEquals(1, e.minimum());
        assertEquals("centered-clip needs L >= 1, got L = 0", e.getMessage());
        assertEquals("l", assertThrows(RuleParameterException.class, () -> NormScreen.of(-1, 1)).parameter());
        assertEquals("h", assertThrows(RuleParameterException.class, () -> NormScreen.of(1, -1)).parameter());
        assertEquals("b", assertThrows(RuleParameterException.class, () -> TrimmedMean.of(-1)).parameter());
        assertEquals("f", assertThrows(RuleParameterException.class, () -> Median.of(-1)).parameter());
        assertEquals("f", assertThrows(RuleParameterException.class, () -> Nnm.of(-1)).parameter());
        assertEquals("f", assertThrows(RuleParameterException.class, () -> Krum.of(-1, Metric.COMMON)).parameter());
        assertEquals("m", assertThrows(RuleParameterException.class, () -> MultiKrum.of(1, 0, Metric.COMMON)).parameter());
    }

    @Test
    void refusesAPipelineThatIsNotPreStepsThenOneAggregator() {
        assertEquals(-1, assertThrows(PipelineShapeException.class, () -> Pipeline.of()).position());
        assertEquals(0, assertThrows(PipelineShapeException.class, () -> Pipeline.of(Mean.of(), Nnm.of(0))).position());
        assertEquals(1, assertThrows(PipelineShapeException.class, () -> Pipeline.of(Nnm.of(0), Nnm.of(1))).position());
        PipelineShapeException twice = assertThrows(PipelineShapeException.class,
                () -> Pipeline.of(Median.of(0), Mean.of()));
        assertEquals(0, twice.position());
        assertEquals(2, twice.steps());
    }

    @Test
    void refusesNoBlocksUnequalLengthsAndAReferenceOfAnotherLength() {
        assertThrows(EmptyInputException.class, () -> Pipeline.of(Mean.of()).apply(new Bfp16Block[0]));
        assertThrows(InvalidBlockException.class, () -> Pipeline.of(Median.of(0)).apply(new Bfp16Block[] {b(0, 1), b(0, 1, 2)}));
        ReferenceLengthException e = assertThrows(ReferenceLengthException.class,
                () -> Pipeline.of(CenteredClip.of(0, 1)).apply(new Bfp16Block[] {b(0, 1, 2)}, b(0, 1, 2, 3)));
        assertEquals(3, e.referenceLength());
        assertEquals(2, e.dimension());
    }

    @Test
    void krumStepsRefuseWithTheExistingKrumRefusals() {
        Bfp16Block[] five = {b(0, 1), b(0, 2), b(0, 3), b(0, 4), b(0, 5)};
        QuorumException q = assertThrows(QuorumException.class, () -> Pipeline.of(Krum.of(2, Metric.COMMON)).apply(five));
        assertEquals(7, q.required());
        SelectionSizeException m = assertThrows(SelectionSizeException.class,
                () -> Pipeline.of(MultiKrum.of(1, 2, Metric.COMMON)).apply(five));
        assertEquals(1, m.max());
    }

    /**
     * Norms (one coordinate, e = 0): 5, 1, 4, 9, 2, 8, 3 at indices 0..6. norm-screen(1, 1) drops
     * index 1 (norm 1) and index 3 (norm 9), keeping 0, 2, 4, 5, 6. Renumbered 0..4 their norms are
     * 5, 4, 2, 8, 3; norm-screen(1, 2) drops renumbered 2 (norm 2) and 3, 0 (norms 8, 5), keeping
     * renumbered 1 and 4, input indices 2 and 6: values 4 and 3, mean 3.5 = 28672 * 2^-13.
     */
    @Test
    void reportsWhatEachNormScreenKeptInThePipelinesInputNumbering() {
        Bfp16Block[] blocks = {b(0, 5), b(0, 1), b(0, 4), b(0, 9), b(0, 2), b(0, 8), b(0, 3)};
        PipelineResult r = Pipeline.of(NormScreen.of(1, 1), Nnm.of(0), NormScreen.of(1, 2), Mean.of()).apply(blocks);
        assertEquals(2, r.screens());
        assertArrayEquals(new int[] {0, 2, 4, 5, 6}, r.kept(0));
        // nnm(0) replaces every block by the mean (26/5) and keeps the numbering: every norm ties,
        // so the second screen keeps renumbered 1 and 2 (ties by index): input indices 2 and 4
        assertArrayEquals(new int[] {2, 4}, r.kept(1));
        assertEquals(2, r.aggregatorInputSize());
        PipelineResult plain = Pipeline.of(NormScreen.of(1, 1), NormScreen.of(1, 2), Mean.of()).apply(blocks);
        assertArrayEquals(new int[] {2, 6}, plain.kept(1));
        assertEquals(b(-13, 28672), plain.aggregate());
        assertEquals("norm-screen(l=1, h=1) > norm-screen(l=1, h=2) > mean", plain.pipeline().toString());
    }

    /**
     * Blocks 0, 10, 11, 12, 100 (one coordinate): norm-screen(1, 0) drops the zero block, Krum(f=0)
     * on 10, 11, 12, 100 (k = 2) scores 1+4, 1+1, 1+4, 88^2+89^2: the ranking is 1, 0, 2, 3 in the
     * aggregator's numbering, and the selected block is 11.
     */
    @Test
    void krumRankingAndSelectionIndexTheAggregatorsInput() {
        Bfp16Block[] blocks = {b(0, 0), b(0, 10), b(0, 11), b(0, 12), b(0, 100)};
        PipelineResult r = Pipeline.of(NormScreen.of(1, 0), Krum.of(0, Metric.COMMON)).apply(blocks);
        assertArrayEquals(new int[] {1, 2, 3, 4}, r.kept(0));
        assertArrayEquals(new int[] {1, 0, 2, 3}, r.krum().orElseThrow().ranking());
        assertArrayEquals(new long[] {5, 2, 5, 88 * 88 + 89 * 89}, r.krum().orElseThrow().scores());
        assertEquals(b(0, 11), r.aggregate());
    }

    /**
     * Values -4, 1, 2, 3 around the zero reference, f = 1, L = 1: Q = 16, 1, 4, 9 sorted 1, 4, 9, 16,
     * T at position n - f - 1 = 2 is 9; only -4 is clipped, s = isqrt(floor(9 * 2^64 / 16)) / 2^32
     * = 3/4 exactly, so u_1 = (-3 + 1 + 2 + 3) / 4 = 3/4 = 24576 * 2^-15.
     */
    @Test
    void centeredClippingClipsTheLargestDifferenceExactly() {
        Bfp16Block[] blocks = {b(0, -4), b(0, 1), b(0, 2), b(0, 3)};
        CenteredClipResult cc = Pipeline.of(CenteredClip.of(1, 1)).apply(blocks).centeredClip().orElseThrow();
        assertEquals(List.of(Dyadic.of(BigInteger.valueOf(9), 0)), cc.thresholds());
        assertEquals("9/1", cc.thresholds().get(0).toFraction());
        assertArrayEquals(new int[] {0}, cc.clipped(1));
        assertEquals(b(-15, 24576), cc.aggregate());
        assertEquals(b(0, 0), cc.reference());
        assertEquals(BigInteger.valueOf(3L << 30), Clipping.factor(BigInteger.valueOf(16), BigInteger.valueOf(9)));
    }

    @Test
    void isqrtIsTheFloorOfTheSquareRoot() {
        assertEquals(BigInteger.ZERO, Clipping.isqrt(BigInteger.ZERO));
        assertEquals(BigInteger.valueOf(3), Clipping.isqrt(BigInteger.valueOf(15)));
        assertEquals(BigInteger.valueOf(4), Clipping.isqrt(BigInteger.valueOf(16)));
        BigInteger big = BigInteger.ONE.shiftLeft(200).subtract(BigInteger.ONE); // (2^100)^2 - 1
        assertEquals(BigInteger.ONE.shiftLeft(100).subtract(BigInteger.ONE), Clipping.isqrt(big));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Clipping.isqrt(BigInteger.valueOf(-1)))
                .getMessage().contains("-1"));
    }

    @Test
    void dyadicThresholdsAreWrittenInLowestTerms() {
        assertEquals("0/1", Dyadic.of(BigInteger.ZERO, -40).toFraction());
        assertEquals("3/8", Dyadic.of(BigInteger.valueOf(12), -5).toFraction());
        assertEquals("40/1", Dyadic.of(BigInteger.valueOf(5), 3).toFraction());
        assertTrue(Dyadic.of(BigInteger.ONE, -1).compareTo(Dyadic.of(BigInteger.valueOf(3), -2)) < 0);
    }
}
