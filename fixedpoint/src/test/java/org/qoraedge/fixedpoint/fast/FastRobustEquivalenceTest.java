package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.RandomBlocks;
import org.qoraedge.fixedpoint.random.Permutations;
import org.qoraedge.fixedpoint.robust.CenteredClip;
import org.qoraedge.fixedpoint.robust.CenteredClipResult;
import org.qoraedge.fixedpoint.robust.Median;
import org.qoraedge.fixedpoint.robust.Nnm;
import org.qoraedge.fixedpoint.robust.NormScreen;
import org.qoraedge.fixedpoint.robust.TrimmedMean;

/**
 * Every whole-round variant of the fast path (scalar and vector kernels; 1, 3 and 4 threads, an
 * executor that runs tasks inline) gives the exact references' median, trimmed mean, norm screening,
 * TNBS mean, nearest-neighbour mixing and centered clipping (with its thresholds, clipped indices and
 * iterates) bit for bit, on seeded rounds of every {@link Rounds.Kind}: exponent gaps up to the
 * extremes (-126 against 113) and across 15/16 and 31/32 binades, zero blocks, every block zero,
 * ties, and up to 200 blocks. Each round's references are computed once and every variant compared
 * with them.
 */
class FastRobustEquivalenceTest {
    /** The key tiers the rounds below reached; every one must be reached. */
    private static final Set<CoordinateSelection.Tier> TIERS = EnumSet.noneOf(CoordinateSelection.Tier.class);

    static Stream<Rounds.Round> rounds() {
        return Rounds.sample(kind -> switch (kind) {
            case RANDOM -> 16;
            case MANY_BLOCKS -> 3;
            case VERY_MANY_BLOCKS -> 1;
            case ALL_ZERO -> 3;
            default -> 8;
        });
    }

