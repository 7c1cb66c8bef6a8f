package org.qoraedge.gateway.status;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.qoraedge.gateway.status.StatusIndicator.ButtonAction;

/**
 * Where the status indicator's LEDs, buzzer and button are wired, read from the {@code gpio.*}
 * keys of the gateway's properties (docs/GPIO.md). Pins are BCM GPIO numbers 0 to 27 (not
 * physical header pin numbers). Every output and the button must be on a pin of its own.
 *
 * <p>Invalid values are refused with a {@link StatusIndicatorException} naming the key, the
 * value and the rule, whether or not {@code gpio.enabled} is true: a typo is never replaced by a
 * default. Immutable.
 */
public final class GpioSettings {
    public static final String ENABLED = "gpio.enabled";
    public static final String LED_IDLE = "gpio.led.idle";
    public static final String LED_COLLECTING = "gpio.led.collecting";
    public static final String LED_AGGREGATING = "gpio.led.aggregating";
    public static final String LED_ATTACK = "gpio.led.attack";
    public static final String LED_ERROR = "gpio.led.error";
    public static final String LED_ACTIVE_LOW = "gpio.led.activeLow";
    public static final String BUZZER = "gpio.buzzer";
    public static final String BUTTON = "gpio.button";
    public static final String BUTTON_ACTION = "gpio.button.action";
    public static final String BUTTON_DEBOUNCE = "gpio.button.debounceMillis";

    /** Every key this class reads; all start with {@code gpio.}. */
    public static final Set<String> KEYS = Set.of(ENABLED, LED_IDLE, LED_COLLECTING, LED_AGGREGATING, LED_ATTACK,
            LED_ERROR, LED_ACTIVE_LOW, BUZZER, BUTTON, BUTTON_ACTION, BUTTON_DEBOUNCE);

    /** The highest BCM GPIO number on the 40-pin header. */
    public static final int MAX_BCM_PIN = 27;
    /** The longest accepted button debounce interval. */
    public static final int MAX_DEBOUNCE_MILLIS = 1000;

    public static final int DEFAULT_LED_IDLE = 17;
    public static final int DEFAULT_LED_COLLECTING = 27;
    public static final int DEFAULT_LED_AGGREGATING = 22;
    public static final int DEFAULT_LED_ATTACK = 23;
    public static final int DEFAULT_LED_ERROR = 24;
    public static final int DEFAULT_DEBOUNCE_MILLIS = 50;
    public static final ButtonAction DEFAULT_BUTTON_ACTION = ButtonAction.STATUS_DUMP;

    /** GPIO disabled, every other key at its default. */
    public static final GpioSettings DISABLED = fromProperties(new Properties());

    private static final int NONE = -1;

    private final boolean enabled;
    private final int idle;
    private final int collecting;
    private final int aggregating;
    private final int attack;
    private final int error;
    private final boolean ledActiveLow;
    private final int buzzer;
    private final int button;
    private final ButtonAction buttonAction;
    private final int debounceMillis;

    private GpioSettings(boolean enabled, int idle, int collecting, int aggregating, int attack, int error,
            boolean ledActiveLow, int buzzer, int button, ButtonAction buttonAction, int debounceMillis) {
        this.enabled = enabled;
        this.idle = idle;
        this.collecting = collecting;
        this.aggregating = aggregating;
        this.attack = attack;
        this.error = error;
        this.ledActiveLow = ledActiveLow;
        this.buzzer = buzzer;
        this.button = button;
        this.buttonAction = buttonAction;
        this.debounceMillis = debounceMillis;
    }

