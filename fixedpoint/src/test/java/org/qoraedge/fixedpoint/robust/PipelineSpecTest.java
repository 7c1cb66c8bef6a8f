package org.qoraedge.fixedpoint.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.krum.Metric;

/** The one-line pipeline syntax: what it reads, how it writes it back, and what it refuses. */
class PipelineSpecTest {

    @Test
    void everyRuleReadsAndWritesBackWithEveryArgumentSpelledOut() {
        String[][] cases = {
            {"mean", "mean"},
            {"krum(1)", "krum(1, common)"},
            {"krum(2,pairwise)", "krum(2, pairwise)"},
            {"multi-krum(2)", "multi-krum(2, auto, common)"},
            {"multi-krum(2, 3)", "multi-krum(2, 3, common)"},
            {"multi-krum(2, pairwise)", "multi-krum(2, auto, pairwise)"},
            {"multi-krum(1, auto, pairwise)", "multi-krum(1, auto, pairwise)"},
            {"median(3)", "median(3)"},
            {"trimmed-mean(2)", "trimmed-mean(2)"},
            {"centered-clip(2, 3)", "centered-clip(2, 3)"},
            {"  norm-screen( 2 ,2 )>nnm(2)  >  multi-krum(2)  ", "norm-screen(2, 2) > nnm(2) > multi-krum(2, auto, common)"},
        };
        for (String[] c : cases) {
            PipelineSpec p = PipelineSpec.parse(c[0]);
            assertEquals(c[1], p.canonical(), c[0]);
            assertEquals(p.canonical(), PipelineSpec.parse(p.canonical()).canonical(), "canonical form reads back: " + c[0]);
        }
    }

    @Test
    void theMinimumCountsEveryStepsOwnQuorum() {
        assertEquals(1, PipelineSpec.parse("mean").minimumUpdates());
        assertEquals(5, PipelineSpec.parse("krum(1)").minimumUpdates());
        assertEquals(7, PipelineSpec.parse("multi-krum(2)").minimumUpdates());
        assertEquals(9, PipelineSpec.parse("multi-krum(2, 3)").minimumUpdates());
        assertEquals(5, PipelineSpec.parse("median(2)").minimumUpdates());
        // norm-screen drops l + h before the aggregator's quorum; nnm only needs 2f + 1 of its own.
        assertEquals(11, PipelineSpec.parse("norm-screen(2, 2) > nnm(2) > multi-krum(2)").minimumUpdates());
        assertEquals(9, PipelineSpec.parse("nnm(4) > mean").minimumUpdates());
    }

    @Test
    void aBuiltPipelineIsTheRulesTheLineNamesWithAutoResolvedForTheRound() {
        PipelineSpec spec = PipelineSpec.parse("norm-screen(1, 1) > multi-krum(1)");
        Pipeline p = spec.build(10);
        assertEquals("norm-screen(l=1, h=1) > multi-krum(f=1, m=4, metric=COMMON)", p.toString(), "m = (10 - 2) - 2f - 2");
        Random r = new Random(7);
        Bfp16Block[] blocks = new Bfp16Block[10];
        for (int j = 0; j < blocks.length; j++) {
            short[] m = new short[6];
            for (int i = 0; i < m.length; i++) {
                m[i] = (short) (r.nextInt(2001) - 1000);
            }
            blocks[j] = Bfp16Block.of(-10, m);
        }
        PipelineResult res = p.apply(blocks);
        Pipeline byHand = Pipeline.of(NormScreen.of(1, 1), MultiKrum.of(1, 4, Metric.COMMON));
        assertEquals(byHand.apply(blocks).digest(), res.digest());
    }

    @Test
    void refusalsNameTheProblemAndWhereItIs() {
        String[][] bad = {
            {"", "expected a rule"},
            {"mena", "unknown rule 'mena'"},
            {"krum(1) > mean", "aggregator"},
            {"nnm(2)", "aggregator"},
            {"krum", "krum takes (f [, metric]), got 0 arguments"},
            {"krum(1, 2, 3)", "krum takes (f [, metric]), got 3 arguments"},
            {"krum(x)", "krum's f must be a whole number"},
            {"krum(1, euclid)", "metric is common or pairwise"},
            {"norm-screen(1) > mean", "norm-screen takes two numbers, got 1 argument"},
            {"median(1", "expected ')'"},
            {"mean mean", "expected '>' or the end of the line"},
            {"multi-krum(1, pairwise, 3)", "not in its place"},
            {"mean(1)", "mean takes no arguments"},
            {"median(99999999999)", "whole number below 10^9"},
        };
        for (String[] b : bad) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> PipelineSpec.parse(b[0]), b[0]);
            assertTrue(e instanceof PipelineSyntaxException || e instanceof PipelineShapeException, b[0] + ": " + e);
            assertTrue(e.getMessage().contains(b[1]), b[0] + ": " + e.getMessage());
        }
        PipelineSyntaxException where = assertThrows(PipelineSyntaxException.class, () -> PipelineSpec.parse("nnm(1) > foo"));
        assertEquals(9, where.position());
        RuleParameterException zero = assertThrows(RuleParameterException.class, () -> PipelineSpec.parse("multi-krum(1, 0)"));
        assertEquals("m", zero.parameter());
        assertThrows(RuleParameterException.class, () -> PipelineSpec.parse("centered-clip(1, 0)"));
    }
}
