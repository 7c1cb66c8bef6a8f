package org.qoraedge.gateway.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qoraedge.gateway.status.StatusIndicator.ButtonAction;

class GpioSettingsTest {
    private static GpioSettings parse(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return GpioSettings.fromProperties(p);
    }

    @Test
    void appliesTheDocumentedDefaults() {
        GpioSettings s = parse();
        assertFalse(s.enabled());
        assertEquals(17, s.idlePin());
        assertEquals(27, s.collectingPin());
        assertEquals(22, s.aggregatingPin());
        assertEquals(23, s.attackPin());
        assertEquals(24, s.errorPin());
        assertFalse(s.ledActiveLow());
        assertEquals(OptionalInt.empty(), s.buzzerPin());
        assertEquals(OptionalInt.empty(), s.buttonPin());
        assertEquals(ButtonAction.STATUS_DUMP, s.buttonAction());
        assertEquals(50, s.debounceMillis());
        assertFalse(GpioSettings.DISABLED.enabled());
    }

    @Test
    void readsEveryKey() {
        GpioSettings s = parse("gpio.enabled", "TRUE", "gpio.led.idle", "5", "gpio.led.collecting", "6", "gpio.led.aggregating", " 13 ",
                "gpio.led.attack", "19", "gpio.led.error", "26", "gpio.led.activeLow", "true", "gpio.buzzer", "0",
                "gpio.button", "27", "gpio.button.action", "close-round", "gpio.button.debounceMillis", "0");
        assertTrue(s.enabled());
        assertEquals(5, s.idlePin());
        assertEquals(6, s.collectingPin());
        assertEquals(13, s.aggregatingPin());
        assertEquals(19, s.attackPin());
        assertEquals(26, s.errorPin());
        assertTrue(s.ledActiveLow());
        assertEquals(OptionalInt.of(0), s.buzzerPin());
        assertEquals(OptionalInt.of(27), s.buttonPin());
        assertEquals(ButtonAction.CLOSE_ROUND, s.buttonAction());
        assertEquals(0, s.debounceMillis());
    }

    @Test
    void keysListsExactlyTheKeysRead() {
        assertEquals(11, GpioSettings.KEYS.size());
        for (String k : GpioSettings.KEYS) {
            assertTrue(k.startsWith("gpio."), k);
        }
        // Every key of KEYS parses when given a valid value on its own.
        Properties p = new Properties();
        p.setProperty("gpio.enabled", "false");
        p.setProperty("gpio.led.activeLow", "false");
        p.setProperty("gpio.led.idle", "4");
        p.setProperty("gpio.led.collecting", "27");
        p.setProperty("gpio.led.aggregating", "22");
        p.setProperty("gpio.led.attack", "23");
        p.setProperty("gpio.led.error", "24");
        p.setProperty("gpio.buzzer", "25");
        p.setProperty("gpio.button", "5");
        p.setProperty("gpio.button.action", "status-dump");
        p.setProperty("gpio.button.debounceMillis", "20");
        assertEquals(GpioSettings.KEYS, p.stringPropertyNames());
        assertEquals(OptionalInt.of(25), GpioSettings.fromProperties(p).buzzerPin());
    }

    @Test
    void ignoresKeysOutsideTheGpioPrefixAndTreatsBlankAsDefault() {
        GpioSettings s = parse("model.dimension", "784", "gpio", "x", "gpio.buzzer", "  ", "gpio.led.idle", "");
        assertEquals(OptionalInt.empty(), s.buzzerPin());
        assertEquals(17, s.idlePin());
    }

