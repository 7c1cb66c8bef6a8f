package org.qoraedge.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A task Paho runs on the link's executor that dies of any Throwable is reported, named as Paho named its thread. */
class PahoExecutorTest {
    @Test
    void reportsATaskThatDiesOfAnErrorWithTheThreadNamePahoGaveIt() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch reported = new CountDownLatch(1);
        PahoExecutor ex = new PahoExecutor("exec-test", (t, e) -> {
            thread.set(t);
            failure.set(e);
            reported.countDown();
        });
        try {
            ex.submit(() -> {
                Thread.currentThread().setName("MQTT Rec: exec-test");
                throw new OutOfMemoryError("Java heap space");
            });
            assertTrue(reported.await(5, TimeUnit.SECONDS));
            assertEquals("MQTT Rec: exec-test", thread.get());
            assertInstanceOf(OutOfMemoryError.class, failure.get());
            // The pool thread got its own name back: only a receiving thread is called "MQTT Rec: ...".
            AtomicReference<String> after = new AtomicReference<>();
            ex.submit(() -> after.set(Thread.currentThread().getName())).get(5, TimeUnit.SECONDS);
            assertTrue(after.get().startsWith("qora-mqtt-exec-test"), after.get());
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void reportsExecutedTasksToo() throws Exception {
        CountDownLatch reported = new CountDownLatch(1);
        PahoExecutor ex = new PahoExecutor("exec-test-2", (t, e) -> reported.countDown());
        try {
            ex.execute(() -> {
                throw new IllegalArgumentException("Invalid UTF-8 char: [fffd]");
            });
            assertTrue(reported.await(5, TimeUnit.SECONDS));
        } finally {
            ex.shutdownNow();
        }
    }

    /** Paho can leave a loop's start waiting for ever after a reconnect: stuck tasks must not starve new ones. */
    @Test
    void tasksThatNeverEndDoNotStarveTheNextOnes() throws Exception {
        PahoExecutor ex = new PahoExecutor("exec-test-3", (t, e) -> { });
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (int i = 0; i < 40; i++) {
                ex.submit(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            CountDownLatch ran = new CountDownLatch(1);
            ex.execute(ran::countDown);
            assertTrue(ran.await(5, TimeUnit.SECONDS), "a new task ran beside 40 stuck ones");
        } finally {
            release.countDown();
            ex.shutdownNow();
        }
    }

    /** Paho's reconnect timer can fire a connect after the link closed the client and this executor. */
    @Test
    void aTaskGivenAfterShutdownIsDroppedNotThrownAtPahosThread() throws Exception {
        PahoExecutor ex = new PahoExecutor("exec-test-4", (t, e) -> { });
        ex.shutdownNow();
        AtomicBoolean ran = new AtomicBoolean();
        ex.execute(() -> ran.set(true));
        Future<?> f = ex.submit(() -> ran.set(true));
        assertTrue(f.isCancelled(), "the loop Paho submitted is reported as not run");
        Thread.sleep(100);
        assertTrue(!ran.get(), "nothing ran");
    }
}
