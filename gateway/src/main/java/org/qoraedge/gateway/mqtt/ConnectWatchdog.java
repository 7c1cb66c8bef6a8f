package org.qoraedge.gateway.mqtt;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Finds Paho connects that will never finish. Paho 1.2.5's connect task ({@code ClientComms$ConnectBG})
 * starts the receiver, sender and callback loops and only then sends CONNECT. Each loop's
 * {@code start} submits the loop and then waits, with no time limit, until it sees the loop
 * running; a loop that stops before the first look (100 ms later) leaves {@code start} waiting for
 * ever (eclipse-paho/paho.mqtt.java issue 999, pull requests 947 and 953, not released). The sender
 * stops at once when it finds a packet other than CONNECT queued while disconnected (a PUBACK
 * queued after the previous connection was lost, for instance); the receiver stops at once when
 * the new socket is closed under it; the callback loop is shared by all connections and its
 * {@code stop} can return while its last run is still ending.
 *
 * <p>What each means for the connection:
 * <ul>
 *   <li>waiting in the <b>receiver</b>'s start: the receiver saw the socket fail and already shut the
 *       attempt down; Paho goes on reconnecting. Only the thread is lost.</li>
 *   <li>waiting in the <b>sender</b>'s or the <b>callback</b>'s start: the socket is open, nothing
 *       is sent, the connect token never completes and Paho never tries again; the broker drops
 *       the silent socket after its own timeout (Mosquitto: 1.5 keep-alive periods, about 96 s
 *       with the defaults). {@link MqttLink} abandons such an attempt at once and connects again.</li>
 * </ul>
 * In every case the waiting thread never ends (it polls a loop object nothing will start again,
 * 10 times a second). {@link #stuckThreads} counts them, so that an owner can restart the process
 * once they become too many.
 *
 * <p>Thread safety: {@link #check} is called from one thread (the link's watchdog task).
 */
final class ConnectWatchdog {
    /**
     * How long a connect task must be seen waiting in a loop's start before it counts as stuck. A
     * start that works returns after one or two of its 100 ms sleeps; the sooner a stuck callback
     * start is found the better, since a later connection of the same client would wake it.
     */
    static final long STUCK_AFTER_NANOS = 1_000_000_000L;

    /** Where a connect task waits. */
    enum Wait {
        RECEIVER("CommsReceiver"),
        SENDER("CommsSender"),
        CALLBACK("CommsCallback");

        private final String className;

        Wait(String simpleClassName) {
            this.className = "org.eclipse.paho.client.mqttv3.internal." + simpleClassName;
        }

        /** True when the connection cannot finish while the task waits here. */
        boolean blocksTheConnection() {
            return this != RECEIVER;
        }
    }

    /** What one {@link #check} found. */
    record Finding(int stuckThreads, Wait newlyBlocking) {
    }

    private final Map<Thread, Long> firstSeenWaiting = new WeakHashMap<>();
    private final Set<Thread> reported = Collections.newSetFromMap(new WeakHashMap<>());

    /**
     * Which loop's start the connect task whose stack this is waits in, or null when it is
     * elsewhere (opening the socket, for instance, which Paho's connection timeout bounds).
     */
    static Wait waitingIn(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            if (!frame.getMethodName().equals("start")) {
                continue;
            }
            for (Wait w : Wait.values()) {
                if (frame.getClassName().equals(w.className)) {
                    return w;
                }
            }
        }
        return null;
    }

    /**
     * Looks at every running connect task ({@code stacks}: its thread and current stack) at
     * {@code now} (nanoseconds). A task is stuck once it has been seen waiting in a loop's start
     * for {@link #STUCK_AFTER_NANOS}.
     *
     * @return the number of stuck threads, and the wait of a task that newly became stuck in a
     *     way that blocks the connection (reported once per thread), or null
     */
    Finding check(Map<Thread, StackTraceElement[]> stacks, long now) {
        int stuck = 0;
        Wait blocking = null;
        for (Map.Entry<Thread, StackTraceElement[]> e : stacks.entrySet()) {
            Thread t = e.getKey();
            Wait w = waitingIn(e.getValue());
            if (w == null) {
                firstSeenWaiting.remove(t);
                continue;
            }
            long first = firstSeenWaiting.computeIfAbsent(t, k -> now);
            if (now - first < STUCK_AFTER_NANOS) {
                continue;
            }
            stuck++;
            if (w.blocksTheConnection() && reported.add(t)) {
                blocking = w;
            }
        }
        firstSeenWaiting.keySet().retainAll(stacks.keySet());
        return new Finding(stuck, blocking);
    }
}
