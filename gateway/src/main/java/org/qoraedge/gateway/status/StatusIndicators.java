package org.qoraedge.gateway.status;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.IOType;
import com.pi4j.plugin.gpiod.GpioDPlugin;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.provider.Provider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;
import org.tinylog.Logger;

/** Picks the status indicator for the gateway's settings and the machine it runs on. */
public final class StatusIndicators {
    /** Where Linux exposes the board's model name; on a Raspberry Pi it starts with "Raspberry Pi". */
    static final Path DEVICE_TREE_MODEL = Path.of("/proc/device-tree/model");

    private StatusIndicators() {
    }

    /**
     * The status indicator for {@code settings}:
     * <ul>
     * <li>{@code gpio.enabled = false}: a {@link LoggingStatusIndicator};</li>
     * <li>enabled, but this is not a Raspberry Pi ({@code /proc/device-tree/model} missing or not
     * naming one): a {@link LoggingStatusIndicator}, after a warning in the log;</li>
     * <li>enabled on a Raspberry Pi: a {@link Pi4jStatusIndicator} on a Pi4J context holding only
     * the gpiod digital output and input providers (no classpath scan, no mock plugin, no Pi4J
     * shutdown hook: the gateway closes the indicator itself).</li>
     * </ul>
     *
     * @throws StatusIndicatorException if the GPIO cannot be set up on a Raspberry Pi (e.g. the
     *     user may not open /dev/gpiochip*), or the context's providers are not gpiod's
     */
    public static StatusIndicator create(GpioSettings settings) {
        return create(settings, DEVICE_TREE_MODEL, StatusIndicators::gpiodContext);
    }

    /** {@link #create(GpioSettings)} with the model file and the Pi4J context of the caller's (tests). */
    static StatusIndicator create(GpioSettings settings, Path deviceTreeModel, Supplier<Context> contextFactory) {
        Objects.requireNonNull(settings, "settings");
        if (!settings.enabled()) {
            return new LoggingStatusIndicator();
        }
        String model = raspberryPiModel(deviceTreeModel);
        if (model == null) {
            Logger.warn("{} = true, but this machine is not a Raspberry Pi ({} does not name one): the status"
                    + " indicator only logs", GpioSettings.ENABLED, deviceTreeModel);
            return new LoggingStatusIndicator();
        }
        Context context;
        try {
            context = contextFactory.get();
        } catch (RuntimeException e) {
            throw new StatusIndicatorException("cannot start Pi4J with the gpiod provider on " + model + ": " + e, e);
        }
        try {
            requireGpiodProviders(context, settings);
        } catch (StatusIndicatorException e) {
            try {
                context.shutdown();
            } catch (RuntimeException shutdownFailure) {
                e.addSuppressed(shutdownFailure);
            }
            throw e;
        }
        Logger.info("status indicator on GPIO of {}: {}", model, settings);
        return new Pi4jStatusIndicator(context, settings);
    }

    /** The model name if {@code file} names a Raspberry Pi, else null. */
    static String raspberryPiModel(Path file) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            Logger.warn("cannot read {}: {}", file, e.toString());
            return null;
        }
        // The device tree stores the name NUL-terminated.
        int nul = text.indexOf('\0');
        String model = (nul >= 0 ? text.substring(0, nul) : text).strip();
        return model.startsWith("Raspberry Pi") ? model : null;
    }

    private static Context gpiodContext() {
        return Pi4J.newContextBuilder()
                .noAutoDetect()
                .disableShutdownHook()
                .add(GpioDDigitalOutputProvider.newInstance(), GpioDDigitalInputProvider.newInstance())
                .build();
    }

    /**
     * Refuses a context whose digital providers are not gpiod's: with Pi4J's mock plugin on the
     * classpath, a context can end up on mock providers and every LED would silently do nothing.
     */
    static void requireGpiodProviders(Context context, GpioSettings settings) {
        requireProvider(context, IOType.DIGITAL_OUTPUT, GpioDPlugin.DIGITAL_OUTPUT_PROVIDER_ID);
        if (settings.buttonPin().isPresent()) {
            requireProvider(context, IOType.DIGITAL_INPUT, GpioDPlugin.DIGITAL_INPUT_PROVIDER_ID);
        }
    }

    private static void requireProvider(Context context, IOType type, String expectedId) {
        if (!context.hasProvider(type)) {
            throw new StatusIndicatorException("the Pi4J context has no " + type + " provider; expected " + expectedId);
        }
        Provider<?, ?, ?> provider = context.provider(type);
        String id = provider.id();
        if (!expectedId.equals(id)) {
            throw new StatusIndicatorException("refusing Pi4J " + type + " provider '" + id + "' ("
                    + provider.getClass().getName() + "): the status indicator only drives real pins through "
                    + expectedId + (id.startsWith("mock") ? "; the mock plugin belongs in tests only" : ""));
        }
    }
}
