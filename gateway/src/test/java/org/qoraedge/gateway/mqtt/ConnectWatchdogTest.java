package org.qoraedge.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which connect tasks count as stuck, and which ones block the connection (reported once each). */
class ConnectWatchdogTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long HALF = SECOND / 2;

    private static StackTraceElement[] waitingIn(String pahoClass) {
        return new StackTraceElement[] {
            new StackTraceElement("java.lang.Thread", "sleep", null, -2),
            new StackTraceElement("org.eclipse.paho.client.mqttv3.internal." + pahoClass, "start", "X.java", 79),
            new StackTraceElement("org.eclipse.paho.client.mqttv3.internal.ClientComms$ConnectBG", "run", "ClientComms.java", 715),
        };
    }

    private static final StackTraceElement[] OPENING_THE_SOCKET = {
        new StackTraceElement("java.net.Socket", "connect", null, 1),
        new StackTraceElement("org.eclipse.paho.client.mqttv3.internal.TCPNetworkModule", "start", "TCPNetworkModule.java", 74),
        new StackTraceElement("org.eclipse.paho.client.mqttv3.internal.ClientComms$ConnectBG", "run", "ClientComms.java", 710),
    };

    @Test
    void aConnectWaitingInTheSendersStartBlocksTheConnectionAfterOneSecondAndIsReportedOnce() {
        ConnectWatchdog w = new ConnectWatchdog();
        Thread t = new Thread(() -> { });
        Map<Thread, StackTraceElement[]> stacks = Map.of(t, waitingIn("CommsSender"));
        assertEquals(new ConnectWatchdog.Finding(0, null), w.check(stacks, 10 * SECOND));
        assertEquals(new ConnectWatchdog.Finding(0, null), w.check(stacks, 10 * SECOND + HALF));
        assertEquals(new ConnectWatchdog.Finding(1, ConnectWatchdog.Wait.SENDER), w.check(stacks, 11 * SECOND));
        assertEquals(new ConnectWatchdog.Finding(1, null), w.check(stacks, 12 * SECOND));
    }

    @Test
    void theCallbacksStartBlocksTooButTheReceiversOnlyCostsAThread() {
        ConnectWatchdog w = new ConnectWatchdog();
        Thread a = new Thread(() -> { });
        Thread b = new Thread(() -> { });
        w.check(Map.of(a, waitingIn("CommsReceiver"), b, waitingIn("CommsCallback")), 0);
        assertEquals(new ConnectWatchdog.Finding(2, ConnectWatchdog.Wait.CALLBACK),
                w.check(Map.of(a, waitingIn("CommsReceiver"), b, waitingIn("CommsCallback")), 3 * SECOND));
    }

    @Test
    void aConnectOpeningItsSocketIsNotStuckAndTheClockRestartsWhenATaskLeavesAStart() {
        ConnectWatchdog w = new ConnectWatchdog();
        Thread t = new Thread(() -> { });
        assertEquals(new ConnectWatchdog.Finding(0, null), w.check(Map.of(t, OPENING_THE_SOCKET), 0));
        assertEquals(new ConnectWatchdog.Finding(0, null), w.check(Map.of(t, OPENING_THE_SOCKET), 60 * SECOND));
        w.check(Map.of(t, waitingIn("CommsSender")), 61 * SECOND);
        w.check(Map.of(t, OPENING_THE_SOCKET), 62 * SECOND);
        assertEquals(new ConnectWatchdog.Finding(0, null), w.check(Map.of(t, waitingIn("CommsSender")), 62 * SECOND + HALF));
        assertNull(ConnectWatchdog.waitingIn(OPENING_THE_SOCKET));
    }
}
