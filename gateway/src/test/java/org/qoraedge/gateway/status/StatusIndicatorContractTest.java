package org.qoraedge.gateway.status;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.gateway.status.StatusIndicator.Phase;

/** What every implementation promises, run over each of them. */
class StatusIndicatorContractTest {
    static Stream<Arguments> implementations() {
        Supplier<StatusIndicator> none = () -> StatusIndicator.NONE;
        Supplier<StatusIndicator> logging = LoggingStatusIndicator::new;
        Supplier<StatusIndicator> pi4j = () -> new Pi4jStatusIndicator(MockGpio.context(),
                MockGpio.settings(GpioSettings.BUZZER, "25", GpioSettings.BUTTON, "5"), new ManualScheduler(), System::nanoTime);
        return Stream.of(Arguments.of("none", none), Arguments.of("logging", logging), Arguments.of("pi4j", pi4j));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void acceptsRepeatsAndEveryTransition(String name, Supplier<StatusIndicator> factory) {
        try (StatusIndicator i = factory.get()) {
            for (Phase p : Phase.values()) {
                i.phase(p);
                i.phase(p);
            }
            i.attackSuspected(true);
            i.attackSuspected(true);
            i.attackSuspected(false);
            i.error(false);
            i.error(true);
            i.error(true);
            i.error(false);
            i.onButton(() -> { });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void refusesNullArguments(String name, Supplier<StatusIndicator> factory) {
        try (StatusIndicator i = factory.get()) {
            assertThrows(NullPointerException.class, () -> i.phase(null));
            assertThrows(NullPointerException.class, () -> i.onButton(null));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("implementations")
    void ignoresCallsAfterCloseAndClosesTwice(String name, Supplier<StatusIndicator> factory) {
        StatusIndicator i = factory.get();
        i.close();
        i.phase(Phase.AGGREGATING);
        i.attackSuspected(true);
        i.error(true);
        i.onButton(() -> { });
        i.close();
    }
}
