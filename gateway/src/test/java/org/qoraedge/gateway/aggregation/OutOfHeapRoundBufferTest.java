package org.qoraedge.gateway.aggregation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.random.Permutations;

/**
 * Krum, Multi-Krum and the mean with the round's updates outside the heap (a mapped scratch file)
 * give the reference buffer's result bit for bit: ids, scores, ranking, selection, reference
 * exponent, aggregate (and its digest) and deviations, in several arrival orders, with exponents
 * that differ widely between updates, dimensions that cross the tiles, and one factory (one scratch
 * file) serving round after round of different sizes.
 */
class OutOfHeapRoundBufferTest {
    @TempDir
    Path dir;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 30);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchesTheReferenceBufferInEveryArrivalOrderRoundAfterRound(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        AggregatorKind[] kinds = {AggregatorKind.KRUM, AggregatorKind.MULTI_KRUM, AggregatorKind.MEAN};
        AggregatorKind kind = kinds[(int) (seed % kinds.length)];
        Metric metric = seed % 2 == 0 ? Metric.COMMON : Metric.PAIRWISE;
        int[] dims = {1, 7, 513, 4095, 4097, 9001};
        int d = dims[r.nextInt(dims.length)];
        RoundBufferFactory outOfHeap = RoundBufferFactory.outOfHeap(1 + r.nextInt(8), dir);
        for (int round = 1; round <= 3; round++) {
            int f = r.nextInt(4);
            int n = 2 * f + 3 + r.nextInt(12);
            Bfp16Block[] blocks = blocks(r, n, d, seed % 3 == 0);
            String[] ids = new String[n];
            for (int j = 0; j < n; j++) {
                ids[j] = "node-" + r.nextInt(1000) + "-" + j;
            }
            AggregationSettings settings = new AggregationSettings(kind, metric, f, 0, 1);
            RoundBuffer reference = RoundBufferFactory.reference().open(round, d, settings);
            for (int j = 0; j < n; j++) {
                reference.add(ids[j], blocks[j]);
            }
            AggregationResult want = reference.close();
            for (int order = 0; order < 3; order++) {
                int[] arrival = Permutations.of(n, r::nextInt);
                RoundBuffer got = outOfHeap.open(round, d, settings);
                for (int j : arrival) {
                    got.add(ids[j], blocks[j]);
                }
                assertSame(want, got.close(), "round " + round + " arrival " + order);
            }
        }
    }

    /** Honest-looking blocks around one exponent, or (wide) exponents across the whole range, some all-zero. */
    private static Bfp16Block[] blocks(SplittableRandom r, int n, int d, boolean wide) {
        Bfp16Block[] out = new Bfp16Block[n];
        int centre = r.nextInt(-100, 90);
        for (int j = 0; j < n; j++) {
            int e = wide ? r.nextInt(Bfp16Block.MIN_EXPONENT, Bfp16Block.MAX_EXPONENT + 1) : centre + r.nextInt(-20, 21);
            short[] m = new short[d];
            if (!wide || r.nextInt(6) != 0) {
                for (int i = 0; i < d; i++) {
                    m[i] = (short) r.nextInt(-32767, 32768);
                }
            }
            out[j] = Bfp16Block.of(e, m);
        }
        return out;
    }

    private static void assertSame(AggregationResult want, AggregationResult got, String what) {
        assertArrayEquals(want.canonicalIds(), got.canonicalIds(), what);
        assertArrayEquals(want.scores(), got.scores(), what);
        assertArrayEquals(want.ranking(), got.ranking(), what);
        assertArrayEquals(want.selected(), got.selected(), what);
        assertEquals(want.referenceExponent(), got.referenceExponent(), what);
        assertEquals(want.aggregate(), got.aggregate(), what);
        assertEquals(Digests.block(want.aggregate()), Digests.block(got.aggregate()), what);
        assertArrayEquals(want.deviations(), got.deviations(), what);
    }

    @Test
    void openingTheNextRoundRevokesThePreviousBuffer() {
        RoundBufferFactory factory = RoundBufferFactory.outOfHeap(4, dir);
        AggregationSettings mean = new AggregationSettings(AggregatorKind.MEAN, Metric.COMMON, 0, 0, 1);
        RoundBuffer first = factory.open(1, 3, mean);
        first.add("node-a", Bfp16Block.of(0, new short[] {1, 2, 3}));
        RoundBuffer second = factory.open(2, 3, mean);
        IllegalStateException e = assertThrows(IllegalStateException.class, first::close);
        assertTrue(e.getMessage().contains("handed to a later round"), e.getMessage());
        Bfp16Block x = Bfp16Block.of(0, new short[] {4, 5, 6});
        second.add("node-a", x);
        assertEquals(Means.mean(new Bfp16Block[] {x}), second.close().aggregate());
    }

    @Test
    void anInterruptDuringAWriteFailsThatRoundOnlyAndTheNextRoundStartsANewFile() {
        RoundBufferFactory factory = RoundBufferFactory.outOfHeap(4, dir);
        AggregationSettings mean = new AggregationSettings(AggregatorKind.MEAN, Metric.COMMON, 0, 0, 1);
        RoundBuffer first = factory.open(1, 3, mean);
        first.add("node-a", Bfp16Block.of(0, new short[] {1, 2, 3}));
        first.flush();
        RoundBuffer second = factory.open(2, 3, mean);
        second.add("node-a", Bfp16Block.of(0, new short[] {1, 2, 3}));
        Thread.currentThread().interrupt(); // what stopping the gateway does to its round worker
        try {
            RuntimeException e = assertThrows(RuntimeException.class, second::flush);
            assertTrue(hasCause(e, ClosedByInterruptException.class), "the stop is recognisable: " + e);
        } finally {
            Thread.interrupted();
        }
        RoundBuffer third = factory.open(3, 3, mean);
        Bfp16Block x = Bfp16Block.of(2, new short[] {-7, 0, 9});
        Bfp16Block y = Bfp16Block.of(1, new short[] {5, 5, -5});
        third.add("node-a", x);
        third.add("node-b", y);
        assertEquals(Means.mean(new Bfp16Block[] {x, y}), third.close().aggregate());
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void leavesNoScratchFileInItsDirectory() throws IOException {
        RoundBufferFactory factory = RoundBufferFactory.outOfHeap(4, dir);
        RoundBuffer b = factory.open(1, 1000, new AggregationSettings(AggregatorKind.MEAN, Metric.COMMON, 0, 0, 1));
        b.add("node-a", Bfp16Block.of(-3, new short[1000]));
        b.close();
        if (!System.getProperty("os.name").startsWith("Windows")) { // elsewhere the file is unlinked as it opens
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(0, files.count(), "the scratch file is unlinked while it is in use");
            }
        }
    }
}
