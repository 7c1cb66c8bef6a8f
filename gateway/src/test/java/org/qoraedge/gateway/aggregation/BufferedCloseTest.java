package org.qoraedge.gateway.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.fixedpoint.robust.PipelineSpec;

class BufferedCloseTest {
    private static final int D = 8;

    @Test
    void aVersionAfterTheCurrentOneIsFutureAndOneMoreThanMaxStalenessBehindIsStale() {
        BufferedSettings b = new BufferedSettings(4, 3);
        assertEquals(BufferedSettings.Verdict.FUTURE, b.check(10, 11));
        assertEquals(BufferedSettings.Verdict.ACCEPTED, b.check(10, 10));
        assertEquals(BufferedSettings.Verdict.ACCEPTED, b.check(10, 7));
        assertEquals(BufferedSettings.Verdict.STALE, b.check(10, 6));
        assertEquals(BufferedSettings.Verdict.STALE, b.check(Long.MAX_VALUE, 1));
        assertEquals(BufferedSettings.Verdict.ACCEPTED, new BufferedSettings(1, 0).check(5, 5));
        assertEquals(BufferedSettings.Verdict.STALE, new BufferedSettings(1, 0).check(5, 4));
    }

    @Test
    void eachVersionOfStalenessHalvesTheWeightFromTwoToTheMaxStaleness() {
        BufferedSettings b = new BufferedSettings(4, 3);
        assertEquals(8, b.weight(0));
        assertEquals(4, b.weight(1));
        assertEquals(2, b.weight(2));
        assertEquals(1, b.weight(3));
        assertThrows(IllegalArgumentException.class, () -> b.weight(4));
        assertThrows(IllegalArgumentException.class, () -> b.weight(-1));
        assertEquals(65_536, new BufferedSettings(1, 16).weight(0));
    }

    @Test
    void settingsOutOfRangeAreRefusedNamingTheKey() {
        AggregationSettingsException size = assertThrows(AggregationSettingsException.class, () -> new BufferedSettings(0, 2));
        assertTrue(size.getMessage().contains("round.bufferSize"), size.getMessage());
        AggregationSettingsException stale = assertThrows(AggregationSettingsException.class, () -> new BufferedSettings(3, 17));
        assertTrue(stale.getMessage().contains("round.maxStaleness"), stale.getMessage());
        assertThrows(AggregationSettingsException.class, () -> new BufferedSettings(3, -1));
    }

    @Test
    void aServerStepHalvesWhatTheBufferAddsToTheModelExactlyAndKeepsTheAggregate() {
        // Hand-computed: the mean of the example below is 10000; the model before is 3000 at
        // exponent 0; with round.serverStepShift = 1 the model after is 3000 + 10000 / 2 = 8000,
        // with 2 it is 3000 + 2500 = 5500, with 0 it is 13000. The aggregate stays 10000.
        List<BufferedClose.Update> u = List.of(
                new BufferedClose.Update("node-b", 7, Bfp16Block.of(0, new int[] {2000})),
                new BufferedClose.Update("node-a", 9, Bfp16Block.of(0, new int[] {12000})));
        Bfp16Block before = Bfp16Block.of(0, new int[] {3000});
        long[] expected = {13000, 8000, 5500};
        for (int shift = 0; shift <= 2; shift++) {
            BufferedClose.Outcome o = BufferedClose.close(mean(2), new BufferedSettings(2, 2, shift), RoundBufferFactory.reference(),
                    9, 1, u, before, null, null);
            assertTrue(o.outcome().aggregated(), o.outcome().failure());
            Bfp16Block agg = o.outcome().result().aggregate();
            assertEquals(10000L, value(agg), "the aggregate is the rule's, whatever the step");
            assertEquals(expected[shift], value(o.outcome().modelAfter()), "model after with shift " + shift);
        }
        AggregationSettingsException bad = assertThrows(AggregationSettingsException.class, () -> new BufferedSettings(2, 2, 17));
        assertTrue(bad.getMessage().contains("round.serverStepShift"), bad.getMessage());
        assertThrows(AggregationSettingsException.class, () -> new BufferedSettings(2, 2, -1));
    }

