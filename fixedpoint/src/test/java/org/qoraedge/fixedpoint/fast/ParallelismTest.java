package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelismTest {
    private static final ExecutorService POOL = Executors.newFixedThreadPool(3, r -> {
        Thread t = new Thread(r, "parallelism-test");
        t.setDaemon(true);
        return t;
    });

    private static void runAll(Parallelism p, int parts) {
        AtomicIntegerArray ran = new AtomicIntegerArray(parts);
        p.run(parts, ran::incrementAndGet);
        for (int i = 0; i < parts; i++) {
            assertEquals(1, ran.get(i), "part " + i + " ran once");
        }
    }

    @Test
    void everyPartRunsExactlyOnce() {
        runAll(Parallelism.serial(), 7);
        runAll(Parallelism.threads(3), 1);
        runAll(Parallelism.threads(3), 50);
        runAll(Parallelism.of(Runnable::run, 4), 9);
    }

    /** Worker numbers are in range and never shared by two threads at once; the caller is worker 0. */
    @Test
    void workerNumbersAreExclusive() throws Exception {
        for (Parallelism p : new Parallelism[] {Parallelism.threads(3), Parallelism.of(POOL, 4), Parallelism.of(Runnable::run, 3)}) {
            int parts = p.parts(1000);
            int workers = p.workers(parts);
            assertEquals(4 * p.threads(), parts);
            AtomicIntegerArray busy = new AtomicIntegerArray(workers);
            AtomicIntegerArray ran = new AtomicIntegerArray(parts);
            Thread caller = Thread.currentThread();
            p.run(parts, (part, w) -> {
                assertTrue(w >= 0 && w < workers, "worker " + w);
                assertEquals(1, busy.incrementAndGet(w), "worker " + w + " busy twice");
                if (w == 0) {
                    assertSame(caller, Thread.currentThread());
                }
                Thread.onSpinWait();
                ran.incrementAndGet(part);
                busy.decrementAndGet(w);
            });
            for (int i = 0; i < parts; i++) {
                assertEquals(1, ran.get(i));
            }
        }
    }

    @Test
    void theCallerDoesTheWorkWhenTheExecutorRejectsOrNeverRuns() {
        Executor rejecting = r -> {
            throw new RejectedExecutionException("full");
        };
        runAll(Parallelism.of(rejecting, 4), 10);
        Executor idle = r -> { }; // accepts and never runs: the caller must not wait for it
        runAll(Parallelism.of(idle, 4), 10);
    }

    @Test
    void aPartsExceptionReachesTheCallerAfterEveryPartFinished() {
        AtomicIntegerArray ran = new AtomicIntegerArray(6);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallelism.threads(3).run(6, p -> {
            ran.incrementAndGet(p);
            if (p % 2 == 1) {
                throw new IllegalStateException("part " + p);
            }
        }));
        assertTrue(e.getMessage().startsWith("part "));
        assertEquals(2, e.getSuppressed().length);
        for (int i = 0; i < 6; i++) {
            assertEquals(1, ran.get(i));
        }
    }

    @Test
    void anInterruptDoesNotCutTheWaitShortAndIsKept() {
        Thread.currentThread().interrupt();
        try {
            runAll(Parallelism.threads(2), 8);
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void refusesFewerThanOneThread() {
        assertThrows(IllegalArgumentException.class, () -> Parallelism.threads(0));
        assertThrows(IllegalArgumentException.class, () -> Parallelism.of(Runnable::run, -1));
        assertThrows(NullPointerException.class, () -> Parallelism.of(null, 2));
        assertSame(Parallelism.serial(), Parallelism.threads(1));
        assertEquals(Runtime.getRuntime().availableProcessors(), Parallelism.defaults().threads());
    }
}
