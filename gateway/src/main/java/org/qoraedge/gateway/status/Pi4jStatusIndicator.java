package org.qoraedge.gateway.status;

import com.pi4j.context.Context;
import com.pi4j.io.IOType;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputProvider;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputProvider;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.tinylog.Logger;

/**
 * The status indicator on a Raspberry Pi's GPIO header through Pi4J 2 (docs/GPIO.md): one digital
 * output per LED, one for the buzzer (active high) if configured, and one pulled-up digital input
 * for a button to GND if configured.
 *
 * <p>Outputs start off, except the idle LED. Buzzer patterns: one 200 ms beep when attack
 * suspected turns on, three 100 ms beeps (100 ms apart) when error turns on; a new pattern
 * replaces one still playing. They are timed on a daemon thread of this indicator.
 *
 * <p>Button: a press is the line falling to low (the internal pull-up holds it high until the
 * button shorts it to GND). A press is accepted when the line had no edge for
 * {@code gpio.button.debounceMillis} before it, so contact bounce on press and on release does
 * not count as more presses; the same interval is handed to Pi4J's own debouncing.
 *
 * <p>Thread-safe: the outputs are written under one lock; the button action runs on Pi4J's event
 * thread outside that lock. A failed pin write throws {@link StatusIndicatorException} to the
 * caller (or is logged, for a buzzer step on the timer thread).
 */
public final class Pi4jStatusIndicator implements StatusIndicator {
    /** The attack-suspected beep: on for 200 ms. */
    static final long[] ATTACK_PATTERN = {200};
    /** The error pattern: on, off, on, off, on, 100 ms each. */
    static final long[] ERROR_PATTERN = {100, 100, 100, 100, 100};

    /** Runs buzzer steps later; replaced in tests by one that runs them on demand. */
    interface Scheduler {
        void schedule(long delayMillis, Runnable task);

        void close();
    }

    private final Context context;
    private final boolean ledActiveLow;
    private final DigitalOutput[] phaseLeds = new DigitalOutput[Phase.values().length];
    private final DigitalOutput attackLed;
    private final DigitalOutput errorLed;
    private final DigitalOutput buzzer;
    private final DigitalInput button;
    private final DigitalStateChangeListener buttonListener;
    private final Scheduler scheduler;
    private final LongSupplier nanoClock;
    private final long debounceNanos;

    private final Object lock = new Object();
    private Phase phase = Phase.IDLE;
    private boolean attack;
    private boolean error;
    private boolean closed;
    private int buzzerGeneration;
    private Runnable buttonAction;
    private boolean buttonSeenEdge;
    private long lastButtonEdgeNanos;

    /**
     * Creates the outputs (and the button input) on {@code context}'s default digital output and
     * input providers; the gateway passes a context holding only the gpiod providers
     * ({@link StatusIndicators}), tests one holding Pi4J's mock providers. Takes ownership of the
     * context: {@link #close()} shuts it down, and so does a failure here.
     *
     * @throws StatusIndicatorException if the context lacks a digital output (or, with a button,
     *     input) provider, or Pi4J cannot set up a pin
     */
    public Pi4jStatusIndicator(Context context, GpioSettings settings) {
        this(context, settings, null, System::nanoTime);
    }

    /** With a buzzer timer and a clock of the caller's (null scheduler: a daemon thread of its own). */
    Pi4jStatusIndicator(Context context, GpioSettings settings, Scheduler scheduler, LongSupplier nanoClock) {
        this.context = Objects.requireNonNull(context, "context");
        Objects.requireNonNull(settings, "settings");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.ledActiveLow = settings.ledActiveLow();
        this.debounceNanos = TimeUnit.MILLISECONDS.toNanos(settings.debounceMillis());
        Scheduler createdScheduler = null;
        try {
            DigitalOutputProvider outputs = outputProvider(context);
            phaseLeds[Phase.IDLE.ordinal()] = output(outputs, "qora-led-idle", "idle LED", settings.idlePin(), ledActiveLow);
            phaseLeds[Phase.COLLECTING.ordinal()] = output(outputs, "qora-led-collecting", "collecting LED",
                    settings.collectingPin(), ledActiveLow);
            phaseLeds[Phase.AGGREGATING.ordinal()] = output(outputs, "qora-led-aggregating", "aggregating LED",
                    settings.aggregatingPin(), ledActiveLow);
            attackLed = output(outputs, "qora-led-attack", "attack-suspected LED", settings.attackPin(), ledActiveLow);
            errorLed = output(outputs, "qora-led-error", "error LED", settings.errorPin(), ledActiveLow);
            if (settings.buzzerPin().isPresent()) {
                buzzer = output(outputs, "qora-buzzer", "buzzer", settings.buzzerPin().getAsInt(), false);
                createdScheduler = scheduler != null ? scheduler : daemonScheduler();
            } else {
                buzzer = null;
            }
            this.scheduler = createdScheduler;
            if (settings.buttonPin().isPresent()) {
                DigitalInputProvider inputs = inputProvider(context);
                button = inputs.create(DigitalInput.newConfigBuilder(context)
                        .id("qora-button")
                        .name("status button")
                        .address(settings.buttonPin().getAsInt())
                        .pull(PullResistance.PULL_UP)
                        .debounce(TimeUnit.MILLISECONDS.toMicros(settings.debounceMillis())));
                buttonListener = event -> onButtonEdge(event.state());
                button.addListener(buttonListener);
            } else {
                button = null;
                buttonListener = null;
            }
            write(phaseLeds[Phase.IDLE.ordinal()], true, ledActiveLow);
        } catch (RuntimeException e) {
            if (createdScheduler != null) {
                createdScheduler.close();
            }
            try {
                context.shutdown();
            } catch (RuntimeException shutdownFailure) {
                e.addSuppressed(shutdownFailure);
            }
            if (e instanceof StatusIndicatorException) {
                throw e;
            }
            throw new StatusIndicatorException("cannot set up the GPIO status indicator (" + settings + "): " + e, e);
        }
    }