    @Test
    void aServerStepBelowTheSmallestExponentFailsTheBufferClosedWithTheModelUnchanged() {
        List<BufferedClose.Update> u = List.of(new BufferedClose.Update("node-a", 9, Bfp16Block.of(-120, new int[] {16384})));
        Bfp16Block before = Bfp16Block.of(0, new int[] {3000});
        BufferedClose.Outcome o = BufferedClose.close(mean(1), new BufferedSettings(1, 2, 8), RoundBufferFactory.reference(), 9, 1,
                u, before, null, null);
        assertTrue(!o.outcome().aggregated() && o.outcome().failure().contains("server step 2^-8"), o.outcome().failure());
        assertEquals(before, o.outcome().modelAfter());
    }

    /** The exact value of a one-coordinate block; fails unless it is an integer. */
    private static long value(Bfp16Block b) {
        long m = b.mantissa(0);
        int e = b.exponent();
        assertEquals(0, e >= 0 ? 0 : m & ((1L << -e) - 1), "exact");
        return e >= 0 ? m << e : m >> -e;
    }

    @Test
    void aFreshUpdateOutweighsAStaleOneInTheMean() {
        // Hand-computed: maxStaleness 2, version 9. node-a fresh (weight 4) at 12000, node-b two
        // versions behind (weight 1) at 2000: (4 * 12000 + 1 * 2000) / 5 = 10000 (unweighted: 7000).
        BufferedSettings b = new BufferedSettings(2, 2);
        List<BufferedClose.Update> u = List.of(
                new BufferedClose.Update("node-b", 7, Bfp16Block.of(0, new int[] {2000})),
                new BufferedClose.Update("node-a", 9, Bfp16Block.of(0, new int[] {12000})));
        BufferedClose.Outcome o = BufferedClose.close(mean(2), b, RoundBufferFactory.reference(), 9, 1, u, null, null, null);
        assertTrue(o.outcome().aggregated(), o.outcome().failure());
        Bfp16Block agg = o.outcome().result().aggregate();
        long m = agg.mantissa(0);
        int e = agg.exponent();
        assertEquals(10000L, e >= 0 ? m << e : m >> -e, "value " + m + " * 2^" + e);
        assertEquals(0, e >= 0 ? 0 : m & ((1L << -e) - 1), "exact");
        assertEquals(List.of(new BufferedClose.Entry("node-a", 9, 0, 4), new BufferedClose.Entry("node-b", 7, 2, 1)), o.entries());
    }

    @Test
    void theBufferAggregatesAsTheRobustRuleWithStalenessWeightsInCanonicalOrder() {
        PipelineSpec spec = PipelineSpec.parse("multi-krum(1)");
        AggregationSettings a = AggregationSettings.pipeline(spec, 5);
        BufferedSettings b = new BufferedSettings(5, 3);
        List<BufferedClose.Update> u = updates(new Random(7), 20, new long[] {20, 18, 17, 20, 19});
        Bfp16Block model = block(new Random(8));
        BufferedClose.Outcome o = BufferedClose.close(a, b, RoundBufferFactory.reference(), 20, D, u, model, null, null);
        assertTrue(o.outcome().aggregated(), o.outcome().failure());
        // The oracle: fixedpoint's pipeline on the blocks sorted by node id with weights written out by hand.
        List<BufferedClose.Update> sorted = new ArrayList<>(u);
        sorted.sort((x, y) -> x.nodeId().compareTo(y.nodeId()));
        Bfp16Block[] blocks = sorted.stream().map(BufferedClose.Update::block).toArray(Bfp16Block[]::new);
        // node-00 .. node-04 trained from 20, 18, 17, 20, 19: staleness 0, 2, 3, 0, 1 of maxStaleness 3.
        long[] w = {8, 2, 1, 8, 4};
        Bfp16Block expected = spec.build(5).apply(blocks, null, w).aggregate();
        assertEquals(Digests.block(expected), Digests.block(o.outcome().result().aggregate()));
        assertEquals(Digests.block(ModelUpdate.add(model, expected)), Digests.block(o.outcome().modelAfter()));
        assertArrayEquals(w, o.entries().stream().mapToLong(BufferedClose.Entry::weight).toArray());
        assertEquals(List.of("node-00", "node-01", "node-02", "node-03", "node-04"), o.outcome().acceptedIds());
    }

