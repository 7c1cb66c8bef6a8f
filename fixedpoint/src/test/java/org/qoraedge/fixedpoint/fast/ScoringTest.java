package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ScoringTest {
    static LongStream seeds() {
        return LongStream.range(1, 201);
    }

    /** The selected prefix is the multiset of the k smallest values, on random, tied, sorted and reversed rows. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void selectSmallestFindsTheKSmallestValues(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int len = 1 + r.nextInt(seed % 10 == 0 ? 5000 : 300);
        long[] a = new long[len + 3];
        int distinct = 1 + r.nextInt(seed % 3 == 0 ? 3 : 1000);
        for (int i = 0; i < len; i++) {
            a[i] = r.nextInt(4) == 0 ? Long.MAX_VALUE : r.nextLong(distinct);
        }
        switch ((int) (seed % 4)) {
            case 1 -> Arrays.sort(a, 0, len);
            case 2 -> {
                Arrays.sort(a, 0, len);
                for (int i = 0; i < len / 2; i++) {
                    long t = a[i];
                    a[i] = a[len - 1 - i];
                    a[len - 1 - i] = t;
                }
            }
            default -> { }
        }
        int k = 1 + r.nextInt(len);
        long[] sorted = Arrays.copyOf(a, len);
        Arrays.sort(sorted);
        long[] got = a.clone();
        if (seed % 5 == 0) {
            Scoring.selectSmallest(got, len, k, (int) (seed / 5 % 3)); // the sorting fallback, early
        } else {
            Scoring.selectSmallest(got, len, k);
        }
        long[] prefix = Arrays.copyOf(got, k);
        Arrays.sort(prefix);
        assertArrayEquals(Arrays.copyOf(sorted, k), prefix);
        long[] all = Arrays.copyOf(got, len);
        Arrays.sort(all);
        assertArrayEquals(sorted, all, "a permutation of the row");
    }
}
