package org.qoraedge.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The gateway's retained topics: its own echoes pass, anything else is answered with its current payload. */
class RetainedWatchTest {
    private static final String ROUND = "qora/v1/f/round";
    private static final String STATUS = "qora/v1/f/gateway/status";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void echoesPassAndForeignPayloadsAreRestoredAndCounted() {
        RetainedWatch w = new RetainedWatch(Set.of(ROUND, STATUS));
        assertNull(w.received(ROUND, b("before anything")), "nothing to restore before the gateway published");
        w.publishing(ROUND, b("r1"));
        w.publishing(ROUND, b("r2"));
        assertNull(w.received(ROUND, b("r1")), "late echo");
        assertNull(w.received(ROUND, b("r2")), "echo");
        RetainedWatch.Verdict v = w.received(ROUND, b("forged"));
        assertNotNull(v);
        assertTrue(v.attack());
        assertArrayEquals(b("r2"), v.restore());
        assertNull(w.received(ROUND, b("r2")), "the echo of the restore");
        RetainedWatch.Verdict cleared = w.received(ROUND, new byte[0]);
        assertArrayEquals(b("r2"), cleared.restore());
        assertEquals(2, w.restored());
    }

    @Test
    void theGatewaysOwnStaleStatusIsReplacedWithoutCountingAnAttack() {
        RetainedWatch w = new RetainedWatch(Set.of(STATUS));
        w.ownStale(STATUS, b("offline"));
        w.publishing(STATUS, b("online"));
        RetainedWatch.Verdict v = w.received(STATUS, b("offline"));
        assertFalse(v.attack());
        assertArrayEquals(b("online"), v.restore());
        assertEquals(0, w.restored());
    }

    /** Found by the fault soak: a broker restarted from an older save delivered an old announcement, taken for a late echo. */
    @Test
    void afterAReconnectAnOlderPayloadIsNotTakenForALateEcho() {
        RetainedWatch w = new RetainedWatch(Set.of(ROUND));
        w.publishing(ROUND, b("r203"));
        w.publishing(ROUND, b("r204")); // neither echo arrived: the broker died
        assertArrayEquals(b("r204"), w.reconnected().get(ROUND), "the current payload is published again");
        RetainedWatch.Verdict v = w.received(ROUND, b("r203"));
        assertNotNull(v, "the broker's older save is restored");
        assertArrayEquals(b("r204"), v.restore());
    }
}