    @Test
    void theSameUpdatesInAnotherArrivalOrderGiveTheSameBits() {
        AggregationSettings a = AggregationSettings.pipeline(PipelineSpec.parse("nnm(1) > centered-clip(1, 3)"), 5);
        BufferedSettings b = new BufferedSettings(6, 4);
        List<BufferedClose.Update> u = updates(new Random(11), 40, new long[] {40, 36, 39, 37, 40, 38});
        Bfp16Block model = block(new Random(12));
        Bfp16Block reference = block(new Random(13));
        String first = null;
        Random shuffle = new Random(14);
        for (RoundBufferFactory f : List.of(RoundBufferFactory.reference(), RoundBufferFactory.incremental(6))) {
            for (int k = 0; k < 5; k++) {
                List<BufferedClose.Update> arrival = new ArrayList<>(u);
                Collections.shuffle(arrival, shuffle);
                BufferedClose.Outcome o = BufferedClose.close(a, b, f, 40, D, arrival, model, reference, null);
                assertTrue(o.outcome().aggregated(), o.outcome().failure());
                String digest = Digests.block(o.outcome().modelAfter());
                if (first == null) {
                    first = digest;
                }
                assertEquals(first, digest, "arrival order " + arrival.stream().map(BufferedClose.Update::nodeId).toList());
            }
        }
    }

    @Test
    void reputationWeightsMultiplyTheStalenessWeights() {
        BufferedSettings b = new BufferedSettings(3, 2);
        List<BufferedClose.Update> u = updates(new Random(3), 5, new long[] {5, 4, 3});
        BufferedClose.Outcome o = BufferedClose.close(mean(3), b, RoundBufferFactory.reference(), 5, D, u, null, null,
                id -> id.equals("node-01") ? 125_000 : 7);
        assertArrayEquals(new long[] {4 * 7, 2 * 125_000, 1 * 7}, o.entries().stream().mapToLong(BufferedClose.Entry::weight).toArray());
        Bfp16Block[] blocks = {u.get(2).block(), u.get(1).block(), u.get(0).block()}; // node-00, node-01, node-02
        Bfp16Block expected = PipelineSpec.parse("mean").build(3).apply(blocks, null, new long[] {28, 250_000, 7}).aggregate();
        assertEquals(Digests.block(expected), Digests.block(o.outcome().result().aggregate()));
    }

    @Test
    void aBufferItCannotTakeIsRefusedAsTheCallersBug() {
        BufferedSettings b = new BufferedSettings(2, 1);
        Bfp16Block x = block(new Random(1));
        assertThrows(IllegalArgumentException.class, () -> BufferedClose.close(mean(2), b, RoundBufferFactory.reference(), 5, D,
                List.of(new BufferedClose.Update("node-a", 5, x), new BufferedClose.Update("node-a", 4, x)), null, null, null));
        assertThrows(IllegalArgumentException.class, () -> BufferedClose.close(mean(1), b, RoundBufferFactory.reference(), 5, D,
                List.of(new BufferedClose.Update("node-a", 3, x)), null, null, null));
        assertThrows(IllegalArgumentException.class, () -> BufferedClose.close(mean(1), b, RoundBufferFactory.reference(), 5, D,
                List.of(new BufferedClose.Update("node-a", 6, x)), null, null, null));
        assertThrows(IllegalArgumentException.class, () -> BufferedClose.close(AggregationSettings.krum(0), b,
                RoundBufferFactory.reference(), 5, D, List.of(new BufferedClose.Update("node-a", 5, x)), null, null, null));
    }

    @Test
    void belowTheRulesQuorumTheBufferFailsClosed() {
        BufferedSettings b = new BufferedSettings(3, 1);
        BufferedClose.Outcome o = BufferedClose.close(mean(3), b, RoundBufferFactory.reference(), 5, D,
                updates(new Random(2), 5, new long[] {5, 4}), block(new Random(5)), null, null);
        assertTrue(!o.outcome().aggregated() && o.outcome().failure().startsWith("below quorum"), o.outcome().failure());
    }

    private static AggregationSettings mean(int minUpdates) {
        return AggregationSettings.pipeline(PipelineSpec.parse("mean"), minUpdates);
    }

    /** Updates of node-00, node-01, ... trained from {@code from[k]}, listed last node id first, not in canonical order. */
    private static List<BufferedClose.Update> updates(Random r, long version, long[] from) {
        List<BufferedClose.Update> u = new ArrayList<>();
        for (int k = from.length - 1; k >= 0; k--) {
            u.add(new BufferedClose.Update(String.format("node-%02d", k), from[k], block(r)));
        }
        return u;
    }

    private static Bfp16Block block(Random r) {
        int[] m = new int[D];
        for (int i = 0; i < D; i++) {
            m[i] = r.nextInt(20001) - 10000;
        }
        return Bfp16Block.of(-12, m);
    }
}