    /**
     * Reads the {@code gpio.*} keys of {@code p}; other keys are ignored (the gateway's config
     * loader checks those), an unknown {@code gpio.*} key is refused. A blank value means the
     * default, for {@code gpio.buzzer} and {@code gpio.button}: none.
     *
     * @throws StatusIndicatorException naming the key and the value of the first invalid setting
     */
    public static GpioSettings fromProperties(Properties p) {
        Objects.requireNonNull(p, "properties");
        Set<String> unknown = new TreeSet<>();
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("gpio.") && !KEYS.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new StatusIndicatorException("unknown config key(s) " + unknown + "; known gpio keys: " + new TreeSet<>(KEYS));
        }
        boolean enabled = bool(p, ENABLED, false);
        boolean activeLow = bool(p, LED_ACTIVE_LOW, false);
        // Insertion order: the first of two keys naming the same pin is reported as the earlier one.
        Map<String, Integer> pins = new LinkedHashMap<>();
        pins.put(LED_IDLE, pin(p, LED_IDLE, DEFAULT_LED_IDLE));
        pins.put(LED_COLLECTING, pin(p, LED_COLLECTING, DEFAULT_LED_COLLECTING));
        pins.put(LED_AGGREGATING, pin(p, LED_AGGREGATING, DEFAULT_LED_AGGREGATING));
        pins.put(LED_ATTACK, pin(p, LED_ATTACK, DEFAULT_LED_ATTACK));
        pins.put(LED_ERROR, pin(p, LED_ERROR, DEFAULT_LED_ERROR));
        pins.put(BUZZER, pin(p, BUZZER, NONE));
        pins.put(BUTTON, pin(p, BUTTON, NONE));
        List<Map.Entry<String, Integer>> seen = new ArrayList<>();
        for (Map.Entry<String, Integer> e : pins.entrySet()) {
            if (e.getValue() == NONE) {
                continue;
            }
            for (Map.Entry<String, Integer> earlier : seen) {
                if (earlier.getValue().equals(e.getValue())) {
                    throw new StatusIndicatorException("config key " + e.getKey() + " = " + e.getValue()
                            + " is invalid: BCM pin " + e.getValue() + " is already used by " + earlier.getKey()
                            + (p.getProperty(earlier.getKey()) == null ? " (default)" : "")
                            + "; every LED, the buzzer and the button need a pin of their own");
                }
            }
            seen.add(e);
        }
        int button = pins.get(BUTTON);
        String actionText = str(p, BUTTON_ACTION);
        ButtonAction action = DEFAULT_BUTTON_ACTION;
        if (actionText != null) {
            action = parseAction(actionText);
            if (button == NONE) {
                throw new StatusIndicatorException("config key " + BUTTON_ACTION + " = " + actionText
                        + " is set but " + BUTTON + " is not: give the button's BCM pin or remove the action");
            }
        }
        int debounce = DEFAULT_DEBOUNCE_MILLIS;
        String debounceText = str(p, BUTTON_DEBOUNCE);
        if (debounceText != null) {
            debounce = integer(BUTTON_DEBOUNCE, debounceText);
            if (debounce < 0 || debounce > MAX_DEBOUNCE_MILLIS) {
                throw new StatusIndicatorException("config key " + BUTTON_DEBOUNCE + " = " + debounceText
                        + " is invalid: must be 0 to " + MAX_DEBOUNCE_MILLIS + " (milliseconds)");
            }
            if (button == NONE) {
                throw new StatusIndicatorException("config key " + BUTTON_DEBOUNCE + " = " + debounceText
                        + " is set but " + BUTTON + " is not: give the button's BCM pin or remove the setting");
            }
        }
        return new GpioSettings(enabled, pins.get(LED_IDLE), pins.get(LED_COLLECTING), pins.get(LED_AGGREGATING),
                pins.get(LED_ATTACK), pins.get(LED_ERROR), activeLow, pins.get(BUZZER), button, action, debounce);
    }

    private static ButtonAction parseAction(String v) {
        for (ButtonAction a : ButtonAction.values()) {
            if (a.configName().equals(v.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        List<String> names = new ArrayList<>();
        for (ButtonAction a : ButtonAction.values()) {
            names.add(a.configName());
        }
        throw new StatusIndicatorException("config key " + BUTTON_ACTION + " = " + v + " is invalid: must be one of " + names);
    }

    private static String str(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static boolean bool(Properties p, String key, boolean def) {
        String v = str(p, key);
        if (v == null) {
            return def;
        }
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new StatusIndicatorException("config key " + key + " = " + v + " is invalid: must be true or false");
    }

    private static int pin(Properties p, String key, int def) {
        String v = str(p, key);
        if (v == null) {
            return def;
        }
        int n = integer(key, v);
        if (n < 0 || n > MAX_BCM_PIN) {
            throw new StatusIndicatorException("config key " + key + " = " + v + " is invalid: must be a BCM GPIO number 0 to "
                    + MAX_BCM_PIN + " (not a physical header pin number)");
        }
        return n;
    }

    private static int integer(String key, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new StatusIndicatorException("config key " + key + " = " + v + " is not an integer");
        }
    }

    /** {@code gpio.enabled}: drive the pins at all (default false). */
    public boolean enabled() {
        return enabled;
    }

    /** BCM pin of the idle LED ({@code gpio.led.idle}, default 17). */
    public int idlePin() {
        return idle;
    }

    /** BCM pin of the collecting LED ({@code gpio.led.collecting}, default 27). */
    public int collectingPin() {
        return collecting;
    }

    /** BCM pin of the aggregating LED ({@code gpio.led.aggregating}, default 22). */
    public int aggregatingPin() {
        return aggregating;
    }

    /** BCM pin of the attack-suspected LED ({@code gpio.led.attack}, default 23). */
    public int attackPin() {
        return attack;
    }

    /** BCM pin of the error LED ({@code gpio.led.error}, default 24). */
    public int errorPin() {
        return error;
    }

    /**
     * {@code gpio.led.activeLow}: the LEDs are wired from 3.3 V to the pin and light when it is
     * driven low (default false: pin to LED to GND, lit when high). The buzzer is always active high.
     */
    public boolean ledActiveLow() {
        return ledActiveLow;
    }

    /** BCM pin of the buzzer (active high), or empty for none ({@code gpio.buzzer}, default none). */
    public OptionalInt buzzerPin() {
        return buzzer == NONE ? OptionalInt.empty() : OptionalInt.of(buzzer);
    }

    /** BCM pin of the button (to GND, internal pull-up), or empty for none ({@code gpio.button}, default none). */
    public OptionalInt buttonPin() {
        return button == NONE ? OptionalInt.empty() : OptionalInt.of(button);
    }

    /** {@code gpio.button.action} (default {@code status-dump}); only meaningful with a button. */
    public ButtonAction buttonAction() {
        return buttonAction;
    }

    /**
     * {@code gpio.button.debounceMillis}, 0 to 1000 (default 50): a press is accepted only when the
     * button's line has been quiet this long before it.
     */
    public int debounceMillis() {
        return debounceMillis;
    }

    @Override
    public String toString() {
        return "GpioSettings[enabled=" + enabled + ", led idle=" + idle + " collecting=" + collecting + " aggregating="
                + aggregating + " attack=" + attack + " error=" + error + (ledActiveLow ? " (active low)" : "")
                + ", buzzer=" + (buzzer == NONE ? "none" : buzzer) + ", button="
                + (button == NONE ? "none" : button + " " + buttonAction.configName() + " debounce " + debounceMillis + " ms")
                + "]";
    }
}