    @Test
    void acceptsEveryBcmPinFrom0To27() {
        for (int pin = 0; pin <= 27; pin++) {
            int other = pin == 17 ? 4 : 17; // keep the idle LED off the pin under test
            GpioSettings s = parse("gpio.led.idle", "" + other, "gpio.led.collecting", "" + (pin == 27 ? 4 : 27),
                    "gpio.led.aggregating", "" + (pin == 22 ? 4 : 22), "gpio.led.attack", "" + (pin == 23 ? 4 : 23),
                    "gpio.led.error", "" + (pin == 24 ? 4 : 24), "gpio.buzzer", "" + pin);
            assertEquals(OptionalInt.of(pin), s.buzzerPin());
        }
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "gpio.led.idle        | 28    | config key gpio.led.idle = 28 is invalid: must be a BCM GPIO number 0 to 27",
        "gpio.led.collecting  | -1    | config key gpio.led.collecting = -1 is invalid: must be a BCM GPIO number 0 to 27",
        "gpio.led.aggregating | 40    | config key gpio.led.aggregating = 40 is invalid: must be a BCM GPIO number 0 to 27",
        "gpio.led.attack      | 2147483648 | config key gpio.led.attack = 2147483648 is not an integer",
        "gpio.led.error       | GPIO24 | config key gpio.led.error = GPIO24 is not an integer",
        "gpio.buzzer          | 1.5   | config key gpio.buzzer = 1.5 is not an integer",
        "gpio.button          | 99    | config key gpio.button = 99 is invalid: must be a BCM GPIO number 0 to 27",
        "gpio.enabled         | yes   | config key gpio.enabled = yes is invalid: must be true or false",
        "gpio.led.activeLow   | 1     | config key gpio.led.activeLow = 1 is invalid: must be true or false",
        "gpio.button.debounceMillis | 1001 | config key gpio.button.debounceMillis = 1001 is invalid: must be 0 to 1000 (milliseconds)",
        "gpio.button.debounceMillis | -5   | config key gpio.button.debounceMillis = -5 is invalid: must be 0 to 1000 (milliseconds)",
        "gpio.button.debounceMillis | 5ms  | config key gpio.button.debounceMillis = 5ms is not an integer",
        "gpio.button.action   | reboot | config key gpio.button.action = reboot is invalid: must be one of [close-round, status-dump]",
        "gpio.led.idel        | 4     | unknown config key(s) [gpio.led.idel]",
    })
    void refusesAnInvalidValueNamingKeyAndValue(String key, String value, String message) {
        Properties p = new Properties();
        p.setProperty("gpio.button", "5"); // so the button keys are meaningful
        p.setProperty(key, value);
        StatusIndicatorException e = assertThrows(StatusIndicatorException.class, () -> GpioSettings.fromProperties(p));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void refusesTwoFunctionsOnTheSamePin() {
        StatusIndicatorException e = assertThrows(StatusIndicatorException.class,
                () -> parse("gpio.led.idle", "5", "gpio.led.error", "5"));
        assertEquals("config key gpio.led.error = 5 is invalid: BCM pin 5 is already used by gpio.led.idle;"
                + " every LED, the buzzer and the button need a pin of their own", e.getMessage());
    }

    @Test
    void refusesAPinThatCollidesWithADefaultAndSaysSo() {
        StatusIndicatorException e = assertThrows(StatusIndicatorException.class, () -> parse("gpio.button", "17"));
        assertTrue(e.getMessage().startsWith("config key gpio.button = 17 is invalid: BCM pin 17 is already used by"
                + " gpio.led.idle (default)"), e.getMessage());
        e = assertThrows(StatusIndicatorException.class, () -> parse("gpio.buzzer", "6", "gpio.button", "6"));
        assertTrue(e.getMessage().startsWith("config key gpio.button = 6 is invalid: BCM pin 6 is already used by gpio.buzzer;"),
                e.getMessage());
    }

    @Test
    void refusesButtonSettingsWithoutAButton() {
        StatusIndicatorException e = assertThrows(StatusIndicatorException.class, () -> parse("gpio.button.action", "close-round"));
        assertTrue(e.getMessage().startsWith("config key gpio.button.action = close-round is set but gpio.button is not"),
                e.getMessage());
        e = assertThrows(StatusIndicatorException.class, () -> parse("gpio.button.debounceMillis", "30"));
        assertTrue(e.getMessage().startsWith("config key gpio.button.debounceMillis = 30 is set but gpio.button is not"),
                e.getMessage());
    }

    @Test
    void refusesInvalidValuesEvenWhenGpioIsDisabled() {
        assertThrows(StatusIndicatorException.class, () -> parse("gpio.enabled", "false", "gpio.led.idle", "30"));
    }

    @Test
    void readsTheButtonActionCaseInsensitively() {
        assertEquals(ButtonAction.STATUS_DUMP, parse("gpio.button", "5", "gpio.button.action", "Status-Dump").buttonAction());
    }
}
