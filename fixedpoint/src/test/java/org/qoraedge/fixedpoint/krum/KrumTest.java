package org.qoraedge.fixedpoint.krum;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.RandomBlocks;
import org.qoraedge.fixedpoint.random.Permutations;

class KrumTest {
    static LongStream seeds() {
        return LongStream.range(1, 101);
    }

    /**
     * A round's updates arrive in any order; after canonical ordering by node id, every result
     * (scores, ranking, selection, aggregate) attached to ids is the same.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void rankingIsInvariantUnderAnyArrivalOrderOnceCanonicallyOrdered(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int f = r.nextInt(4);
        int n = 2 * f + 3 + r.nextInt(6);
        int d = 1 + r.nextInt(40);
        Bfp16Block[] blocks = RandomBlocks.round(r, n, d);
        if (r.nextBoolean()) {
            blocks[r.nextInt(n)] = blocks[r.nextInt(n)]; // a tie
        }
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = switch (r.nextInt(3)) {
                case 0 -> "node-" + r.nextInt(1000) + "-" + i;
                case 1 -> "\u00e9" + i + "\ud83d\ude00";
                default -> "\uff21" + (char) ('a' + r.nextInt(26)) + i;
            };
        }
        Metric metric = r.nextBoolean() ? Metric.COMMON : Metric.PAIRWISE;
        int m = 1 + r.nextInt(n - 2 * f - 2);
        KrumResult first = null;
        String[] firstIds = null;
        for (int trial = 0; trial < 4; trial++) {
            int[] arrival = Permutations.of(n, r::nextInt);
            String[] arrivedIds = new String[n];
            Bfp16Block[] arrived = new Bfp16Block[n];
            for (int i = 0; i < n; i++) {
                arrivedIds[i] = ids[arrival[i]];
                arrived[i] = blocks[arrival[i]];
            }
            int[] order = NodeIds.canonicalOrder(arrivedIds);
            String[] canonIds = new String[n];
            Bfp16Block[] canon = new Bfp16Block[n];
            for (int k = 0; k < n; k++) {
                canonIds[k] = arrivedIds[order[k]];
                canon[k] = arrived[order[k]];
            }
            KrumResult res = Krum.multiKrum(canon, f, m, metric);
            if (first == null) {
                first = res;
                firstIds = canonIds;
            } else {
                assertArrayEquals(firstIds, canonIds);
                assertArrayEquals(first.scores(), res.scores());
                assertArrayEquals(first.ranking(), res.ranking());
                assertArrayEquals(first.selected(), res.selected());
                assertEquals(first.aggregate(), res.aggregate());
            }
        }
    }

    @Test
    void scoreIsTheSumOfTheKNearestAndTiesBreakByIndex() {
        // 1-D points 0, 1, 2, 10, 11 (e = 0): n = 5, f = 1, k = 2
        Bfp16Block[] b = new Bfp16Block[5];
        int[] x = {0, 1, 2, 10, 11};
        for (int i = 0; i < 5; i++) {
            b[i] = Bfp16Block.of(0, new short[] {(short) x[i]});
        }
        KrumResult res = Krum.krum(b, 1, Metric.PAIRWISE);
        assertArrayEquals(new long[] {1 + 4, 1 + 1, 1 + 4, 1 + 64, 1 + 81}, res.scores());
        assertArrayEquals(new int[] {1, 0, 2, 3, 4}, res.ranking()); // 0 and 2 tie at 5: index breaks it
        assertArrayEquals(new int[] {1}, res.selected());
        assertEquals(b[1], res.aggregate());
    }

    @Test
    void scoreSaturatesWhenTheSumPassesMaxWhileEveryDistanceIsBelowIt() {
        // PAIRWISE, gap 15: D = 4 * (32767 * 2^15 + 32767)^2 ~ 0.5 * MAX; k = 3 of them pass MAX
        short[] hi = {32767, 32767, 32767, 32767};
        short[] lo = {-32767, -32767, -32767, -32767};
        Bfp16Block a = Bfp16Block.of(15, hi);
        Bfp16Block b = Bfp16Block.of(0, lo);
        Bfp16Block[] blocks = {a, b, b, b, b};
        KrumResult res = Krum.krum(blocks, 0, Metric.PAIRWISE);
        long single = Distances.pairwise(a, b);
        assertEquals(4L * (32767L * 32769L) * (32767L * 32769L), single, "one distance, exact and below MAX");
        assertEquals(Long.MAX_VALUE, res.score(0), "the sum of three saturates");
        assertEquals(0, res.score(1), "a b-block's k = 3 nearest are the other b-blocks");
        assertEquals(0, res.ranking()[4], "the saturated block is ranked last");
    }

    @Test
    void refusesTooFewBlocksWithTheNumbers() {
        Bfp16Block[] b = new Bfp16Block[4];
        Arrays.fill(b, Bfp16Block.of(0, new short[] {1}));
        QuorumException e = assertThrows(QuorumException.class, () -> Krum.krum(b, 1, Metric.COMMON));
        assertEquals(4, e.n());
        assertEquals(1, e.f());
        assertEquals(5, e.required());
        assertThrows(QuorumException.class, () -> Krum.krum(b, -1, Metric.COMMON));
    }

    @Test
    void refusesMultiKrumSelectionOutsideItsRange() {
        Bfp16Block[] b = new Bfp16Block[7];
        Arrays.fill(b, Bfp16Block.of(0, new short[] {1}));
        SelectionSizeException zero = assertThrows(SelectionSizeException.class, () -> Krum.multiKrum(b, 1, 0, Metric.COMMON));
        assertEquals(3, zero.max());
        SelectionSizeException over = assertThrows(SelectionSizeException.class, () -> Krum.multiKrum(b, 1, 4, Metric.COMMON));
        assertEquals(4, over.m());
        assertEquals(3, Krum.multiKrum(b, 1, 3, Metric.COMMON).selected().length);
    }
}
