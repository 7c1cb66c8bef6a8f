package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.InvalidBlockException;
import org.qoraedge.fixedpoint.Means;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.RandomBlocks;
import org.qoraedge.fixedpoint.krum.Distances;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.krum.QuorumException;
import org.qoraedge.fixedpoint.random.Permutations;

class RoundBufferTest {
    private static Bfp16Block[] round(long seed, int n, int d) {
        return RandomBlocks.round(new SplittableRandom(seed), n, d);
    }

    @Test
    void addReturnsConsecutiveSlotsAndKeepsTheBlocks() {
        Bfp16Block[] b = round(1, 6, 40);
        RoundBuffer buffer = new RoundBuffer(40, 8, Parallelism.serial());
        for (int i = 0; i < b.length; i++) {
            assertEquals(i, buffer.add(b[i]));
            assertEquals(i + 1, buffer.size());
            assertSame(b[i], buffer.block(i));
        }
        assertEquals(40, buffer.dimension());
        assertEquals(8, buffer.capacity());
    }

    @Test
    void refusesABlockOfTheWrongDimension() {
        RoundBuffer buffer = new RoundBuffer(784, 4, Parallelism.serial());
        InvalidBlockException e = assertThrows(InvalidBlockException.class, () -> buffer.add(Bfp16Block.of(0, new short[1000])));
        assertEquals("block has 1000 coordinates, this round's blocks have 784", e.getMessage());
        assertEquals(0, buffer.size(), "a refused block changes nothing");
    }

    @Test
    void refusesABlockBeyondCapacity() {
        RoundBuffer buffer = new RoundBuffer(3, 2, Parallelism.serial());
        buffer.add(Bfp16Block.of(0, new short[] {1, 2, 3}));
        buffer.add(Bfp16Block.of(0, new short[] {4, 5, 6}));
        RoundBufferException e = assertThrows(RoundBufferException.class, () -> buffer.add(Bfp16Block.of(0, new short[3])));
        assertEquals("round buffer is full: it holds its capacity of 2 blocks", e.getMessage());
        assertEquals(2, buffer.size());
    }

    @Test
    void refusesAnOrderThatIsNotDistinctAddedSlots() {
        RoundBuffer buffer = new RoundBuffer(5, 10, Parallelism.serial());
        for (Bfp16Block b : round(2, 5, 5)) {
            buffer.add(b);
        }
        RoundBufferException twice = assertThrows(RoundBufferException.class,
                () -> buffer.krum(new int[] {0, 1, 2, 3, 3}, 1, Metric.COMMON));
        assertEquals("the canonical order names slot 3 twice (at position 4)", twice.getMessage());
        RoundBufferException missing = assertThrows(RoundBufferException.class,
                () -> buffer.multiKrum(new int[] {0, 1, 2, 3, 5}, 0, 1, Metric.COMMON));
        assertEquals("slot 5 is outside [0, 5): 5 blocks were added", missing.getMessage());
        assertThrows(RoundBufferException.class, () -> buffer.distances(new int[0], Metric.COMMON));
        assertThrows(RoundBufferException.class, () -> buffer.distances(new int[] {-1}, Metric.PAIRWISE));
        assertThrows(RoundBufferException.class, () -> buffer.block(5));
    }

    @Test
    void refusesBadConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new RoundBuffer(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new RoundBuffer(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new RoundBuffer(10, RoundBuffer.MAX_CAPACITY + 1));
    }

    @Test
    void belowQuorumIsRefusedAsByTheReference() {
        RoundBuffer buffer = new RoundBuffer(5, 10, Parallelism.serial());
        for (Bfp16Block b : round(3, 4, 5)) {
            buffer.add(b);
        }
        QuorumException e = assertThrows(QuorumException.class, () -> buffer.krum(new int[] {0, 1, 2, 3}, 1, Metric.COMMON));
        assertEquals(new QuorumException(4, 1).getMessage(), e.getMessage());
    }

