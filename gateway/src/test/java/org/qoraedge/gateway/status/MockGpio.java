package org.qoraedge.gateway.status;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** Pi4J contexts on the mock providers, added explicitly (no classpath scan), and pin look-ups by BCM number. */
final class MockGpio {
    private MockGpio() {
    }

    /** A context with the mock digital output and input providers. */
    static Context context() {
        return Pi4J.newContextBuilder()
                .noAutoDetect()
                .disableShutdownHook()
                .add(MockDigitalOutputProvider.newInstance(), MockDigitalInputProvider.newInstance())
                .build();
    }

    /** A context with only the mock digital output provider. */
    static Context outputOnlyContext() {
        return Pi4J.newContextBuilder()
                .noAutoDetect()
                .disableShutdownHook()
                .add(MockDigitalOutputProvider.newInstance())
                .build();
    }

    /** The context's digital outputs by BCM pin (take them before closing: shutdown empties the registry). */
    static Map<Integer, DigitalOutput> outputs(Context context) {
        Map<Integer, DigitalOutput> byPin = new HashMap<>();
        for (DigitalOutput o : context.registry().allByType(DigitalOutput.class).values()) {
            if (byPin.put(o.address().intValue(), o) != null) {
                throw new AssertionError("two outputs on BCM " + o.address());
            }
        }
        return byPin;
    }

    /** The mock digital input on {@code bcm}. */
    static MockDigitalInput input(Context context, int bcm) {
        for (DigitalInput i : context.registry().allByType(DigitalInput.class).values()) {
            if (i.address().intValue() == bcm) {
                return (MockDigitalInput) i;
            }
        }
        throw new AssertionError("no input on BCM " + bcm);
    }

    static boolean high(Map<Integer, DigitalOutput> outputs, int bcm) {
        DigitalOutput o = outputs.get(bcm);
        if (o == null) {
            throw new AssertionError("no output on BCM " + bcm + "; outputs: " + outputs.keySet());
        }
        DigitalState s = o.state();
        if (s != DigitalState.HIGH && s != DigitalState.LOW) {
            throw new AssertionError("BCM " + bcm + " is " + s);
        }
        return s == DigitalState.HIGH;
    }

    static GpioSettings settings(String... keyValues) {
        Properties p = new Properties();
        p.setProperty(GpioSettings.ENABLED, "true");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return GpioSettings.fromProperties(p);
    }
}
