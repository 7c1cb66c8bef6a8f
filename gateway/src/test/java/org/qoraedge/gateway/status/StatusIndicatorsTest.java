package org.qoraedge.gateway.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.pi4j.context.Context;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusIndicatorsTest {
    @TempDir
    Path dir;

    private static final Supplier<Context> NO_CONTEXT = () -> {
        throw new AssertionError("no Pi4J context may be built here");
    };

    private Path model(String text) throws Exception {
        Path f = dir.resolve("model");
        Files.write(f, text.getBytes(StandardCharsets.UTF_8));
        return f;
    }

    @Test
    void disabledGpioGivesTheLoggingIndicatorWithoutTouchingPi4j() throws Exception {
        try (StatusIndicator i = StatusIndicators.create(GpioSettings.DISABLED, model("Raspberry Pi 5 Model B Rev 1.0\0"), NO_CONTEXT)) {
            assertInstanceOf(LoggingStatusIndicator.class, i);
        }
    }

    @Test
    void enabledGpioOffARaspberryPiGivesTheLoggingIndicator() throws Exception {
        GpioSettings enabled = MockGpio.settings();
        try (StatusIndicator i = StatusIndicators.create(enabled, dir.resolve("absent"), NO_CONTEXT)) {
            assertInstanceOf(LoggingStatusIndicator.class, i);
        }
        try (StatusIndicator i = StatusIndicators.create(enabled, model("Generic x86 PC\0"), NO_CONTEXT)) {
            assertInstanceOf(LoggingStatusIndicator.class, i);
        }
    }

    @Test
    void onThisBuildMachineThePublicFactoryGivesTheLoggingIndicator() {
        assumeTrue(StatusIndicators.raspberryPiModel(StatusIndicators.DEVICE_TREE_MODEL) == null, "running on a Raspberry Pi");
        try (StatusIndicator i = StatusIndicators.create(MockGpio.settings())) {
            assertInstanceOf(LoggingStatusIndicator.class, i);
        }
    }

    @Test
    void refusesAMockProviderOnARaspberryPiAndShutsItsContextDown() throws Exception {
        AtomicReference<Context> built = new AtomicReference<>();
        StatusIndicatorException e = assertThrows(StatusIndicatorException.class, () -> StatusIndicators.create(
                MockGpio.settings(), model("Raspberry Pi 4 Model B Rev 1.4\0"), () -> {
                    built.set(MockGpio.context());
                    return built.get();
                }));
        assertTrue(e.getMessage().startsWith("refusing Pi4J DIGITAL_OUTPUT provider 'mock-digital-output'"), e.getMessage());
        assertTrue(e.getMessage().contains("the mock plugin belongs in tests only"), e.getMessage());
        assertTrue(built.get().isShutdown());
    }

    @Test
    void aPi4jFailureOnARaspberryPiIsReportedNotSwallowed() throws Exception {
        StatusIndicatorException e = assertThrows(StatusIndicatorException.class, () -> StatusIndicators.create(
                MockGpio.settings(), model("Raspberry Pi 5 Model B Rev 1.0\0"), () -> {
                    throw new IllegalStateException("cannot open /dev/gpiochip0");
                }));
        assertTrue(e.getMessage().startsWith("cannot start Pi4J with the gpiod provider on Raspberry Pi 5 Model B Rev 1.0"),
                e.getMessage());
    }

    @Test
    void readsTheModelNameUpToItsNul() throws Exception {
        assertEquals("Raspberry Pi Zero 2 W Rev 1.0", StatusIndicators.raspberryPiModel(model("Raspberry Pi Zero 2 W Rev 1.0\0")));
        assertEquals("Raspberry Pi 3 Model B Plus Rev 1.3", StatusIndicators.raspberryPiModel(model("Raspberry Pi 3 Model B Plus Rev 1.3\n")));
        assertNull(StatusIndicators.raspberryPiModel(model("Radxa ROCK 5B\0")));
        assertNull(StatusIndicators.raspberryPiModel(dir.resolve("absent")));
        assertNull(StatusIndicators.raspberryPiModel(dir), "a directory is not a model file");
    }
}