    /**
     * The gateway's use: updates arrive in any order, each gets a slot; the round closes with the
     * canonical order from the node ids. Every arrival order gives the reference's result on the
     * blocks sorted by node id.
     */
    @Test
    void arrivalOrderNeverChangesTheResult() {
        int n = 13;
        int d = 1100;
        Bfp16Block[] byNode = round(4, n, d);
        String[] nodeIds = new String[n];
        for (int i = 0; i < n; i++) {
            nodeIds[i] = "sensor-" + (char) ('a' + (i * 7) % n);
        }
        int[] canon = NodeIds.canonicalOrder(nodeIds);
        Bfp16Block[] canonical = new Bfp16Block[n];
        for (int k = 0; k < n; k++) {
            canonical[k] = byNode[canon[k]];
        }
        KrumResult want = Krum.multiKrum(canonical, 3, 4, Metric.COMMON);
        RoundBuffer buffer = new RoundBuffer(d, n, Parallelism.threads(2));
        for (long trial = 0; trial < 4; trial++) {
            buffer.clear();
            int[] arrival = Permutations.of(n, new SplittableRandom(trial)::nextInt);
            String[] idsBySlot = new String[n];
            for (int node : arrival) {
                idsBySlot[buffer.add(byNode[node])] = nodeIds[node];
            }
            int[] order = NodeIds.canonicalOrder(idsBySlot);
            FastKrumEquivalenceTest.assertSameResult(want, buffer.multiKrum(order, 3, 4, Metric.COMMON), "trial " + trial);
        }
    }

    @Test
    void aSubsetOfSlotsIsARoundOfItsOwn() {
        Bfp16Block[] b = round(5, 9, 77);
        RoundBuffer buffer = new RoundBuffer(77, 9, Parallelism.serial());
        for (Bfp16Block x : b) {
            buffer.add(x);
        }
        int[] order = {8, 0, 5, 2, 6};
        Bfp16Block[] sub = {b[8], b[0], b[5], b[2], b[6]};
        assertArrayEquals(Distances.compute(sub, Metric.COMMON).upperTriangle(),
                buffer.distances(order, Metric.COMMON).upperTriangle());
        FastKrumEquivalenceTest.assertSameResult(Krum.krum(sub, 1, Metric.PAIRWISE), buffer.krum(order, 1, Metric.PAIRWISE), "subset");
    }

    @Test
    void closingTwiceOrWithAnotherMetricIsAllowedAndClearStartsANewRound() {
        Bfp16Block[] b = round(6, 7, 20);
        RoundBuffer buffer = new RoundBuffer(20, 7, Parallelism.serial());
        int[] order = new int[7];
        for (int i = 0; i < 7; i++) {
            order[i] = buffer.add(b[i]);
        }
        KrumResult first = buffer.multiKrum(order, 1, 3, Metric.COMMON);
        FastKrumEquivalenceTest.assertSameResult(first, buffer.multiKrum(order, 1, 3, Metric.COMMON), "second close");
        FastKrumEquivalenceTest.assertSameResult(Krum.krum(b, 2, Metric.PAIRWISE), buffer.krum(order, 2, Metric.PAIRWISE), "PAIRWISE");
        buffer.clear();
        assertEquals(0, buffer.size());
        Bfp16Block[] next = round(7, 7, 20);
        for (Bfp16Block x : next) {
            buffer.add(x);
        }
        FastKrumEquivalenceTest.assertSameResult(Krum.multiKrum(next, 1, 3, Metric.COMMON),
                buffer.multiKrum(order, 1, 3, Metric.COMMON), "after clear");
        assertTrue(buffer.size() == 7);
    }

    /** Blocks whose exponents lie far apart (up to the whole range), so the means take every tier. */
    private static Bfp16Block[] spread(long seed, int n, int d) {
        SplittableRandom r = new SplittableRandom(seed);
        Bfp16Block[] b = new Bfp16Block[n];
        int centre = r.nextInt(-100, 80);
        for (int j = 0; j < n; j++) {
            int e = switch (r.nextInt(4)) {
                case 0 -> Bfp16Block.MIN_EXPONENT + r.nextInt(3);
                case 1 -> Bfp16Block.MAX_EXPONENT - r.nextInt(3);
                default -> centre + r.nextInt(40);
            };
            b[j] = r.nextInt(5) == 0 ? Bfp16Block.of(e, new short[d]) : RandomBlocks.block(r, d, e);
        }
        return b;
    }

