package org.qoraedge.gateway.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's health rule (docs/OPERATIONS.md, "Health"). The gateway is healthy when both hold:
 * <ol>
 *   <li><b>the round worker makes progress</b>: it runs, and took a step within
 *       {@code health.workerStallSeconds} (it steps at least once a second while collecting, and
 *       once per round it opens or closes; see {@code RoundCoordinator.lastStepNanos});</li>
 *   <li><b>the MQTT link receives</b>: its socket received a byte from the broker (a message, an
 *       acknowledgement or a PINGRESP) within {@code health.mqttSilenceSeconds}, by default twice the
 *       keep-alive plus 10 s; a connected client gets at least a PINGRESP every keep-alive, so only
 *       a receiver that stopped, or a broker gone for that long, is silent that long. Where the
 *       link's sockets are not its own (ssl:// without a trust store), being connected is the rule.</li>
 * </ol>
 * A pure function of its readings; the watchdog pings systemd only while it says healthy.
 */
public final class Health {
    private Health() {
    }

    /**
     * What the rule looks at, read at one moment.
     *
     * @param workerRunning the round worker's thread runs
     * @param workerStepAgeNanos time since its last step
     * @param mqttConnected the link says it is connected
     * @param inboundObserved the link's sockets stamp received bytes (else only {@code mqttConnected} counts)
     * @param inboundAgeNanos time since the link last received a byte ({@link Long#MAX_VALUE}: never)
     */
    public record Readings(boolean workerRunning, long workerStepAgeNanos, boolean mqttConnected, boolean inboundObserved,
            long inboundAgeNanos) {
    }

    /** The verdict: healthy, or the problems found (each one sentence, with the figures). */
    public record Report(boolean healthy, List<String> problems) {
        public Report {
            problems = List.copyOf(problems);
        }
    }

    /** Judges {@code r} against the two limits. */
    public static Report judge(Readings r, Duration workerStall, Duration mqttSilence) {
        List<String> problems = new ArrayList<>();
        if (!r.workerRunning()) {
            problems.add("the round worker is not running");
        } else if (r.workerStepAgeNanos() > workerStall.toNanos()) {
            problems.add("the round worker took no step for " + seconds(r.workerStepAgeNanos()) + " s (limit "
                    + workerStall.toSeconds() + " s)");
        }
        if (r.inboundObserved()) {
            if (r.inboundAgeNanos() > mqttSilence.toNanos()) {
                problems.add("the MQTT link received nothing from the broker for "
                        + (r.inboundAgeNanos() == Long.MAX_VALUE ? "ever" : seconds(r.inboundAgeNanos()) + " s") + " (limit "
                        + mqttSilence.toSeconds() + " s; " + (r.mqttConnected() ? "connected" : "not connected") + ")");
            }
        } else if (!r.mqttConnected()) {
            problems.add("the MQTT link is not connected");
        }
        return new Report(problems.isEmpty(), problems);
    }

    /** Nanoseconds as seconds with one decimal, rounded down (for messages). */
    private static String seconds(long nanos) {
        long tenths = nanos / 100_000_000L;
        return tenths / 10 + "." + tenths % 10;
    }
}
