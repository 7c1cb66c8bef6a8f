package org.qoraedge.fixedpoint.fast;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.krum.RoundDistances;
import org.qoraedge.fixedpoint.random.Permutations;

/**
 * One way of running the fast path: kernels (scalar or vector), whole round or incremental, and a
 * parallelism; an incremental variant keeps its blocks in the heap ({@code tile == 0}) or outside
 * it, in direct buffers of either byte order, closing the round {@code tile} coordinates at a time
 * (tiny and odd tiles, so that rounds of every dimension cross tile boundaries). Every variant must
 * give the reference's results bit for bit.
 */
record Variant(String name, Kernels kernels, boolean incremental, Parallelism parallelism, int tile, ByteOrder order) {
    /** A pool of the test's own, so that one variant runs on a caller-supplied executor. */
    private static final ExecutorService POOL = Executors.newFixedThreadPool(3, r -> {
        Thread t = new Thread(r, "fast-path-test");
        t.setDaemon(true);
        return t;
    });

    /** Every variant this JVM can run: the vector ones only when the incubator module is present. */
    static List<Variant> all() {
        List<Variant> out = new ArrayList<>();
        add(out, "scalar", Kernels.scalar());
        if (Kernels.vectorOrNull() != null) {
            add(out, "vector", Kernels.vectorOrNull());
        }
        return out;
    }

    /** The variants that close a whole round at once (not the incremental buffer): what the rules without a buffer run. */
    static List<Variant> wholeRound() {
        List<Variant> out = new ArrayList<>();
        for (Variant v : all()) {
            if (!v.incremental()) {
                out.add(v);
            }
        }
        return out;
    }

    private static void add(List<Variant> out, String kind, Kernels k) {
        out.add(new Variant(kind + " batch 1 thread", k, false, Parallelism.serial(), 0, null));
        out.add(new Variant(kind + " batch 3 threads (common pool)", k, false, Parallelism.threads(3), 0, null));
        out.add(new Variant(kind + " batch 4 threads (own executor)", k, false, Parallelism.of(POOL, 4), 0, null));
        out.add(new Variant(kind + " batch 2 threads (executor running tasks inline)", k, false, Parallelism.of(Runnable::run, 2),
                0, null));
        out.add(new Variant(kind + " incremental 1 thread", k, true, Parallelism.serial(), 0, null));
        out.add(new Variant(kind + " incremental 2 threads", k, true, Parallelism.threads(2), 0, null));
        out.add(new Variant(kind + " incremental out of heap, tiles of 1, 1 thread", k, true, Parallelism.serial(), 1,
                ByteOrder.BIG_ENDIAN));
        out.add(new Variant(kind + " incremental out of heap, tiles of 7, 3 threads", k, true, Parallelism.threads(3), 7,
                ByteOrder.nativeOrder()));
        out.add(new Variant(kind + " incremental out of heap, tiles of 2048, 2 threads", k, true, Parallelism.threads(2),
                FastMeans.TILE, ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public String toString() {
        return name;
    }

    RoundDistances distances(Bfp16Block[] canonical, Metric metric, long arrivalSeed) {
        if (!incremental) {
            return FastKrum.distances(canonical, metric, parallelism, kernels);
        }
        Arrival a = arrive(canonical, arrivalSeed);
        return a.buffer.distances(a.order, metric);
    }

    KrumResult krum(Bfp16Block[] canonical, int f, Metric metric, long arrivalSeed) {
        if (!incremental) {
            return FastKrum.krum(canonical, f, metric, parallelism, kernels);
        }
        Arrival a = arrive(canonical, arrivalSeed);
        return a.buffer.krum(a.order, f, metric);
    }

    KrumResult multiKrum(Bfp16Block[] canonical, int f, int m, Metric metric, long arrivalSeed) {
        if (!incremental) {
            return FastKrum.multiKrum(canonical, f, m, metric, parallelism, kernels);
        }
        Arrival a = arrive(canonical, arrivalSeed);
        return a.buffer.multiKrum(a.order, f, m, metric);
    }

    int[] normScreen(Bfp16Block[] canonical, int l, int h, long arrivalSeed) {
        if (!incremental) {
            return FastRobust.normScreen(canonical, l, h, parallelism, kernels);
        }
        Arrival a = arrive(canonical, arrivalSeed);
        return a.buffer.normScreen(a.order, l, h);
    }

    Bfp16Block[] nnm(Bfp16Block[] canonical, int f, long arrivalSeed) {
        if (!incremental) {
            return FastRobust.nnm(canonical, f, parallelism, kernels);
        }
        Arrival a = arrive(canonical, arrivalSeed);
        return a.buffer.nnm(a.order, f);
    }

    private record Arrival(RoundBuffer buffer, int[] order) {
    }

    /**
     * Adds the blocks to a round buffer in a seeded random arrival order, and returns the buffer with
     * the canonical order of its slots ({@code order[k]} = slot of canonical block k).
     */
    private Arrival arrive(Bfp16Block[] canonical, long seed) {
        int n = canonical.length;
        int[] arrival = Permutations.of(n, new SplittableRandom(seed)::nextInt);
        int d = canonical[0].dimension();
        RoundBuffer buffer = tile == 0 ? new RoundBuffer(d, n + 2, parallelism, kernels)
                : new RoundBuffer(d, n + 2, parallelism, kernels, new BufferMantissas(d, order), tile);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[arrival[i]] = buffer.add(canonical[arrival[i]]);
        }
        return new Arrival(buffer, order);
    }
}
