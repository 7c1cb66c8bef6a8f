package org.qoraedge.gateway.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.krum.Metric;

/** The fast incremental buffer gives the reference result, bit for bit, in any arrival order. */
class IncrementalRoundBufferTest {
    static LongStream seeds() {
        return LongStream.range(1, 41);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchesTheReferenceBufferInAnyArrivalOrder(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int f = r.nextInt(4);
        int n = 2 * f + 3 + r.nextInt(10);
        int d = 1 + r.nextInt(700);
        String[] ids = new String[n];
        Bfp16Block[] blocks = new Bfp16Block[n];
        int centre = r.nextInt(-120, 100);
        for (int j = 0; j < n; j++) {
            ids[j] = "node-" + r.nextInt(1000) + "-" + j;
            short[] m = new short[d];
            for (int i = 0; i < d; i++) {
                m[i] = (short) r.nextInt(-32767, 32768);
            }
            blocks[j] = Bfp16Block.of(Math.max(-126, Math.min(113, centre + r.nextInt(-20, 21))), m);
        }
        AggregatorKind[] kinds = {AggregatorKind.KRUM, AggregatorKind.MULTI_KRUM, AggregatorKind.MEAN}; // the kinds it implements
        AggregatorKind kind = kinds[(int) (seed % kinds.length)];
        Metric metric = seed % 2 == 0 ? Metric.COMMON : Metric.PAIRWISE;
        AggregationSettings settings = new AggregationSettings(kind, metric, f, 0, 1);
        RoundBuffer reference = RoundBufferFactory.reference().open(1, d, settings);
        // a small initial capacity so that growing is exercised too
        RoundBuffer fast = RoundBufferFactory.incremental(1 + r.nextInt(n)).open(1, d, settings);
        int[] arrival = r.ints(0, Integer.MAX_VALUE).limit(n).toArray();
        Integer[] perm = new Integer[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        Arrays.sort(perm, (a, b) -> Integer.compare(arrival[a], arrival[b]));
        for (int j = 0; j < n; j++) {
            reference.add(ids[j], blocks[j]);
            fast.add(ids[perm[j]], blocks[perm[j]]);
        }
        AggregationResult want = reference.close();
        AggregationResult got = fast.close();
        assertArrayEquals(want.canonicalIds(), got.canonicalIds());
        assertArrayEquals(want.scores(), got.scores());
        assertArrayEquals(want.ranking(), got.ranking());
        assertArrayEquals(want.selected(), got.selected());
        assertEquals(want.referenceExponent(), got.referenceExponent());
        assertEquals(want.aggregate(), got.aggregate());
    }
}
