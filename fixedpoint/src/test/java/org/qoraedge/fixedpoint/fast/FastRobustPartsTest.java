package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.random.Permutations;

/** The exact building blocks of {@link FastRobust}: keys, selection, scaled comparison, isqrt, the 128-bit distances. */
class FastRobustPartsTest {
    private static BigInteger value(int m, int e) {
        return BigInteger.valueOf(m).shiftLeft(e + 200); // in units of 2^-200: every value an integer
    }

    @Test
    void normalizedKeysOrderExactlyAsTheValues() {
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 200_000; t++) {
            int ma = r.nextInt(-32767, 32768);
            int mb = r.nextInt(4) == 0 ? ma * (1 << r.nextInt(4)) / (1 << r.nextInt(4)) : r.nextInt(-32767, 32768);
            mb = Math.max(-32767, Math.min(32767, mb));
            int ea = r.nextInt(-126, 114);
            int eb = r.nextInt(4) == 0 ? Math.max(-126, Math.min(113, ea + r.nextInt(-16, 17))) : r.nextInt(-126, 114);
            int want = Integer.signum(value(ma, ea).compareTo(value(mb, eb)));
            int ka = CoordinateSelection.normalizedKey(ma, ea);
            int kb = CoordinateSelection.normalizedKey(mb, eb);
            assertEquals(want, Integer.signum(Integer.compare(ka, kb)), ma + "*2^" + ea + " vs " + mb + "*2^" + eb);
            if (ma != 0) {
                assertEquals(value(ma, ea), value(CoordinateSelection.mantissaOf(ka), CoordinateSelection.unitOf(ka)), "decoded value");
            }
        }
        // equal values written with two exponents get equal keys
        assertEquals(CoordinateSelection.normalizedKey(8 * 3, 5), CoordinateSelection.normalizedKey(3, 8));
        assertEquals(CoordinateSelection.normalizedKey(-32767, 113), -CoordinateSelection.normalizedKey(32767, 113));
    }

    @Test
    void sortingNetworksSortAndPrunedOnesSelect() {
        SplittableRandom r = new SplittableRandom(11);
        for (int n = 1; n <= 300; n += n < 40 ? 1 : 13) {
            int[] full = SortingNetwork.sorting(n);
            int lo = r.nextInt(n);
            int hi = lo + 1 + r.nextInt(n - lo);
            int[] inner = SortingNetwork.selecting(n, lo, hi);
            int[] outer = SortingNetwork.selectingOutside(n, lo, hi);
            for (int t = 0; t < 30; t++) {
                int[] x = new int[n];
                for (int i = 0; i < n; i++) {
                    x[i] = t % 2 == 0 ? r.nextInt(-2, 3) : r.nextInt();
                }
                int[] want = x.clone();
                Arrays.sort(want);
                assertArrayEquals(want, apply(full, x), "full network, n = " + n);
                int[] a = apply(inner, x);
                assertArrayEquals(Arrays.copyOfRange(want, lo, hi), Arrays.copyOfRange(a, lo, hi), "rank positions [" + lo + ", " + hi + ")");
                int[] b = apply(outer, x);
                assertArrayEquals(Arrays.copyOfRange(want, 0, lo), Arrays.copyOfRange(b, 0, lo), "below " + lo);
                assertArrayEquals(Arrays.copyOfRange(want, hi, n), Arrays.copyOfRange(b, hi, n), "from " + hi);
                Arrays.sort(b, lo, hi); // the middle holds the middle values in some order
                assertArrayEquals(want, b, "a permutation");
            }
        }
        assertEquals(2 * 1471, SortingNetwork.sorting(128).length, "Batcher's network for 128 wires has 1471 compare-exchanges");
    }

    /** Runs a network on one coordinate through the kernels' compare-exchange (scalar and, when present, vector). */
    private static int[] apply(int[] network, int[] x) {
        int[] out = null;
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.vectorOrNull()}) {
            if (k == null) {
                continue;
            }
            int len = Kernels.INT_BLOCK;
            int[] keys = new int[x.length * len];
            for (int j = 0; j < x.length; j++) {
                Arrays.fill(keys, j * len, (j + 1) * len, x[j]);
            }
            for (int t = 0; t < network.length; t += 2) {
                k.minMax(keys, network[t] * len, network[t + 1] * len, len);
            }
            int[] y = new int[x.length];
            for (int j = 0; j < x.length; j++) {
                y[j] = keys[j * len + (j % len)];
            }
            if (out != null) {
                assertArrayEquals(out, y, "scalar and vector kernels agree");
            }
            out = y;
        }
        return out;
    }

    @Test
    void scaledNormsCompareExactly() {
        SplittableRandom r = new SplittableRandom(13);
        for (int t = 0; t < 100_000; t++) {
            long na = r.nextInt(5) == 0 ? 0 : r.nextLong(Long.MAX_VALUE >> r.nextInt(63));
            int ea = r.nextInt(-126, 114);
            long nb = r.nextInt(3) == 0 ? (na >>> 2) << r.nextInt(3) : r.nextLong(Long.MAX_VALUE >> r.nextInt(63));
            int eb = r.nextInt(3) == 0 ? ea + r.nextInt(-2, 3) : r.nextInt(-126, 114);
            BigInteger a = BigInteger.valueOf(na).shiftLeft(2 * (ea + 130));
            BigInteger b = BigInteger.valueOf(nb).shiftLeft(2 * (eb + 130));
            assertEquals(Integer.signum(a.compareTo(b)), Integer.signum(BlockProducts.compareScaled(na, ea, nb, eb)));
        }
    }

    @Test
    void isqrtIsTheExactFloor() {
        SplittableRandom r = new SplittableRandom(17);
        long[] edges = {0, 1, 2, 3, 4, 15, 16, 17, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0xFFFF_FFFE_0000_0001L, 0xFFFF_FFFE_0000_0000L};
        for (long k : edges) {
            assertEquals(new BigInteger(Long.toUnsignedString(k)).sqrt().longValue(), BlockProducts.isqrt(k), Long.toUnsignedString(k));
        }
        for (int t = 0; t < 100_000; t++) {
            long k = r.nextLong() >>> r.nextInt(64);
            if (r.nextBoolean()) {
                long s = k >>> 32;
                k = s * s - r.nextInt(2); // around perfect squares
            }
            assertEquals(new BigInteger(Long.toUnsignedString(k)).sqrt().longValue(), BlockProducts.isqrt(k), Long.toUnsignedString(k));
        }
    }

    @Test
    void squaredDistancesAreExactInBothRepresentations() {
        SplittableRandom r = new SplittableRandom(19);
        for (int spread : new int[] {0, 15, 31, 32, 239}) {
            int n = 7;
            int d = 40;
            Bfp16Block[] b = new Bfp16Block[n];
            for (int j = 0; j < n; j++) {
                int e = j == 0 ? -126 : -126 + r.nextInt(spread + 1);
                b[j] = j == 3 ? Bfp16Block.of(113, new short[d]) : Rounds.fullScale(r, d, e);
            }
            long[] norms = new long[n];
            long[] upper = new long[n * (n - 1) / 2];
            PairDots.compute(b, d, Kernels.scalar(), Parallelism.serial(), norms, upper);
            FastRobust.SquaredDistances q = FastRobust.SquaredDistances.of(norms, FastRobust.exponents(b), upper);
            for (int a = 0; a < n; a++) {
                for (int c = 0; c < n; c++) {
                    for (int x = 0; x < n; x++) {
                        assertEquals(Integer.signum(exact(b, a, c).compareTo(exact(b, a, x))), Integer.signum(q.compare(a, c, a, x)),
                                "spread " + spread + ": Q(" + a + "," + c + ") vs Q(" + a + "," + x + ")");
                    }
                }
            }
        }
    }

    private static BigInteger exact(Bfp16Block[] b, int x, int y) {
        BigInteger s = BigInteger.ZERO;
        for (int i = 0; i < b[x].dimension(); i++) {
            BigInteger diff = value(b[x].mantissa(i), b[x].exponent()).subtract(value(b[y].mantissa(i), b[y].exponent()));
            s = s.add(diff.multiply(diff));
        }
        return s;
    }

    /** Subsets of every size (fewer and more members than non-members), zero blocks, wide exponents: each {@link FastMeans#mean}. */
    @Test
    void subsetMeansAreTheMeansOfTheirBlocks() {
        SplittableRandom r = new SplittableRandom(23);
        for (Rounds.Kind kind : Rounds.Kind.values()) {
            for (long seed = 1; seed <= 3; seed++) {
                Bfp16Block[] b = Rounds.make(kind, seed).blocks();
                int n = b.length;
                int[][] subsets = new int[6][];
                for (int t = 0; t < subsets.length; t++) {
                    int size = t == 0 ? 1 : t == 1 ? n : 1 + r.nextInt(n);
                    subsets[t] = Arrays.copyOf(Permutations.of(n, r::nextInt), size);
                }
                for (Variant v : FastRobustEquivalenceTest.variants()) {
                    for (long storeLimit : new long[] {0, Long.MAX_VALUE}) { // sums again, or kept between the passes
                        Bfp16Block[] got = SubsetMeans.means(b, subsets, v.parallelism(), v.kernels(), storeLimit);
                        for (int t = 0; t < subsets.length; t++) {
                            assertEquals(FastMeans.mean(FastRobust.select(b, subsets[t])), got[t], v + ", " + kind + " seed " + seed
                                    + ", subset of " + subsets[t].length + " of " + n + ", store limit " + storeLimit);
                        }
                    }
                }
            }
        }
    }
}
