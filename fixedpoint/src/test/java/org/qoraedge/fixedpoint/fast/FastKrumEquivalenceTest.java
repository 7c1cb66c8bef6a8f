package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.RandomBlocks;
import org.qoraedge.fixedpoint.krum.Distances;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.krum.RoundDistances;

/**
 * Every variant of the fast path (scalar and vector kernels; whole round with 1, 3 and 4 threads;
 * incremental with 1 and 2 threads, blocks added in a random arrival order) gives the straightforward
 * reference's distances, Krum and Multi-Krum results bit for bit, on seeded rounds of every
 * {@link Rounds.Kind}.
 */
class FastKrumEquivalenceTest {
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Rounds.Kind kind : Rounds.Kind.values()) {
            int seeds = switch (kind) {
                case RANDOM -> 40;
                case MANY_BLOCKS -> 4;
                case VERY_MANY_BLOCKS -> 2;
                case ALL_ZERO -> 4;
                default -> 12;
            };
            for (long seed = 1; seed <= seeds; seed++) {
                Rounds.Round round = Rounds.make(kind, seed);
                for (Variant v : Variant.all()) {
                    out.add(Arguments.of(v, round));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void fastPathEqualsReference(Variant v, Rounds.Round round) {
        Bfp16Block[] b = round.blocks();
        long arrival = round.seed() * 31 + b.length;
        for (Metric metric : Metric.values()) {
            RoundDistances ref = Distances.compute(b, metric);
            RoundDistances fast = v.distances(b, metric, arrival);
            assertEquals(ref.referenceExponent(), fast.referenceExponent(), "e_ref, " + metric);
            assertArrayEquals(ref.upperTriangle(), fast.upperTriangle(), "distances, " + metric);
            assertSameResult(Krum.krum(b, round.f(), metric), v.krum(b, round.f(), metric, arrival), "Krum " + metric);
            assertSameResult(Krum.multiKrum(b, round.f(), round.m(), metric),
                    v.multiKrum(b, round.f(), round.m(), metric, arrival), "Multi-Krum " + metric);
        }
        // The largest m, and Krum with the largest f the round allows.
        int fMax = (b.length - 3) / 2;
        int mMax = b.length - 2 * round.f() - 2;
        assertSameResult(Krum.multiKrum(b, round.f(), mMax, Metric.COMMON),
                v.multiKrum(b, round.f(), mMax, Metric.COMMON, arrival), "Multi-Krum m max");
        assertSameResult(Krum.krum(b, fMax, Metric.COMMON), v.krum(b, fMax, Metric.COMMON, arrival), "Krum f max");
    }

    /** Rounds too small for Krum still have distances: one block (no pair) and two blocks. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void distancesOfOneAndTwoBlocks(Variant v) {
        for (int n = 1; n <= 2; n++) {
            for (long seed = 1; seed <= 5; seed++) {
                Bfp16Block[] b = RandomBlocks.round(new SplittableRandom(seed), n, Rounds.DIMENSIONS[(int) seed * 4]);
                for (Metric metric : Metric.values()) {
                    RoundDistances ref = Distances.compute(b, metric);
                    RoundDistances fast = v.distances(b, metric, seed);
                    assertEquals(ref.referenceExponent(), fast.referenceExponent());
                    assertArrayEquals(ref.upperTriangle(), fast.upperTriangle());
                }
            }
        }
    }

    static Stream<Variant> variants() {
        return Variant.all().stream();
    }

    /** Refusals are the reference's: same exception type, same message. */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refusalCases")
    void fastPathRefusesWhatTheReferenceRefuses(Variant v, Rounds.Round round) {
        Bfp16Block[] b = round.blocks();
        int n = b.length;
        int tooManyF = (n - 3) / 2 + 1;
        sameRefusal(() -> Krum.krum(b, tooManyF, Metric.COMMON), () -> v.krum(b, tooManyF, Metric.COMMON, 1));
        sameRefusal(() -> Krum.krum(b, -1, Metric.PAIRWISE), () -> v.krum(b, -1, Metric.PAIRWISE, 1));
        sameRefusal(() -> Krum.multiKrum(b, tooManyF, 1, Metric.COMMON), () -> v.multiKrum(b, tooManyF, 1, Metric.COMMON, 1));
        int f = round.f();
        int mMax = n - 2 * f - 2;
        for (int m : new int[] {0, -1, mMax + 1}) {
            sameRefusal(() -> Krum.multiKrum(b, f, m, Metric.COMMON), () -> v.multiKrum(b, f, m, Metric.COMMON, 1));
        }
    }

    static Stream<Arguments> refusalCases() {
        List<Arguments> out = new ArrayList<>();
        for (long seed = 1; seed <= 4; seed++) {
            Rounds.Round round = Rounds.make(Rounds.Kind.RANDOM, seed);
            for (Variant v : Variant.all()) {
                out.add(Arguments.of(v, round));
            }
        }
        return out.stream();
    }

    static void sameRefusal(Supplier<?> reference, Supplier<?> fast) {
        FixedPointException want = assertThrows(FixedPointException.class, reference::get);
        FixedPointException got = assertThrows(FixedPointException.class, fast::get);
        assertEquals(want.getClass(), got.getClass());
        assertEquals(want.getMessage(), got.getMessage());
    }

    static void assertSameResult(KrumResult want, KrumResult got, String what) {
        assertEquals(want.metric(), got.metric(), what + ": metric");
        assertEquals(want.f(), got.f(), what + ": f");
        assertEquals(want.k(), got.k(), what + ": k");
        assertEquals(want.referenceExponent(), got.referenceExponent(), what + ": e_ref");
        assertArrayEquals(want.scores(), got.scores(), what + ": scores");
        assertArrayEquals(want.ranking(), got.ranking(), what + ": ranking");
        assertArrayEquals(want.selected(), got.selected(), what + ": selected");
        assertEquals(want.aggregate(), got.aggregate(), what + ": aggregate");
        assertEquals(want.aggregateDigest(), got.aggregateDigest(), what + ": aggregate digest");
    }
}