    static List<Variant> variants() {
        return Variant.wholeRound();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rounds")
    void coordinateSelectionEqualsReference(Rounds.Round round) {
        Bfp16Block[] b = round.blocks();
        int n = b.length;
        TIERS.add(CoordinateSelection.tier(b));
        SplittableRandom r = new SplittableRandom(round.seed() * 17 + n);
        int maxQuorum = (n - 1) / 2;
        int[] params = {0, maxQuorum, r.nextInt(maxQuorum + 1)};
        for (int f : params) {
            Bfp16Block median = Median.reference(b, f);
            Bfp16Block trimmed = TrimmedMean.reference(b, f);
            for (Variant v : variants()) {
                assertEquals(median, FastRobust.median(b, f, v.parallelism(), v.kernels()), v + ": median(f=" + f + ")");
                assertEquals(trimmed, FastRobust.trimmedMean(b, f, v.parallelism(), v.kernels()), v + ": trimmed-mean(b=" + f + ")");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rounds")
    void normScreeningEqualsReference(Rounds.Round round) {
        Bfp16Block[] b = round.blocks();
        int n = b.length;
        SplittableRandom r = new SplittableRandom(round.seed() * 19 + n);
        int l0 = r.nextInt(n);
        int[][] lh = {{0, 0}, {(n - 1) / 2, (n - 1) / 2}, {l0, r.nextInt(n - l0)}, {0, n - 1}, {n - 1, 0}};
        for (int[] p : lh) {
            int[] kept = NormScreen.reference(b, p[0], p[1]);
            Bfp16Block mean = NormScreen.tnbs(b, p[0], p[1]);
            for (Variant v : Variant.all()) { // the incremental ones screen from a round buffer
                assertArrayEquals(kept, v.normScreen(b, p[0], p[1], round.seed() + p[0]), v + ": kept, l=" + p[0] + " h=" + p[1]);
            }
            for (Variant v : variants()) {
                assertEquals(mean, FastRobust.tnbs(b, p[0], p[1], v.parallelism()), v + ": tnbs");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rounds")
    void nearestNeighbourMixingEqualsReference(Rounds.Round round) {
        Bfp16Block[] b = round.blocks();
        int n = b.length;
        SplittableRandom r = new SplittableRandom(round.seed() * 23 + n);
        int[] fs = n > 120 ? new int[] {r.nextInt((n - 1) / 2 + 1)} : new int[] {0, (n - 1) / 2, r.nextInt((n - 1) / 2 + 1)};
        for (int f : fs) {
            Bfp16Block[] want = Nnm.reference(b, f);
            for (Variant v : Variant.all()) { // the incremental ones mix from a round buffer's dot products
                assertArrayEquals(want, v.nnm(b, f, round.seed() + f), v + ": nnm(f=" + f + ")");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rounds")
    void centeredClippingEqualsReference(Rounds.Round round) {
        Bfp16Block[] b = round.blocks();
        int n = b.length;
        int d = b[0].dimension();
        SplittableRandom r = new SplittableRandom(round.seed() * 29 + n);
        Bfp16Block[] references = {
            null,
            Means.mean(b),
            b[r.nextInt(n)],
            RandomBlocks.block(r, d, r.nextBoolean() ? Bfp16Block.MAX_EXPONENT : Bfp16Block.MIN_EXPONENT),
            Bfp16Block.of(r.nextInt(-126, 114), new short[d]),
        };
        for (Bfp16Block ref : references) {
            int f = r.nextInt((n - 1) / 2 + 1);
            int iterations = 1 + r.nextInt(3);
            CenteredClipResult want = CenteredClip.reference(b, f, iterations, ref);
            for (Variant v : variants()) {
                FastRobust.ClipTrace got = FastRobust.centeredClip(b, f, iterations, ref, v.parallelism(), v.kernels());
                String what = v + ": centered-clip(f=" + f + ", L=" + iterations + ") from " + ref;
                assertEquals(want.reference(), got.reference(), what);
                assertEquals(want.thresholds(), got.thresholds(), what + ": thresholds");
                assertEquals(want.iterations(), got.clipped().size(), what);
                for (int l = 1; l <= iterations; l++) {
                    assertArrayEquals(want.clipped(l), got.clipped().get(l - 1), what + ": clipped in iteration " + l);
                }
                assertEquals(want.iterates(), got.iterates(), what + ": iterates");
                assertEquals(want.aggregate(), FastRobust.centeredClip(b, f, iterations, ref, v.parallelism()), what);
            }
        }
    }

    /**
     * A round buffer screens the round from its sums of squares, then mixes the kept slots from its
     * dot products: the pipeline's first two steps, {@code norm-screen(l, h) > nnm(f)}, without a
     * dot product at closing.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rounds")
    void roundBufferScreensThenMixesTheKeptSlots(Rounds.Round round) {
        Bfp16Block[] b = round.blocks();
        int n = b.length;
        if (n > 120) {
            return; // the reference mixing of a large round is slow; the other rounds cover this
        }
        SplittableRandom r = new SplittableRandom(round.seed() * 31 + n);
        int l = r.nextInt((n - 1) / 2 + 1);
        int h = r.nextInt(n - l);
        int[] kept = NormScreen.reference(b, l, h);
        Bfp16Block[] screened = FastRobust.select(b, kept);
        int f = r.nextInt((kept.length - 1) / 2 + 1);
        Bfp16Block[] want = Nnm.reference(screened, f);
        int[] arrival = Permutations.of(n, new SplittableRandom(round.seed())::nextInt);
        RoundBuffer buffer = new RoundBuffer(b[0].dimension(), n, Parallelism.threads(2));
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[arrival[i]] = buffer.add(b[arrival[i]]);
        }
        int[] got = buffer.normScreen(order, l, h);
        assertArrayEquals(kept, got, "kept, l=" + l + " h=" + h);
        int[] slots = new int[got.length];
        for (int t = 0; t < got.length; t++) {
            slots[t] = order[got[t]];
        }
        assertArrayEquals(want, buffer.nnm(slots, f), "nnm(f=" + f + ") of the kept slots");
    }

    @Test
    void roundBufferRefusesAsTheReferences() {
        Bfp16Block[] b = Rounds.make(Rounds.Kind.RANDOM, 5).blocks();
        int n = b.length;
        RoundBuffer buffer = new RoundBuffer(b[0].dimension(), n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = buffer.add(b[i]);
        }
        Assertions.assertThrows(RoundBufferException.class, () -> buffer.nnm(new int[0], 0));
        Assertions.assertThrows(RoundBufferException.class, () -> buffer.normScreen(new int[] {0, 0}, 0, 0));
        for (int f : new int[] {-1, n / 2 + 1}) {
            FastKrumEquivalenceTest.sameRefusal(() -> Nnm.reference(b, f), () -> buffer.nnm(order, f));
        }
        for (int[] lh : new int[][] {{-1, 0}, {0, -1}, {n, 0}, {n / 2, n - n / 2}}) {
            FastKrumEquivalenceTest.sameRefusal(() -> NormScreen.reference(b, lh[0], lh[1]), () -> buffer.normScreen(order, lh[0], lh[1]));
        }
    }

    /** Refusals are the references': same exception type, same message, same order of checks. */
    @Test
    void refusesWhatTheReferencesRefuse() {
        Bfp16Block[] b = Rounds.make(Rounds.Kind.RANDOM, 3).blocks();
        int n = b.length;
        Parallelism p = Parallelism.threads(2);
        Bfp16Block[] unequal = {b[0], Bfp16Block.of(0, new short[b[0].dimension() + 1])};
        Bfp16Block[] none = {};
        for (int f : new int[] {-1, n / 2 + 1}) {
            FastKrumEquivalenceTest.sameRefusal(() -> Median.reference(b, f), () -> FastRobust.median(b, f, p));
            FastKrumEquivalenceTest.sameRefusal(() -> TrimmedMean.reference(b, f), () -> FastRobust.trimmedMean(b, f, p));
            FastKrumEquivalenceTest.sameRefusal(() -> Nnm.reference(b, f), () -> FastRobust.nnm(b, f, p));
            FastKrumEquivalenceTest.sameRefusal(() -> CenteredClip.reference(b, f, 1, null),
                    () -> FastRobust.centeredClip(b, f, 1, null, p));
        }
        for (Bfp16Block[] bad : List.of(unequal, none)) {
            FastKrumEquivalenceTest.sameRefusal(() -> Median.reference(bad, 0), () -> FastRobust.median(bad, 0, p));
            FastKrumEquivalenceTest.sameRefusal(() -> TrimmedMean.reference(bad, 0), () -> FastRobust.trimmedMean(bad, 0, p));
            FastKrumEquivalenceTest.sameRefusal(() -> Nnm.reference(bad, 0), () -> FastRobust.nnm(bad, 0, p));
            FastKrumEquivalenceTest.sameRefusal(() -> NormScreen.reference(bad, 0, 0), () -> FastRobust.normScreen(bad, 0, 0, p));
            FastKrumEquivalenceTest.sameRefusal(() -> CenteredClip.reference(bad, 0, 1, null),
                    () -> FastRobust.centeredClip(bad, 0, 1, null, p));
        }
        // a bad parameter is named before the blocks are looked at
        FastKrumEquivalenceTest.sameRefusal(() -> Median.reference(none, -1), () -> FastRobust.median(none, -1, p));
        for (int[] lh : new int[][] {{-1, 0}, {0, -1}, {-1, -1}, {n, 0}, {0, n}, {n / 2, n - n / 2}}) {
            FastKrumEquivalenceTest.sameRefusal(() -> NormScreen.reference(b, lh[0], lh[1]),
                    () -> FastRobust.normScreen(b, lh[0], lh[1], p));
            FastKrumEquivalenceTest.sameRefusal(() -> NormScreen.tnbs(b, lh[0], lh[1]), () -> FastRobust.tnbs(b, lh[0], lh[1], p));
        }
        for (int iterations : new int[] {0, -1}) {
            FastKrumEquivalenceTest.sameRefusal(() -> CenteredClip.reference(b, 0, iterations, null),
                    () -> FastRobust.centeredClip(b, 0, iterations, null, p));
            FastKrumEquivalenceTest.sameRefusal(() -> CenteredClip.reference(b, -1, iterations, null),
                    () -> FastRobust.centeredClip(b, -1, iterations, null, p));
        }
        Bfp16Block shortRef = Bfp16Block.of(0, new short[b[0].dimension() + 1]);
        FastKrumEquivalenceTest.sameRefusal(() -> CenteredClip.reference(b, 0, 1, shortRef),
                () -> FastRobust.centeredClip(b, 0, 1, shortRef, p));
    }

    @AfterAll
    static void everyKeyTierWasReached() {
        if (!TIERS.isEmpty()) { // only when the selection test ran
            assertEquals(EnumSet.allOf(CoordinateSelection.Tier.class), TIERS, "key tiers reached by the seeded rounds");
        }
    }
}
