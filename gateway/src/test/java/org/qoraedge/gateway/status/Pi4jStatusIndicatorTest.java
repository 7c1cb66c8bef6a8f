package org.qoraedge.gateway.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qoraedge.gateway.status.MockGpio.high;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qoraedge.gateway.status.StatusIndicator.Phase;
import org.qoraedge.gateway.testing.AllowsStderr;

/** Drives the Pi4J indicator on Pi4J's mock providers and reads the pins back. */
class Pi4jStatusIndicatorTest {
    private static final int IDLE = 17;
    private static final int COLLECTING = 27;
    private static final int AGGREGATING = 22;
    private static final int ATTACK = 23;
    private static final int ERROR = 24;
    private static final int BUZZER = 25;
    private static final int BUTTON = 5;
    private static final int[] LEDS = {IDLE, COLLECTING, AGGREGATING, ATTACK, ERROR};

    private final ManualScheduler scheduler = new ManualScheduler();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private Context context;
    private Pi4jStatusIndicator indicator;
    private Map<Integer, DigitalOutput> pins;

    private void start(GpioSettings settings) {
        context = MockGpio.context();
        indicator = new Pi4jStatusIndicator(context, settings, scheduler, nanos::get);
        pins = MockGpio.outputs(context);
    }

    private void startWithBuzzerAndButton(String... more) {
        List<String> kv = new ArrayList<>(List.of(GpioSettings.BUZZER, "" + BUZZER, GpioSettings.BUTTON, "" + BUTTON));
        kv.addAll(List.of(more));
        start(MockGpio.settings(kv.toArray(String[]::new)));
    }

    @AfterEach
    void close() {
        if (indicator != null) {
            indicator.close();
        }
    }

    /** The BCM pins that are high, in the order of {@code candidates}. */
    private List<Integer> lit(int... candidates) {
        List<Integer> on = new ArrayList<>();
        for (int pin : candidates) {
            if (high(pins, pin)) {
                on.add(pin);
            }
        }
        return on;
    }

    private void advanceMillis(long ms) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void createsAnOutputOnEachConfiguredPinAndStartsWithOnlyTheIdleLedLit() {
        startWithBuzzerAndButton();
        assertEquals(Set.of(IDLE, COLLECTING, AGGREGATING, ATTACK, ERROR, BUZZER), pins.keySet());
        assertEquals(List.of(IDLE), lit(IDLE, COLLECTING, AGGREGATING, ATTACK, ERROR, BUZZER));
        assertEquals(DigitalState.LOW, pins.get(BUZZER).state());
    }

    @Test
    void usesTheConfiguredPins() {
        start(MockGpio.settings(GpioSettings.LED_IDLE, "4", GpioSettings.LED_COLLECTING, "5", GpioSettings.LED_AGGREGATING, "6",
                GpioSettings.LED_ATTACK, "12", GpioSettings.LED_ERROR, "13"));
        assertEquals(Set.of(4, 5, 6, 12, 13), pins.keySet());
        indicator.phase(Phase.AGGREGATING);
        indicator.error(true);
        assertEquals(List.of(6, 13), lit(4, 5, 6, 12, 13));
    }

    @ParameterizedTest
    @EnumSource(Phase.class)
    void eachPhaseLightsExactlyItsOwnLed(Phase phase) {
        start(MockGpio.settings());
        int expected = switch (phase) {
            case IDLE -> IDLE;
            case COLLECTING -> COLLECTING;
            case AGGREGATING -> AGGREGATING;
        };
        // From every other phase, so each transition is exercised.
        for (Phase from : Phase.values()) {
            indicator.phase(from);
            indicator.phase(phase);
            assertEquals(List.of(expected), lit(LEDS), "from " + from + " to " + phase);
        }
    }

    @Test
    void aRoundCycleKeepsTheAttackAndErrorLedsIndependentOfThePhase() {
        start(MockGpio.settings());
        indicator.phase(Phase.COLLECTING);
        indicator.attackSuspected(true);
        assertEquals(List.of(COLLECTING, ATTACK), lit(LEDS));
        indicator.phase(Phase.AGGREGATING);
        indicator.error(true);
        assertEquals(List.of(AGGREGATING, ATTACK, ERROR), lit(LEDS));
        indicator.phase(Phase.IDLE);
        indicator.attackSuspected(false);
        assertEquals(List.of(IDLE, ERROR), lit(LEDS));
        indicator.error(false);
        assertEquals(List.of(IDLE), lit(LEDS));
    }

