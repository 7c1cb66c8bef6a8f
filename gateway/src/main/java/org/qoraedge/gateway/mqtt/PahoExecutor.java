package org.qoraedge.gateway.mqtt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.tinylog.Logger;

/**
 * The threads Paho runs on. Given an executor, Paho 1.2.5 submits its receiver, sender and
 * callback loops (and its connect and disconnect tasks) to it instead of starting bare threads.
 * A bare thread that throws dies unseen: Paho catches only {@code MqttException} and
 * {@code IOException} in its receiver, so an {@code OutOfMemoryError} or a
 * {@code RuntimeException} leaves a client that still says it is connected and never reads again.
 * Here every task runs inside a catch of {@link Throwable} that reports the failure, with the
 * name Paho gave the thread, to {@code onFailure} before the task ends.
 *
 * <p>Tasks run on a pool that grows as needed, like Paho's own bare threads: Paho 1.2.5 can leave
 * a loop's start waiting for ever after a reconnect (eclipse-paho/paho.mqtt.java issue 999), and
 * in a fixed pool each such thread would take a slot until the client could not run at all. Only
 * {@code schedule} uses the one thread of the scheduled pool this class is. Threads are daemons
 * in their own thread group (named after the client) and get their pool name back when a task
 * ends, so a thread called {@code MQTT Rec: ...} is one that is receiving. Paho never shuts this
 * executor down; {@link MqttLink#close} does.
 */
final class PahoExecutor extends ScheduledThreadPoolExecutor {
    private final BiConsumer<String, Throwable> onFailure;
    private final String idleName;
    private final ThreadPoolExecutor tasks;
    /** Threads running Paho's connect task now, with the {@link System#nanoTime} it started at. */
    private final Map<Thread, Long> connecting = new ConcurrentHashMap<>();

    /** The class of the task Paho 1.2.5 runs to open a connection (it starts the loops, then sends CONNECT). */
    static final String CONNECT_TASK = "org.eclipse.paho.client.mqttv3.internal.ClientComms$ConnectBG";

    PahoExecutor(String clientId, BiConsumer<String, Throwable> onFailure) {
        super(1, factory(clientId));
        this.onFailure = onFailure;
        this.idleName = "qora-mqtt-" + clientId;
        setRemoveOnCancelPolicy(true);
        this.tasks = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), factory(clientId));
    }

    @Override
    public void shutdown() {
        tasks.shutdown();
        super.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> left = new ArrayList<>(tasks.shutdownNow());
        left.addAll(super.shutdownNow());
        return left;
    }

    private static ThreadFactory factory(String clientId) {
        ThreadGroup group = new ThreadGroup("qora-mqtt-" + clientId);
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(group, r, "qora-mqtt-" + clientId + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The group of this client's library threads (tests check that Paho's receiver runs here). */
    static boolean isLibraryThreadOf(Thread t, String clientId) {
        ThreadGroup g = t.getThreadGroup();
        return g != null && g.getName().equals("qora-mqtt-" + clientId);
    }

    /**
     * Runs a task of Paho's. After {@link MqttLink#close} has shut this executor down, Paho can still
     * hand it one: its reconnect timer (a thread of its own) is not stopped by closing a client that
     * was reconnecting, and fires a connect. Such a task is dropped and logged at debug, instead of
     * a {@code RejectedExecutionException} killing the timer thread on stderr.
     */
    @Override
    public void execute(Runnable command) {
        try {
            tasks.execute(guarded(command));
        } catch (RejectedExecutionException e) {
            if (!tasks.isShutdown()) {
                throw e;
            }
            Logger.debug("{}: a task the MQTT library gave after its client was closed was not run: {}", idleName, command);
        }
    }

    /**
     * The futures Paho keeps of its loops are cancelled with {@code cancel(true)} when it stops them,
     * often from the loop's own thread (its receiver, on a lost connection): an interrupt there
     * breaks the rest of Paho's shutdown (its waits end early, the lost connection is never
     * reported, so it never reconnects). Without an executor Paho's loops are bare threads that
     * nothing interrupts; these futures keep that: {@code cancel} never interrupts.
     */
    @Override
    public Future<?> submit(Runnable task) {
        try {
            return new NoInterrupt<>(tasks.submit(guarded(task)));
        } catch (RejectedExecutionException e) {
            if (!tasks.isShutdown()) {
                throw e;
            }
            Logger.debug("{}: a task the MQTT library gave after its client was closed was not run: {}", idleName, task);
            CompletableFuture<Object> dropped = new CompletableFuture<>();
            dropped.cancel(false);
            return dropped;
        }
    }

    private record NoInterrupt<T>(Future<T> f) implements Future<T> {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return f.cancel(false);
        }

        @Override
        public boolean isCancelled() {
            return f.isCancelled();
        }

        @Override
        public boolean isDone() {
            return f.isDone();
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            return f.get();
        }

        @Override
        public T get(long timeout, TimeUnit unit)
                throws InterruptedException, ExecutionException, TimeoutException {
            return f.get(timeout, unit);
        }
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return tasks.submit(guarded(task), result);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return tasks.submit(() -> {
            Object[] out = new Object[1];
            Exception[] thrown = new Exception[1];
            guarded(() -> {
                try {
                    out[0] = task.call();
                } catch (Exception e) {
                    thrown[0] = e; // an exception the caller asked for through its Future, not a death
                }
            }).run();
            if (thrown[0] != null) {
                throw thrown[0];
            }
            @SuppressWarnings("unchecked")
            T t = (T) out[0];
            return t;
        });
    }

    /** The threads running Paho's connect task now, each with the {@link System#nanoTime} it started at. */
    Map<Thread, Long> connectTasks() {
        return Map.copyOf(connecting);
    }

    private Runnable guarded(Runnable task) {
        boolean connect = task.getClass().getName().equals(CONNECT_TASK);
        return () -> {
            Thread self = Thread.currentThread();
            if (connect) {
                connecting.put(self, System.nanoTime());
            }
            try {
                task.run();
            } catch (Throwable t) {
                String name = self.getName();
                try {
                    onFailure.accept(name, t);
                } catch (Throwable ignored) {
                    // the failure handler must not take the report down with it
                }
            } finally {
                if (connect) {
                    connecting.remove(self);
                }
                self.setName(idleName);
            }
        };
    }
}
