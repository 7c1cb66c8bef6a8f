package org.qoraedge.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the watchdog reads from the environment systemd gives a Type=notify service. */
class WatchdogTest {
    private static final Health.Report OK = new Health.Report(true, List.of());

    private static Watchdog from(Map<String, String> env) {
        return Watchdog.fromEnvironment(env, () -> OK, () -> "status");
    }

    @Test
    void withoutANotifySocketThereIsNoWatchdog() {
        assertNull(from(Map.of("WATCHDOG_USEC", "90000000")));
    }

    @Test
    void pingsEveryThirdOfTheWatchdogIntervalGivenToThisProcess() {
        try (Watchdog w = from(Map.of("NOTIFY_SOCKET", "/run/none", "WATCHDOG_USEC", "90000000"))) {
            assertEquals(Duration.ofSeconds(30), w.interval());
        }
        String self = Long.toString(ProcessHandle.current().pid());
        try (Watchdog w = from(Map.of("NOTIFY_SOCKET", "/run/none", "WATCHDOG_USEC", "3000000", "WATCHDOG_PID", self))) {
            assertEquals(Duration.ofSeconds(1), w.interval());
        }
    }

    @Test
    void aWatchdogMeantForAnotherProcessOrNoneOnlyGetsStatusEveryTenSeconds() {
        try (Watchdog w = from(Map.of("NOTIFY_SOCKET", "/run/none", "WATCHDOG_USEC", "3000000", "WATCHDOG_PID", "1"))) {
            assertEquals(Duration.ofSeconds(10), w.interval());
        }
        try (Watchdog w = from(Map.of("NOTIFY_SOCKET", "/run/none"))) {
            assertEquals(Duration.ofSeconds(10), w.interval());
        }
    }
}