    @Test
    void attackSuspectedLightsItsLedAndBeepsOnceWhenItTurnsOn() {
        startWithBuzzerAndButton();
        indicator.attackSuspected(true);
        assertTrue(high(pins, ATTACK));
        assertTrue(high(pins, BUZZER));
        scheduler.advance(199);
        assertTrue(high(pins, BUZZER));
        scheduler.advance(1);
        assertFalse(high(pins, BUZZER));
        assertEquals(0, scheduler.pending());

        indicator.attackSuspected(true); // a repeat: no new beep
        assertFalse(high(pins, BUZZER));
        assertEquals(0, scheduler.pending());

        indicator.attackSuspected(false);
        assertFalse(high(pins, ATTACK));
        assertFalse(high(pins, BUZZER));
        assertEquals(0, scheduler.pending());
    }

    @Test
    void errorLightsItsLedAndBeepsThreeTimes() {
        startWithBuzzerAndButton();
        indicator.error(true);
        assertTrue(high(pins, ERROR));
        List<Boolean> buzzer = new ArrayList<>();
        for (int t = 0; t < 600; t += 50) {
            buzzer.add(high(pins, BUZZER));
            scheduler.advance(50);
        }
        // 100 ms on, 100 off, 100 on, 100 off, 100 on, then off; sampled every 50 ms.
        assertEquals(List.of(true, true, false, false, true, true, false, false, true, true, false, false), buzzer);
        assertTrue(high(pins, ERROR), "the LED stays lit after the beeps");
        indicator.error(false);
        assertFalse(high(pins, ERROR));
    }

    @Test
    void aNewBuzzerPatternReplacesOneStillPlaying() {
        startWithBuzzerAndButton();
        indicator.error(true);
        scheduler.advance(150); // in the first gap
        assertFalse(high(pins, BUZZER));
        indicator.attackSuspected(true); // one 200 ms beep from now
        assertTrue(high(pins, BUZZER));
        scheduler.advance(199);
        assertTrue(high(pins, BUZZER), "the error pattern's off step at 200 ms must not cut the new beep");
        scheduler.advance(1);
        assertFalse(high(pins, BUZZER));
        scheduler.advance(1000);
        assertFalse(high(pins, BUZZER), "the replaced pattern's later steps do nothing");
    }

    @Test
    void withoutABuzzerOnlyTheLedsChange() {
        start(MockGpio.settings());
        indicator.attackSuspected(true);
        indicator.error(true);
        assertEquals(0, scheduler.pending());
        assertEquals(List.of(IDLE, ATTACK, ERROR), lit(LEDS));
    }

    @Test
    void activeLowLedsAreDrivenLowWhenLitWhileTheBuzzerStaysActiveHigh() {
        startWithBuzzerAndButton(GpioSettings.LED_ACTIVE_LOW, "true");
        assertEquals(List.of(COLLECTING, AGGREGATING, ATTACK, ERROR), lit(LEDS), "only idle is lit, so only idle is low");
        assertFalse(high(pins, BUZZER));
        indicator.phase(Phase.COLLECTING);
        indicator.attackSuspected(true);
        assertEquals(List.of(IDLE, AGGREGATING, ERROR), lit(LEDS));
        assertTrue(high(pins, BUZZER));
        indicator.close();
        assertEquals(List.of(IDLE, COLLECTING, AGGREGATING, ATTACK, ERROR), lit(LEDS), "off is high");
        assertFalse(high(pins, BUZZER));
    }

    @Test
    void aButtonPressRunsTheActionOncePerPressDespiteContactBounce() {
        startWithBuzzerAndButton(GpioSettings.BUTTON_DEBOUNCE, "50");
        AtomicInteger presses = new AtomicInteger();
        indicator.onButton(presses::incrementAndGet);
        MockDigitalInput button = MockGpio.input(context, BUTTON);
        assertEquals(PullResistance.PULL_UP, button.pull());

        button.mockState(DigitalState.HIGH); // released: the pull-up holds the line high
        assertEquals(0, presses.get());
        advanceMillis(1000);
        button.mockState(DigitalState.LOW); // pressed
        assertEquals(1, presses.get());
        for (int i = 0; i < 3; i++) { // bounce while pressing
            advanceMillis(2);
            button.mockState(DigitalState.HIGH);
            advanceMillis(2);
            button.mockState(DigitalState.LOW);
        }
        assertEquals(1, presses.get());
        advanceMillis(500);
        button.mockState(DigitalState.HIGH); // released
        advanceMillis(3);
        button.mockState(DigitalState.LOW); // bounce on release
        advanceMillis(3);
        button.mockState(DigitalState.HIGH);
        assertEquals(1, presses.get());

        advanceMillis(49);
        button.mockState(DigitalState.LOW); // 49 ms after the last edge: still bounce
        assertEquals(1, presses.get());
        advanceMillis(1);
        button.mockState(DigitalState.HIGH);
        advanceMillis(50);
        button.mockState(DigitalState.LOW); // quiet for exactly the debounce interval: a press
        assertEquals(2, presses.get());
    }