    private static DigitalOutputProvider outputProvider(Context context) {
        if (!context.hasProvider(IOType.DIGITAL_OUTPUT)) {
            throw new StatusIndicatorException("the Pi4J context has no digital output provider");
        }
        return context.provider(IOType.DIGITAL_OUTPUT);
    }

    private static DigitalInputProvider inputProvider(Context context) {
        if (!context.hasProvider(IOType.DIGITAL_INPUT)) {
            throw new StatusIndicatorException("the Pi4J context has no digital input provider (needed for gpio.button)");
        }
        return context.provider(IOType.DIGITAL_INPUT);
    }

    private DigitalOutput output(DigitalOutputProvider provider, String id, String name, int bcm, boolean activeLow) {
        DigitalState off = activeLow ? DigitalState.HIGH : DigitalState.LOW;
        return provider.create(DigitalOutput.newConfigBuilder(context)
                .id(id)
                .name(name)
                .address(bcm)
                .initial(off)
                .shutdown(off));
    }

    private static Scheduler daemonScheduler() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "qora-status-buzzer");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return new Scheduler() {
            @Override
            public void schedule(long delayMillis, Runnable task) {
                executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }

    private static void write(DigitalOutput output, boolean on, boolean activeLow) {
        DigitalState level = on != activeLow ? DigitalState.HIGH : DigitalState.LOW;
        try {
            output.state(level);
        } catch (RuntimeException e) {
            throw new StatusIndicatorException("cannot drive the " + output.name() + " (BCM " + output.address() + ") "
                    + level + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void phase(Phase p) {
        Objects.requireNonNull(p, "phase");
        synchronized (lock) {
            if (closed || p == phase) {
                return;
            }
            // Old LED off before the new one on: never two phase LEDs lit at once.
            write(phaseLeds[phase.ordinal()], false, ledActiveLow);
            phase = p;
            write(phaseLeds[p.ordinal()], true, ledActiveLow);
        }
    }

    @Override
    public void attackSuspected(boolean suspected) {
        synchronized (lock) {
            if (closed || suspected == attack) {
                return;
            }
            attack = suspected;
            write(attackLed, suspected, ledActiveLow);
            if (suspected) {
                play(ATTACK_PATTERN);
            }
        }
    }

    @Override
    public void error(boolean on) {
        synchronized (lock) {
            if (closed || on == error) {
                return;
            }
            error = on;
            write(errorLed, on, ledActiveLow);
            if (on) {
                play(ERROR_PATTERN);
            }
        }
    }

    /** Starts a buzzer pattern (alternating on and off durations, starting with on); caller holds the lock. */
    private void play(long[] onOff) {
        if (buzzer == null) {
            return;
        }
        int generation = ++buzzerGeneration;
        write(buzzer, true, false);
        long at = 0;
        for (int i = 0; i < onOff.length; i++) {
            at += onOff[i];
            boolean next = i % 2 == 1; // after an on-duration: off; after an off-gap: on
            scheduler.schedule(at, () -> buzzerStep(generation, next));
        }
    }

    private void buzzerStep(int generation, boolean on) {
        synchronized (lock) {
            if (closed || generation != buzzerGeneration) {
                return;
            }
            try {
                write(buzzer, on, false);
            } catch (StatusIndicatorException e) {
                Logger.error(e, "status buzzer step failed");
            }
        }
    }

    @Override
    public void onButton(Runnable action) {
        Objects.requireNonNull(action, "action");
        synchronized (lock) {
            buttonAction = action;
        }
    }

    /** Pi4J's event thread: decide under the lock, run the action outside it. */
    private void onButtonEdge(DigitalState level) {
        long now = nanoClock.getAsLong();
        Runnable action = null;
        synchronized (lock) {
            boolean quiet = !buttonSeenEdge || now - lastButtonEdgeNanos >= debounceNanos;
            buttonSeenEdge = true;
            lastButtonEdgeNanos = now;
            if (level == DigitalState.LOW && quiet && !closed) {
                action = buttonAction;
            }
        }
        if (action != null) {
            try {
                action.run();
            } catch (RuntimeException e) {
                Logger.error(e, "status button action failed");
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            buzzerGeneration++;
        }
        StatusIndicatorException failure = null;
        if (button != null) {
            button.removeListener(buttonListener);
        }
        if (scheduler != null) {
            scheduler.close();
        }
        DigitalOutput[] outputs = {phaseLeds[0], phaseLeds[1], phaseLeds[2], attackLed, errorLed, buzzer};
        for (DigitalOutput o : outputs) {
            if (o == null) {
                continue;
            }
            try {
                write(o, false, o != buzzer && ledActiveLow);
            } catch (StatusIndicatorException e) {
                failure = collect(failure, e);
            }
        }
        try {
            context.shutdown();
        } catch (RuntimeException e) {
            failure = collect(failure, e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static StatusIndicatorException collect(StatusIndicatorException failure, RuntimeException e) {
        if (failure == null) {
            return new StatusIndicatorException("closing the GPIO status indicator failed: " + e.getMessage(), e);
        }
        failure.addSuppressed(e);
        return failure;
    }

    @Override
    public String toString() {
        return "Pi4jStatusIndicator";
    }
}
