package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.RandomBlocks;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.CenteredClip;
import org.qoraedge.fixedpoint.robust.CenteredClipResult;
import org.qoraedge.fixedpoint.robust.MultiKrum;

/**
 * Weighted centered clipping and weighted Multi-Krum on the fast path against the exact references,
 * bit for bit, for every whole-round {@link Variant}, on the seeded rounds of every {@link Rounds.Kind}
 * with weights of several magnitudes; every way {@link WeightedClipping} computes an iterate must be
 * reached. Also its 128-bit arithmetic against {@code BigInteger}.
 */
class WeightedClippingTest {
    /** The iteration tiers the seeded rounds reached; MEAN, WIDE and BIG must be (ZERO: the crafted rounds). */
    private static final Set<WeightedClipping.Tier> TIERS = EnumSet.noneOf(WeightedClipping.Tier.class);

    static Stream<Rounds.Round> rounds() {
        return Rounds.sample(kind -> switch (kind) {
            case MANY_BLOCKS -> 2;
            case VERY_MANY_BLOCKS -> 0; // the reference clipping of 300 blocks adds little here
            case RANDOM -> 10;
            default -> 5;
        });
    }

    static List<Variant> variants() {
        return Variant.wholeRound();
    }

    /** Weights of magnitude class {@code kind}: up to 2^20, up to 2^40, exactly 2^40, up to 2^62. */
    static long[] weights(SplittableRandom r, int n, int kind) {
        long[] w = new long[n];
        for (int j = 0; j < n; j++) {
            w[j] = switch (kind) {
                case 0 -> 1 + r.nextLong(1L << 20);
                case 1 -> 1 + r.nextLong(1L << 40);
                case 2 -> 1L << 40;
                default -> 1 + r.nextLong(1L << 62);
            };
        }
        return w;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rounds")
    void weightedCenteredClippingEqualsReference(Rounds.Round round) {
        Bfp16Block[] b = round.blocks();
        int n = b.length;
        int d = b[0].dimension();
        SplittableRandom r = new SplittableRandom(round.seed() * 37 + n);
        Bfp16Block[] references = {
            null,
            Means.mean(b),
            RandomBlocks.block(r, d, r.nextBoolean() ? Bfp16Block.MAX_EXPONENT : Bfp16Block.MIN_EXPONENT),
        };
        for (int kind = 0; kind < 4; kind++) {
            long[] w = weights(r, n, kind);
            for (Bfp16Block ref : references) {
                int f = kind == 0 && ref == null ? 0 : r.nextInt((n - 1) / 2 + 1);
                int iterations = 1 + r.nextInt(3);
                CenteredClipResult want = CenteredClip.reference(b, f, iterations, ref, w);
                for (Variant v : variants()) {
                    FastRobust.ClipTrace got = FastRobust.centeredClip(b, f, iterations, ref, w, v.parallelism(), v.kernels());
                    String what = v + ": centered-clip(f=" + f + ", L=" + iterations + ") from " + ref + ", weights of kind " + kind;
                    assertEquals(want.thresholds(), got.thresholds(), what + ": thresholds");
                    for (int l = 1; l <= iterations; l++) {
                        assertArrayEquals(want.clipped(l), got.clipped().get(l - 1), what + ": clipped in iteration " + l);
                    }
                    assertEquals(want.iterates(), got.iterates(), what + ": iterates " + got.tiers());
                    TIERS.addAll(got.tiers());
                }
                assertEquals(want.aggregate(), FastRobust.centeredClip(b, f, iterations, ref, w, Parallelism.threads(2)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rounds")
    void weightedMultiKrumEqualsReference(Rounds.Round round) {
        Bfp16Block[] b = round.blocks();
        SplittableRandom r = new SplittableRandom(round.seed() * 41 + b.length);
        for (int kind = 0; kind < 4; kind++) {
            long[] w = weights(r, b.length, kind);
            for (Metric metric : Metric.values()) {
                KrumResult want = MultiKrum.reference(b, round.f(), round.m(), metric, w);
                for (Variant v : variants()) {
                    FastKrumEquivalenceTest.assertSameResult(want,
                            FastKrum.multiKrum(b, round.f(), round.m(), metric, w, v.parallelism(), v.kernels()),
                            v + ": weighted multi-krum " + metric + ", weights of kind " + kind);
                }
            }
        }
    }

    /** Rounds made to reach each tier, and the 128-bit division beyond 2^63 (W > 2^48). */
    @Test
    void craftedRoundsReachEveryTier() {
        SplittableRandom r = new SplittableRandom(99);
        int d = 37;
        // ZERO: three zero blocks and one far away; T = 0 clips it to s = 0, and u_0 is zero.
        Bfp16Block[] zeros = {Bfp16Block.of(0, new short[d]), Bfp16Block.of(-5, new short[d]), Bfp16Block.of(9, new short[d]),
            RandomBlocks.block(r, d, 3)};
        // WIDE with W >= 2^46: binary long division of the 128-bit dividends.
        Bfp16Block[] hundred = new Bfp16Block[100];
        for (int j = 0; j < hundred.length; j++) {
            hundred[j] = RandomBlocks.block(r, d, r.nextInt(-3, 4));
        }
        long[] wide = new long[hundred.length];
        Arrays.fill(wide, 1L << 42); // W = 100 * 2^42 > 2^48: dividends up to W 2^16, beyond 2^63
        // BIG: exponents 100 binades apart with weights near 2^40.
        Bfp16Block[] far = new Bfp16Block[9];
        for (int j = 0; j < far.length; j++) {
            far[j] = RandomBlocks.block(r, d, j % 2 == 0 ? -100 : 0);
        }
        Object[][] cases = {
            {zeros, 1, new long[] {3, 1, 4, 1 << 20}, WeightedClipping.Tier.ZERO},
            {hundred, 30, wide, WeightedClipping.Tier.WIDE},
            {hundred, 0, weights(r, 100, 1), WeightedClipping.Tier.MEAN},
            {far, 3, weights(r, 9, 1), WeightedClipping.Tier.BIG},
        };
        for (Object[] c : cases) {
            Bfp16Block[] b = (Bfp16Block[]) c[0];
            int f = (Integer) c[1];
            long[] w = (long[]) c[2];
            CenteredClipResult want = CenteredClip.reference(b, f, 2, null, w);
            FastRobust.ClipTrace got = FastRobust.centeredClip(b, f, 2, null, w, Parallelism.threads(2), Kernels.selected());
            assertEquals(c[3], got.tiers().get(0), "tier of the first iteration, n = " + b.length);
            assertEquals(want.iterates(), got.iterates(), "n = " + b.length + ", tiers " + got.tiers());
        }
        long total = 0;
        for (long x : (long[]) cases[1][2]) {
            total += x;
        }
        assertEquals(true, total >= 1L << 48, "W = " + total);
    }

    @Test
    void divideSmallIsTheExactQuotient() {
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 200_000; t++) {
            long v = 1 + r.nextLong(Long.MAX_VALUE >>> r.nextInt(63));
            BigInteger bigV = BigInteger.valueOf(v);
            BigInteger x = bigV.multiply(BigInteger.valueOf(r.nextLong(1L << 18))).add(BigInteger.valueOf(r.nextLong(v)));
            long xh = x.shiftRight(64).longValue();
            long xl = x.longValue();
            assertEquals(x.divide(bigV).longValueExact(), WeightedClipping.divideSmall(xh, xl, v), x + " / " + v);
        }
    }

    /** {@link WeightedClipping#mantissa} against section 2's rounding in {@code BigInteger}, over its whole domain. */
    @Test
    void mantissaIsSection2sRounding() {
        SplittableRandom r = new SplittableRandom(11);
        BigInteger two128 = BigInteger.ONE.shiftLeft(128);
        for (int t = 0; t < 200_000; t++) {
            long weight = 1 + r.nextLong(1L << r.nextInt(1, 63));
            BigInteger w = BigInteger.valueOf(weight);
            // the largest |S| of the coordinate's block, and the encoder's t, e and shift for it
            BigInteger maxAbs = random(1 + r.nextInt(125), r).add(BigInteger.ONE); // below 2^126
            int scale = r.nextInt(-158, 40); // b - 32, b a block's exponent
            int t0 = maxAbs.bitLength() - w.bitLength();
            boolean fits = t0 >= 0 ? maxAbs.compareTo(w.shiftLeft(t0)) <= 0 : maxAbs.shiftLeft(-t0).compareTo(w) <= 0;
            int c = scale + (fits ? t0 : t0 + 1);
            if (c > 128) {
                continue;
            }
            int e = Math.max(c - 15, Bfp16Block.MIN_EXPONENT);
            int shift = scale - e;
            BigInteger s = r.nextInt(4) == 0 ? maxAbs : random(maxAbs.bitLength(), r).min(maxAbs);
            if (r.nextBoolean()) {
                s = s.negate();
            }
            BigInteger num = shift >= 0 ? s.abs().shiftLeft(shift) : s.abs();
            BigInteger den = shift >= 0 ? w : w.shiftLeft(-shift);
            BigInteger q = num.shiftLeft(1).add(den).divide(den.shiftLeft(1));
            int mag = q.min(BigInteger.valueOf(Bfp16Block.MAX_MANTISSA)).intValueExact();
            short want = (short) (s.signum() < 0 ? -mag : mag);
            BigInteger twos = s.signum() < 0 ? s.add(two128) : s;
            short got = WeightedClipping.mantissa(twos.shiftRight(64).longValue(), twos.longValue(), shift, weight);
            assertEquals(want, got, "S = " + s + ", W = " + weight + ", shift = " + shift);
        }
    }

    /** A uniform random integer in {@code [0, 2^bits)}, {@code bits <= 128}. */
    private static BigInteger random(int bits, SplittableRandom r) {
        byte[] bytes = new byte[16];
        r.nextBytes(bytes);
        return new BigInteger(1, bytes).shiftRight(128 - bits);
    }

    @Test
    void refusesAsTheReference() {
        Bfp16Block[] b = Rounds.make(Rounds.Kind.RANDOM, 3).blocks();
        int n = b.length;
        Parallelism p = Parallelism.threads(2);
        long[] good = new long[n];
        Arrays.fill(good, 7L);
        long[] zero = good.clone();
        zero[n - 1] = 0;
        for (long[] w : List.of(zero, Arrays.copyOf(good, n + 1), new long[0])) {
            FastKrumEquivalenceTest.sameRefusal(() -> CenteredClip.reference(b, 1, 2, null, w),
                    () -> FastRobust.centeredClip(b, 1, 2, null, w, p));
            FastKrumEquivalenceTest.sameRefusal(() -> MultiKrum.reference(b, 0, 1, Metric.COMMON, w),
                    () -> FastKrum.multiKrum(b, 0, 1, Metric.COMMON, w, p));
            FastKrumEquivalenceTest.sameRefusal(() -> Means.weightedMean(b, w), () -> FastMeans.weightedMean(b, w, p));
        }
        // the rule's own checks come before the weights'
        FastKrumEquivalenceTest.sameRefusal(() -> CenteredClip.reference(b, n, 2, null, zero),
                () -> FastRobust.centeredClip(b, n, 2, null, zero, p));
        FastKrumEquivalenceTest.sameRefusal(() -> CenteredClip.reference(b, 1, 0, null, zero),
                () -> FastRobust.centeredClip(b, 1, 0, null, zero, p));
        Bfp16Block shortRef = Bfp16Block.of(0, new short[b[0].dimension() + 1]);
        FastKrumEquivalenceTest.sameRefusal(() -> CenteredClip.reference(b, 1, 1, shortRef, zero),
                () -> FastRobust.centeredClip(b, 1, 1, shortRef, zero, p));
        FastKrumEquivalenceTest.sameRefusal(() -> MultiKrum.reference(b, n, 1, Metric.COMMON, zero),
                () -> FastKrum.multiKrum(b, n, 1, Metric.COMMON, zero, p));
        FastKrumEquivalenceTest.sameRefusal(() -> MultiKrum.reference(b, 0, n, Metric.COMMON, zero),
                () -> FastKrum.multiKrum(b, 0, n, Metric.COMMON, zero, p));
    }

    @AfterAll
    static void everyWeightedTierWasReached() {
        if (!TIERS.isEmpty()) { // only when the round tests ran
            assertEquals(true, TIERS.containsAll(EnumSet.of(WeightedClipping.Tier.MEAN, WeightedClipping.Tier.WIDE,
                    WeightedClipping.Tier.BIG)), "weighted iteration tiers reached: " + TIERS);
        }
    }
}
