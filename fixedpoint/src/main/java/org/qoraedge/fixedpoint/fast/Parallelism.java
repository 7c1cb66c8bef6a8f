package org.qoraedge.fixedpoint.fast;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How many threads a fast computation may use, and where its helper tasks run. Immutable and safe
 * to share.
 *
 * <p>A computation split into {@code parts} runs {@code min(threads, parts) - 1} helper tasks on the
 * executor and works on the calling thread as well; every thread claims parts until none is left,
 * so the call completes even if the executor runs nothing (a saturated pool, a rejected task): the
 * calling thread then does all parts itself. Parts never depend on which thread runs them, and every
 * result is an exact integer sum, so results are identical for every thread count and schedule.
 *
 * <p>fixedpoint starts no thread of its own: helpers run on the caller's executor, or, when none is
 * given, on {@link ForkJoinPool#commonPool()} (as parallel streams do).
 */
public final class Parallelism {
    private static final Parallelism SERIAL = new Parallelism(null, 1);

    private final Executor executor; // null: ForkJoinPool.commonPool()
    private final int threads;

    private Parallelism(Executor executor, int threads) {
        this.executor = executor;
        this.threads = threads;
    }

    /** Everything on the calling thread. */
    public static Parallelism serial() {
        return SERIAL;
    }

    /**
     * Up to {@code threads} threads: the caller's and helpers on {@link ForkJoinPool#commonPool()}.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static Parallelism threads(int threads) {
        checkThreads(threads);
        return threads == 1 ? SERIAL : new Parallelism(null, threads);
    }

    /**
     * Up to {@code threads} threads: the caller's and helper tasks submitted to {@code executor}
     * (for instance a gateway's own worker pool).
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     * @throws NullPointerException if {@code executor} is null
     */
    public static Parallelism of(Executor executor, int threads) {
        if (executor == null) {
            throw new NullPointerException("executor");
        }
        checkThreads(threads);
        return new Parallelism(executor, threads);
    }

    /** One thread per available processor ({@link Runtime#availableProcessors()}), helpers on the common pool. */
    public static Parallelism defaults() {
        return threads(Runtime.getRuntime().availableProcessors());
    }

    private static void checkThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("parallelism needs at least 1 thread, got " + threads);
        }
    }

    /** The most threads a computation uses, the calling thread included. */
    public int threads() {
        return threads;
    }

    @Override
    public String toString() {
        return threads == 1 ? "Parallelism[serial]"
                : "Parallelism[threads=" + threads + ", executor=" + (executor == null ? "common pool" : executor) + "]";
    }

    /** One independent part of a computation. */
    @FunctionalInterface
    interface Part {
        void run(int part);
    }

    /**
     * One independent part of a computation, told which worker runs it: {@code worker} is in
     * {@code [0, workers(parts))}, 0 being the calling thread, and no two threads ever run parts with
     * the same worker number at once, so a part may use per-worker scratch and accumulators. Which
     * worker runs which part depends on scheduling; results must not (integer sums do not).
     */
    @FunctionalInterface
    interface WorkerPart {
        void run(int part, int worker);
    }

    /**
     * Parts to cut a computation of {@code units} equal units into: a few per thread, so that a
     * thread that starts late or is descheduled (a shared or virtual machine) leaves its share to the
     * others instead of holding up the result.
     */
    int parts(long units) {
        return (int) Math.max(1, Math.min(units, 4L * threads));
    }

    /** How many workers {@link #run(int, WorkerPart)} uses for {@code parts} parts. */
    int workers(int parts) {
        return Math.max(1, Math.min(threads, parts));
    }

    /**
     * Runs {@code task.run(p)} once for every {@code p} in {@code [0, parts)} and returns when all
     * are done. A part's exception is rethrown on the calling thread after every part has finished
     * (so no helper still touches the caller's arrays); further ones are attached as suppressed.
     * An interrupt of the calling thread does not cut the wait short (the helpers work on the
     * caller's arrays); the interrupt status is restored on return.
     */
    void run(int parts, Part task) {
        run(parts, (part, worker) -> task.run(part));
    }

    /** As {@link #run(int, Part)}, each part told its worker number (see {@link WorkerPart}). */
    void run(int parts, WorkerPart task) {
        int helpers = workers(parts) - 1;
        if (helpers <= 0) {
            for (int p = 0; p < parts; p++) {
                task.run(p, 0);
            }
            return;
        }
        Job job = new Job(parts, task);
        Executor ex = executor != null ? executor : ForkJoinPool.commonPool();
        for (int h = 0; h < helpers; h++) {
            try {
                ex.execute(job);
            } catch (RejectedExecutionException e) {
                break; // the calling thread claims the parts this helper would have run
            }
        }
        job.work(0);
        job.awaitAndRethrow();
    }

    private static final class Job implements Runnable {
        private final int parts;
        private final WorkerPart task;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger helpers = new AtomicInteger();
        private final CountDownLatch done;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int parts, WorkerPart task) {
            this.parts = parts;
            this.task = task;
            this.done = new CountDownLatch(parts);
        }

        /** A helper: workers 1, 2, ... in the order the helpers start (at most workers - 1 of them). */
        @Override
        public void run() {
            work(helpers.incrementAndGet());
        }

        void work(int worker) {
            int p;
            while ((p = next.getAndIncrement()) < parts) {
                try {
                    task.run(p, worker);
                } catch (Throwable t) {
                    if (!failure.compareAndSet(null, t)) {
                        failure.get().addSuppressed(t); // Throwable.addSuppressed is synchronized
                    }
                } finally {
                    done.countDown();
                }
            }
        }

        void awaitAndRethrow() {
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException) {
                throw (RuntimeException) t;
            }
            if (t instanceof Error) {
                throw (Error) t;
            }
            if (t != null) {
                throw new IllegalStateException("a part of a parallel computation failed", t);
            }
        }
    }
}