    @Test
    void theLastRegisteredButtonActionIsTheOneThatRuns() {
        startWithBuzzerAndButton(GpioSettings.BUTTON_DEBOUNCE, "0");
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        MockDigitalInput button = MockGpio.input(context, BUTTON);
        button.mockState(DigitalState.HIGH);
        button.mockState(DigitalState.LOW); // no action registered yet: nothing happens
        indicator.onButton(first::incrementAndGet);
        indicator.onButton(second::incrementAndGet);
        button.mockState(DigitalState.HIGH);
        button.mockState(DigitalState.LOW);
        assertEquals(0, first.get());
        assertEquals(1, second.get());
    }

    @Test
    @AllowsStderr("the failing button action is logged at ERROR")
    void aFailingButtonActionIsLoggedAndTheButtonKeepsWorking() {
        startWithBuzzerAndButton(GpioSettings.BUTTON_DEBOUNCE, "0");
        AtomicInteger calls = new AtomicInteger();
        indicator.onButton(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("provoked");
        });
        MockDigitalInput button = MockGpio.input(context, BUTTON);
        button.mockState(DigitalState.HIGH);
        button.mockState(DigitalState.LOW);
        button.mockState(DigitalState.HIGH);
        button.mockState(DigitalState.LOW);
        assertEquals(2, calls.get());
    }

    @Test
    void closeTurnsEveryOutputOffStopsTheTimerAndShutsPi4jDown() {
        startWithBuzzerAndButton();
        AtomicInteger presses = new AtomicInteger();
        indicator.onButton(presses::incrementAndGet);
        MockDigitalInput button = MockGpio.input(context, BUTTON);
        indicator.phase(Phase.AGGREGATING);
        indicator.attackSuspected(true);
        indicator.error(true);
        assertTrue(high(pins, BUZZER));

        indicator.close();
        assertEquals(List.of(), lit(IDLE, COLLECTING, AGGREGATING, ATTACK, ERROR, BUZZER));
        assertTrue(scheduler.closed());
        assertTrue(context.isShutdown());

        scheduler.advance(1000); // buzzer steps still queued do nothing
        indicator.phase(Phase.COLLECTING); // late calls are ignored
        indicator.attackSuspected(false);
        indicator.error(true);
        button.mockState(DigitalState.HIGH);
        advanceMillis(1000);
        button.mockState(DigitalState.LOW);
        assertEquals(List.of(), lit(IDLE, COLLECTING, AGGREGATING, ATTACK, ERROR, BUZZER));
        assertEquals(0, presses.get());
        indicator.close(); // idempotent
    }

    @Test
    void aButtonWithoutADigitalInputProviderIsRefusedAndTheContextShutDown() {
        Context outputOnly = MockGpio.outputOnlyContext();
        StatusIndicatorException e = assertThrows(StatusIndicatorException.class,
                () -> new Pi4jStatusIndicator(outputOnly, MockGpio.settings(GpioSettings.BUTTON, "5"), scheduler, nanos::get));
        assertTrue(e.getMessage().contains("no digital input provider"), e.getMessage());
        assertTrue(outputOnly.isShutdown());
    }

    @Test
    void withoutAButtonNoInputIsCreated() {
        Context outputOnly = MockGpio.outputOnlyContext();
        try (Pi4jStatusIndicator i = new Pi4jStatusIndicator(outputOnly, MockGpio.settings(), scheduler, nanos::get)) {
            i.onButton(() -> {
                throw new AssertionError("no button");
            });
            assertTrue(outputOnly.registry().allByType(DigitalInput.class).isEmpty());
        }
    }

    @Test
    void thePublicConstructorTimesTheBuzzerOnItsOwnThread() throws Exception {
        context = MockGpio.context();
        indicator = new Pi4jStatusIndicator(context, MockGpio.settings(GpioSettings.BUZZER, "" + BUZZER));
        pins = MockGpio.outputs(context);
        indicator.attackSuspected(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (high(pins, BUZZER) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(high(pins, BUZZER), "the beep ends by itself");
        assertTrue(high(pins, ATTACK));
    }
}
