package org.qoraedge.gateway.ops;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * Tells systemd that the gateway is ready, and pings its watchdog only while the gateway is
 * healthy ({@link Health}): a gateway whose round worker or MQTT receiver stopped stops pinging,
 * and systemd restarts it {@code WatchdogSec} later (deploy/qora-edge-gateway.service). Pings go
 * out every third of the watchdog interval systemd gives the process ({@code WATCHDOG_USEC}),
 * each with a one-line {@code STATUS=} for {@code systemctl status}.
 */
public final class Watchdog implements AutoCloseable {
    /** Sends sd_notify assignments ({@code READY=1}, {@code WATCHDOG=1}, {@code STATUS=...}) to the service manager. */
    @FunctionalInterface
    public interface Notifier {
        void send(List<String> assignments) throws IOException;
    }

    private final Notifier notifier;
    private final Duration interval;
    private final Supplier<Health.Report> health;
    private final Supplier<String> status;
    private final ScheduledExecutorService timer;
    private final AtomicLong pings = new AtomicLong();
    private final AtomicLong withheld = new AtomicLong();
    private volatile boolean wasHealthy = true;
    private volatile boolean readySent;

    /**
     * @param interval time between health checks (a ping each time it is healthy)
     * @param status the {@code STATUS=} text sent with each ping
     */
    public Watchdog(Notifier notifier, Duration interval, Supplier<Health.Report> health, Supplier<String> status) {
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("watchdog interval must be > 0, got " + interval);
        }
        this.interval = interval;
        this.health = Objects.requireNonNull(health, "health");
        this.status = Objects.requireNonNull(status, "status");
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "qora-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The watchdog systemd asks for, from the environment it gives a service ({@code NOTIFY_SOCKET},
     * and {@code WATCHDOG_USEC} when the unit has {@code WatchdogSec=}; {@code WATCHDOG_PID}, when
     * set, must be this process); null when the process does not run under systemd's notify
     * protocol. Without {@code WATCHDOG_USEC} it only notifies readiness and status, every 10 s.
     */
    public static Watchdog fromEnvironment(Map<String, String> env, Supplier<Health.Report> health, Supplier<String> status) {
        if (env.get("NOTIFY_SOCKET") == null) {
            return null;
        }
        String pid = env.get("WATCHDOG_PID");
        String usec = env.get("WATCHDOG_USEC");
        boolean ours = pid == null || pid.equals(Long.toString(ProcessHandle.current().pid()));
        Duration interval = Duration.ofSeconds(10);
        if (usec != null && ours) {
            try {
                interval = Duration.ofNanos(Long.parseLong(usec) * 1000L / 3);
            } catch (NumberFormatException e) {
                Logger.warn("WATCHDOG_USEC = {} is not a number; pinging every {} s", usec, interval.toSeconds());
            }
        }
        return new Watchdog(new SystemdNotify(), interval, health, status);
    }

    /** Sends {@code READY=1} and starts the periodic check. */
    public void ready() {
        readySent = true;
        send(List.of("READY=1", "STATUS=" + status.get()));
        timer.scheduleWithFixedDelay(this::check, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** One check: a ping when healthy; otherwise the problems logged (once per unhealthy spell) and no ping. */
    void check() {
        try {
            Health.Report h = health.get();
            if (h.healthy()) {
                if (!wasHealthy) {
                    Logger.info("healthy again: pinging the service manager's watchdog");
                }
                wasHealthy = true;
                if (send(List.of("WATCHDOG=1", "STATUS=" + status.get()))) {
                    pings.incrementAndGet();
                }
            } else {
                withheld.incrementAndGet();
                if (wasHealthy) {
                    Logger.error("unhealthy, so the service manager's watchdog is not pinged (it restarts the gateway when it"
                            + " expires): {}", String.join("; ", h.problems()));
                }
                wasHealthy = false;
                send(List.of("STATUS=unhealthy: " + String.join("; ", h.problems())));
            }
        } catch (RuntimeException e) {
            Logger.error(e, "watchdog check failed");
        }
    }

    private boolean send(List<String> assignments) {
        try {
            notifier.send(assignments);
            return true;
        } catch (IOException | RuntimeException e) {
            Logger.warn("notifying the service manager ({}) failed: {}", assignments.get(0), e.getMessage());
            return false;
        }
    }

    /** Watchdog pings sent. */
    public long pings() {
        return pings.get();
    }

    /** Checks that found the gateway unhealthy (no ping sent). */
    public long withheld() {
        return withheld.get();
    }

    public Duration interval() {
        return interval;
    }

    /** Stops checking, and sends {@code STOPPING=1} if {@link #ready} was sent. */
    @Override
    public void close() {
        timer.shutdownNow();
        if (readySent) {
            send(List.of("STOPPING=1"));
        }
    }
}
