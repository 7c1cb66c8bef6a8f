package org.qoraedge.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The health rule, reading by reading (docs/OPERATIONS.md, "Health"). */
class HealthTest {
    private static final Duration STALL = Duration.ofSeconds(60);
    private static final Duration SILENCE = Duration.ofSeconds(70);
    private static final long S = 1_000_000_000L;

    private static Health.Report judge(boolean running, long stepAgeS, boolean connected, boolean observed, long inboundAge) {
        return Health.judge(new Health.Readings(running, stepAgeS * S, connected, observed, inboundAge), STALL, SILENCE);
    }

    @Test
    void aRunningWorkerAndALinkThatReceivedWithinTheLimitAreHealthy() {
        Health.Report r = judge(true, 1, true, true, 69 * S);
        assertTrue(r.healthy(), r.problems().toString());
        assertTrue(r.problems().isEmpty());
    }

    @Test
    void aWorkerWithoutAStepForLongerThanTheLimitIsUnhealthy() {
        Health.Report r = judge(true, 61, true, true, S);
        assertFalse(r.healthy());
        assertEquals(1, r.problems().size());
        assertTrue(r.problems().get(0).contains("no step for 61.0 s (limit 60 s)"), r.problems().get(0));
    }

    @Test
    void aStoppedWorkerIsUnhealthy() {
        Health.Report r = judge(false, 0, true, true, S);
        assertEquals(List.of("the round worker is not running"), r.problems());
    }

    @Test
    void aConnectedLinkThatReceivedNothingForLongerThanTheLimitIsUnhealthy() {
        Health.Report r = judge(true, 1, true, true, 71 * S);
        assertFalse(r.healthy());
        assertTrue(r.problems().get(0).contains("received nothing from the broker for 71.0 s (limit 70 s; connected)"),
                r.problems().get(0));
    }

    @Test
    void aDisconnectedLinkIsHealthyUntilTheSilenceLimitSoThatAReconnectDoesNotRestartTheGateway() {
        assertTrue(judge(true, 1, false, true, 30 * S).healthy());
        assertFalse(judge(true, 1, false, true, 71 * S).healthy());
        assertFalse(judge(true, 1, true, true, Long.MAX_VALUE).healthy(), "a link that never received anything");
    }

    @Test
    void whereReceivedBytesAreNotObservedBeingConnectedIsTheRule() {
        assertTrue(judge(true, 1, true, false, Long.MAX_VALUE).healthy());
        assertEquals(List.of("the MQTT link is not connected"), judge(true, 1, false, false, Long.MAX_VALUE).problems());
    }

    @Test
    void bothProblemsAreReportedTogether() {
        assertEquals(2, judge(true, 100, true, true, 100 * S).problems().size());
    }
}