    @Test
    void outOfHeapBlocksGiveTheInHeapResultsReadingTilesNotBlocks() {
        for (long seed = 1; seed <= 12; seed++) {
            int n = 9 + (int) seed;
            int d = seed % 3 == 0 ? 1 : 997 + (int) seed * 131;
            int tile = new int[] {1, 3, 64, 2048}[(int) (seed % 4)];
            Bfp16Block[] canonical = seed % 2 == 0 ? spread(seed, n, d) : round(seed, n, d);
            for (long arrivalSeed = 1; arrivalSeed <= 3; arrivalSeed++) {
                int[] arrival = Permutations.of(n, new SplittableRandom(seed * 1000 + arrivalSeed)::nextInt);
                BufferMantissas store = new BufferMantissas(d, ByteOrder.nativeOrder());
                RoundBuffer outOfHeap = new RoundBuffer(d, n, Parallelism.threads(2), Kernels.selected(), store, tile);
                RoundBuffer inHeap = new RoundBuffer(d, n, Parallelism.serial());
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[arrival[i]] = outOfHeap.add(canonical[arrival[i]]);
                    inHeap.add(canonical[arrival[i]]);
                }
                int f = (n - 3) / 4;
                int m = n - 2 * f - 2;
                String what = "seed " + seed + " arrival " + arrivalSeed + " d " + d + " tile " + tile;
                FastKrumEquivalenceTest.assertSameResult(Krum.multiKrum(canonical, f, m, Metric.COMMON),
                        outOfHeap.multiKrum(order, f, m, Metric.COMMON), what);
                FastKrumEquivalenceTest.assertSameResult(inHeap.multiKrum(order, f, m, Metric.PAIRWISE),
                        outOfHeap.multiKrum(order, f, m, Metric.PAIRWISE), what);
                assertEquals(Means.mean(canonical), outOfHeap.mean(order), what);
                assertEquals(inHeap.mean(order), outOfHeap.mean(order), what);
                assertEquals(0, store.blocksMaterialized(), "Multi-Krum and the mean read tiles, " + what);
                assertTrue(store.largestRead() <= Math.max(tile, RoundBuffer.CHUNK), "largest read " + store.largestRead());
                FastKrumEquivalenceTest.assertSameResult(Krum.krum(canonical, f, Metric.COMMON),
                        outOfHeap.krum(order, f, Metric.COMMON), what);
                assertEquals(1, store.blocksMaterialized(), "Krum copies only the block it selects, " + what);
            }
        }
    }

    @Test
    void aGrownBufferKeepsItsBlocksAndDotProducts() {
        Bfp16Block[] b = spread(41, 23, 301);
        BufferMantissas store = new BufferMantissas(301, ByteOrder.BIG_ENDIAN);
        RoundBuffer buffer = new RoundBuffer(301, 2, Parallelism.serial(), Kernels.selected(), store, 5);
        for (Bfp16Block x : b) {
            if (buffer.size() == buffer.capacity()) {
                buffer = buffer.grown(2 * buffer.capacity());
            }
            buffer.add(x);
        }
        int[] order = NodeIds.canonicalOrder(ids(b.length));
        Bfp16Block[] canonical = new Bfp16Block[b.length];
        for (int k = 0; k < b.length; k++) {
            canonical[k] = b[order[k]];
        }
        assertArrayEquals(Distances.compute(canonical, Metric.COMMON).upperTriangle(),
                buffer.distances(order, Metric.COMMON).upperTriangle());
        FastKrumEquivalenceTest.assertSameResult(Krum.multiKrum(canonical, 5, 7, Metric.COMMON),
                buffer.multiKrum(order, 5, 7, Metric.COMMON), "grown");
        assertEquals(32, buffer.capacity());
        assertEquals(b[4].exponent(), buffer.exponent(4));
        assertEquals(b[4], buffer.block(4));
    }

    private static String[] ids(int n) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = "node-" + (char) ('z' - i);
        }
        return out;
    }

    /**
     * Adding queued blocks together gives the same slots, distances, norms and Krum results as adding
     * them one by one, for batch splits across the 8-block batch and the 4-row groups, odd dimensions
     * across chunk boundaries, one or two threads, and a store in the heap or outside it.
     */
    @Test
    void addingBlocksTogetherGivesTheBitsOfAddingThemOneByOne() {
        // One by one, batches below and above the tiled size, a whole batch and more than one
        // (addAll splits at BATCH), in both kernels.
        int n = RoundBuffer.BATCH + 5;
        int[][] splits = {ones(n), {n}, {3, 8, 2, n - 13}, {9, 4, n - 13}, {2, 1, n - 3}, {RoundBuffer.BATCH, 5},
            {RoundBuffer.TILED - 1, RoundBuffer.TILED, n - 2 * RoundBuffer.TILED + 1}};
        List<Kernels> kernels = Kernels.vectorOrNull() == null ? List.of(Kernels.scalar()) : List.of(Kernels.scalar(), Kernels.vectorOrNull());
        for (long seed = 1; seed <= 4; seed++) {
            int d = seed % 2 == 0 ? 1037 : 77;
            Bfp16Block[] b = round(seed, n, d);
            for (Parallelism par : new Parallelism[] {Parallelism.serial(), Parallelism.threads(2)}) {
                RoundBuffer single = new RoundBuffer(d, n, par);
                for (Bfp16Block x : b) {
                    single.add(x);
                }
                int[] order = Permutations.of(n, new SplittableRandom(seed)::nextInt);
                Bfp16Block[] canonical = new Bfp16Block[n];
                for (int k = 0; k < n; k++) {
                    canonical[k] = b[order[k]];
                }
                for (Kernels kn : kernels) {
                    for (int v = 0; v < 2 * splits.length; v++) {
                        int[] split = splits[v / 2];
                        String what = "seed " + seed + ", " + kn.name() + ", split " + Arrays.toString(split) + (v % 2 == 0 ? "" : " out of heap");
                        // In the heap, and in a store outside it read in tiles of 5 coordinates.
                        RoundBuffer batched = v % 2 == 0 ? new RoundBuffer(d, n, par, kn)
                                : new RoundBuffer(d, n, par, kn, new BufferMantissas(d, ByteOrder.BIG_ENDIAN), 5);
                        int next = 0;
                        for (int count : split) {
                            assertEquals(next, batched.addAll(Arrays.asList(b).subList(next, next + count)));
                            next += count;
                        }
                        assertEquals(n, batched.size());
                        for (int i = 0; i < n; i++) {
                            assertEquals(b[i], batched.block(i));
                        }
                        for (Metric m : Metric.values()) {
                            assertArrayEquals(Distances.compute(canonical, m).upperTriangle(), batched.distances(order, m).upperTriangle(),
                                    what + ", metric " + m);
                        }
                        assertArrayEquals(single.normScreen(order, 2, 2), batched.normScreen(order, 2, 2), what);
                        FastKrumEquivalenceTest.assertSameResult(Krum.multiKrum(canonical, 2, 4, Metric.COMMON),
                                batched.multiKrum(order, 2, 4, Metric.COMMON), what + ", Multi-Krum");
                    }
                }
            }
        }
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        Arrays.fill(a, 1);
        return a;
    }

    @Test
    void blocksThatDoNotAllFitAreRefusedTogether() {
        RoundBuffer buffer = new RoundBuffer(3, 4, Parallelism.serial());
        buffer.add(Bfp16Block.of(0, new short[] {1, 2, 3}));
        Bfp16Block x = Bfp16Block.of(0, new short[] {4, 5, 6});
        RoundBufferException e = assertThrows(RoundBufferException.class, () -> buffer.addAll(List.of(x, x, x, x)));
        assertEquals("round buffer is full: it holds 1 of its capacity of 4 blocks, 4 more do not fit", e.getMessage());
        assertEquals(1, buffer.size(), "nothing of a refused batch is added");
        assertThrows(InvalidBlockException.class, () -> buffer.addAll(List.of(x, Bfp16Block.of(0, new short[2]))));
        assertEquals(1, buffer.size(), "nothing of a refused batch is added");
    }
}
