package org.qoraedge.fixedpoint.krum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.InvalidBlockException;
import org.qoraedge.fixedpoint.Oracle;
import org.qoraedge.fixedpoint.RandomBlocks;

class DistancesTest {
    static LongStream seeds() {
        return LongStream.range(1, 121);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyDistanceMatchesTheExactOracle(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 2 + r.nextInt(6);
        int d = 1 + r.nextInt(r.nextBoolean() ? 4 : 64);
        Bfp16Block[] blocks = RandomBlocks.round(r, n, d);
        RoundDistances common = Distances.compute(blocks, Metric.COMMON);
        RoundDistances pairwise = Distances.compute(blocks, Metric.PAIRWISE);
        int eRef = common.referenceExponent();
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                assertEquals(Oracle.common(blocks[a], blocks[b], eRef), common.get(a, b), "COMMON (" + a + "," + b + ")");
                assertEquals(Oracle.pairwise(blocks[a], blocks[b]), pairwise.get(a, b), "PAIRWISE (" + a + "," + b + ")");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void distancesAreSymmetricAndZeroOnTheDiagonal(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Bfp16Block[] blocks = RandomBlocks.round(r, 2 + r.nextInt(8), 1 + r.nextInt(50));
        for (Metric metric : Metric.values()) {
            RoundDistances dist = Distances.compute(blocks, metric);
            int n = blocks.length;
            for (int a = 0; a < n; a++) {
                assertEquals(0, dist.get(a, a));
                // swapping the blocks' positions must not change their distance
                for (int b = 0; b < n; b++) {
                    Bfp16Block[] swapped = blocks.clone();
                    swapped[a] = blocks[b];
                    swapped[b] = blocks[a];
                    assertEquals(dist.get(a, b), Distances.compute(swapped, metric).get(b, a), metric + " (" + a + "," + b + ")");
                    assertEquals(dist.get(a, b), dist.get(b, a));
                }
                Bfp16Block[] self = {blocks[a], blocks[a]};
                assertEquals(0, Distances.compute(self, metric).get(0, 1), "D(a, a) in " + metric);
            }
        }
    }

    @Test
    void pairwiseSaturatesInsteadOfWrapping() {
        // delta = 15, every term (32767 * 2^15 + 32767)^2 ~ 2^60: sixteen of them pass 2^63
        short[] big = new short[16];
        short[] neg = new short[16];
        Arrays.fill(big, (short) 32767);
        Arrays.fill(neg, (short) -32767);
        long d = Distances.pairwise(Bfp16Block.of(15, big), Bfp16Block.of(0, neg));
        assertEquals(Long.MAX_VALUE, d);
        assertEquals(Long.MAX_VALUE, Distances.pairwise(Bfp16Block.of(16, new short[] {1}), Bfp16Block.of(0, new short[] {1})),
                "an exponent gap above 15 is MAX");
    }

    @Test
    void commonSaturatesAtTheExtremesAndKeepsTinyBlocksExact() {
        Bfp16Block top = Bfp16Block.of(113, new short[] {32767, -32767});
        Bfp16Block bottom = Bfp16Block.of(-126, new short[] {1, 0});
        Bfp16Block mid = Bfp16Block.of(-126, new short[] {3, 4});
        RoundDistances d = Distances.compute(new Bfp16Block[] {top, bottom, mid}, Metric.COMMON);
        assertEquals(-126, d.referenceExponent());
        assertEquals(Long.MAX_VALUE, d.get(0, 1));
        assertEquals(Long.MAX_VALUE, d.get(0, 2));
        assertEquals(4 + 16, d.get(1, 2)); // (3-1)^2 + 4^2
        for (long v : d.upperTriangle()) {
            assertTrue(v >= 0, "no distance is negative");
        }
    }

    @Test
    void referenceExponentIgnoresZeroBlocksAndTakesTheLowerMedian() {
        Bfp16Block z = Bfp16Block.of(113, new short[] {0});
        Bfp16Block[] blocks = {Bfp16Block.of(1, new short[] {1}), Bfp16Block.of(5, new short[] {1}), z, z, z,
            Bfp16Block.of(9, new short[] {1}), Bfp16Block.of(7, new short[] {1})};
        assertEquals(5, Distances.referenceExponent(blocks));
        assertEquals(0, Distances.referenceExponent(new Bfp16Block[] {z, z}));
    }

    @Test
    void refusesBlocksOfUnequalLength() {
        Bfp16Block[] blocks = {Bfp16Block.of(0, new short[] {1}), Bfp16Block.of(0, new short[] {1, 2})};
        assertThrows(InvalidBlockException.class, () -> Distances.compute(blocks, Metric.COMMON));
        assertThrows(InvalidBlockException.class, () -> Distances.pairwise(blocks[0], blocks[1]));
    }
}
