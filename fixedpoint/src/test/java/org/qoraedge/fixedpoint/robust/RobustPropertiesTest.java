package org.qoraedge.fixedpoint.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.RandomBlocks;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.random.Permutations;

/**
 * Invariants of the robust rules on seeded random rounds ({@link RandomBlocks}: wide exponent
 * spreads, zero blocks, full-scale and tiny mantissas). Expected values come from the invariants
 * themselves or from the existing exact mean ({@link Means}), never from the rule under test.
 */
class RobustPropertiesTest {
    static LongStream seeds() {
        return LongStream.range(1, 81);
    }

    private static Bfp16Block[] round(SplittableRandom r, int n) {
        Bfp16Block[] blocks = RandomBlocks.round(r, n, 1 + r.nextInt(12));
        if (n > 1 && r.nextBoolean()) {
            blocks[r.nextInt(n)] = blocks[r.nextInt(n)]; // a tie
        }
        return blocks;
    }

    /** Updates arrive in any order; once in canonical order, a random pipeline gives the same result for the same ids. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aPipelineIsInvariantUnderAnyArrivalOrderOnceCanonicallyOrdered(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(14);
        Bfp16Block[] blocks = round(r, n);
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = switch (r.nextInt(3)) {
                case 0 -> "node-" + r.nextInt(1000) + "-" + i;
                case 1 -> "\u00e9" + i + "\ud83d\ude00";
                default -> "\uff21" + (char) ('a' + r.nextInt(26)) + i;
            };
        }
        Pipeline pipeline = RandomPipelines.pipeline(r, n);
        String first = null;
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
            PipelineResult p = pipeline.apply(canon);
            // the outcome in terms of node ids: which ids each screen kept, which ids Krum ranked where
            StringBuilder sb = new StringBuilder(p.digest());
            for (int[] kept : p.kept()) {
                sb.append(" kept");
                for (int k : kept) {
                    sb.append(' ').append(canonIds[k]);
                }
            }
            p.krum().ifPresent(k -> sb.append(" ranking ").append(k.rankingDigest()).append(" scores ").append(k.scoresDigest()));
            if (first == null) {
                first = sb.toString();
            } else {
                assertEquals(first, sb.toString(), pipeline + " after arrival order " + Arrays.toString(arrival));
            }
        }
    }

    /** Median, trimmed mean, mean and centered clipping do not even need the canonical order: any permutation gives the same block. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void coordinateRulesAndCenteredClippingDoNotDependOnTheOrderAtAll(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(14);
        Bfp16Block[] blocks = round(r, n);
        int f = r.nextInt((n - 1) / 2 + 1);
        int iterations = 1 + r.nextInt(3);
        Bfp16Block reference = r.nextBoolean() ? null : RandomBlocks.block(r, blocks[0].dimension(), r.nextInt(-126, 114));
        Bfp16Block[] shuffled = new Bfp16Block[n];
        int[] perm = Permutations.of(n, r::nextInt);
        for (int i = 0; i < n; i++) {
            shuffled[i] = blocks[perm[i]];
        }
        assertEquals(Median.reference(blocks, f), Median.reference(shuffled, f));
        assertEquals(TrimmedMean.reference(blocks, f), TrimmedMean.reference(shuffled, f));
        assertEquals(Mean.reference(blocks), Mean.reference(shuffled));
        assertEquals(CenteredClip.reference(blocks, f, iterations, reference).iterates(),
                CenteredClip.reference(shuffled, f, iterations, reference).iterates());
    }

    /**
     * {@code n} copies of a block give that block back from every rule, as long as the block is one
     * the encoder reproduces: its largest mantissa magnitude in [16385, 32767] (or all zero with
     * {@code e = 0}), so that re-encoding its exact values changes nothing.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void identicalBlocksGiveThatBlockBack(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(12);
        int d = 1 + r.nextInt(10);
        Bfp16Block b = normalized(r, d);
        Bfp16Block[] blocks = new Bfp16Block[n];
        Arrays.fill(blocks, b);
        int half = (n - 1) / 2;
        Bfp16Block reference = RandomBlocks.block(r, d, r.nextInt(-126, 114));
        assertEquals(b, Median.reference(blocks, r.nextInt(half + 1)));
        assertEquals(b, TrimmedMean.reference(blocks, r.nextInt(half + 1)));
        assertEquals(b, NormScreen.tnbs(blocks, r.nextInt(half + 1), r.nextInt(half + 1)));
        for (Bfp16Block y : Nnm.reference(blocks, r.nextInt(half + 1))) {
            assertEquals(b, y);
        }
        assertEquals(b, CenteredClip.reference(blocks, r.nextInt(half + 1), 1 + r.nextInt(3), reference).aggregate());
        assertEquals(b, CenteredClip.reference(blocks, r.nextInt(half + 1), 1 + r.nextInt(3), null).aggregate());
        for (int trial = 0; trial < 3; trial++) {
            Pipeline p = RandomPipelines.pipeline(r, n);
            assertEquals(b, p.apply(blocks, reference).aggregate(), p.toString());
        }
        if (n >= 3) {
            Metric metric = r.nextBoolean() ? Metric.COMMON : Metric.PAIRWISE;
            int f = r.nextInt((n - 3) / 2 + 1);
            assertEquals(b, Krum.reference(blocks, f, metric).aggregate());
            assertEquals(b, MultiKrum.reference(blocks, f, 1 + r.nextInt(n - 2 * f - 2), metric).aggregate());
        }
    }

    private static Bfp16Block normalized(SplittableRandom r, int d) {
        if (r.nextInt(10) == 0) {
            return Bfp16Block.of(0, new short[d]);
        }
        int[] m = new int[d];
        for (int i = 0; i < d; i++) {
            m[i] = r.nextInt(-32767, 32768);
        }
        int top = r.nextInt(d);
        m[top] = (r.nextBoolean() ? 1 : -1) * r.nextInt(16385, 32768);
        for (int i = 0; i < d; i++) {
            if (Math.abs(m[i]) > Math.abs(m[top])) {
                m[i] = m[top];
            }
        }
        return Bfp16Block.of(r.nextInt(-126, 114), m);
    }

    /** trimmed-mean(0), tnbs(0, 0) and centered-clip(f = 0, L = 1) (whatever the reference) are the mean; nnm(0) gives n copies of it. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theDegenerateParametersGiveTheMean(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(14);
        Bfp16Block[] blocks = round(r, n);
        Bfp16Block mean = Means.mean(blocks);
        assertEquals(mean, TrimmedMean.reference(blocks, 0));
        assertEquals(mean, NormScreen.tnbs(blocks, 0, 0));
        assertArrayEquals(identity(n), NormScreen.reference(blocks, 0, 0));
        assertEquals(mean, CenteredClip.reference(blocks, 0, 1, null).aggregate());
        Bfp16Block reference = RandomBlocks.block(r, blocks[0].dimension(), r.nextInt(-126, 114));
        assertEquals(mean, CenteredClip.reference(blocks, 0, 1, reference).aggregate());
        Bfp16Block[] y = Nnm.reference(blocks, 0);
        assertEquals(n, y.length);
        for (Bfp16Block b : y) {
            assertEquals(mean, b);
        }
        // the mean of the n encoded means is the mean re-encoded, which is not always the mean itself
        // (an encoded mean whose largest mantissa is 16384 re-encodes one binade lower)
        assertEquals(Means.mean(y), Pipeline.of(Nnm.of(0), NormScreen.of(0, 0), Mean.of()).apply(blocks).aggregate());
    }

    /** Centered clipping clips at most the f largest differences, and exactly those above the threshold. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void centeredClippingClipsAtMostFDifferences(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(14);
        Bfp16Block[] blocks = round(r, n);
        int f = r.nextInt((n - 1) / 2 + 1);
        CenteredClipResult cc = CenteredClip.reference(blocks, f, 1 + r.nextInt(4), null);
        for (int l = 1; l <= cc.iterations(); l++) {
            assertTrue(cc.clipped(l).length <= f, "iteration " + l + " clipped " + cc.clipped(l).length + " > f = " + f);
            assertTrue(cc.thresholds().get(l - 1).numerator().signum() >= 0);
        }
        if (f == 0) {
            for (int l = 1; l <= cc.iterations(); l++) {
                assertEquals(0, cc.clipped(l).length);
            }
        }
    }

    /**
     * A clipped vector's norm never exceeds the threshold: {@code s^2 Q <= T} exactly, with {@code s}
     * the largest multiple of 2^-32 that satisfies it; nothing is clipped when {@code Q <= T}.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aClippedVectorsNormNeverExceedsTheThreshold(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        BigInteger twoTo64 = BigInteger.ONE.shiftLeft(64);
        for (int trial = 0; trial < 200; trial++) {
            // a vector of integers (any common power-of-two unit gives the same factor)
            int d = 1 + r.nextInt(16);
            List<BigInteger> x = new ArrayList<>();
            BigInteger q = BigInteger.ZERO;
            for (int i = 0; i < d; i++) {
                BigInteger v = BigInteger.valueOf(r.nextLong()).shiftLeft(r.nextInt(0, 200)).shiftRight(r.nextInt(0, 200));
                x.add(v);
                q = q.add(v.multiply(v));
            }
            BigInteger t = switch (r.nextInt(4)) {
                case 0 -> BigInteger.ZERO;
                case 1 -> q; // equal: not clipped
                case 2 -> q.subtract(BigInteger.ONE).max(BigInteger.ZERO);
                default -> new BigInteger(Math.max(1, q.bitLength() + r.nextInt(-70, 10)), new Random(r.nextLong()));
            };
            BigInteger s = Clipping.factor(q, t);
            if (q.compareTo(t) <= 0) {
                assertEquals(BigInteger.ONE.shiftLeft(32), s);
                continue;
            }
            // ||s x||^2 = s^2 / 2^64 * sum x_i^2 <= T, summed coordinate by coordinate
            BigInteger clippedNorm = BigInteger.ZERO;
            for (BigInteger v : x) {
                BigInteger c = s.multiply(v);
                clippedNorm = clippedNorm.add(c.multiply(c));
            }
            assertTrue(clippedNorm.compareTo(t.multiply(twoTo64)) <= 0, "clipped norm above the threshold");
            BigInteger next = s.add(BigInteger.ONE);
            assertTrue(next.multiply(next).multiply(q).compareTo(t.multiply(twoTo64)) > 0, "s is not the largest such factor");
            assertTrue(s.compareTo(BigInteger.ONE.shiftLeft(32)) < 0, "a clipped vector's factor is below 1");
        }
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }
}
