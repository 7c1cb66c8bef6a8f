package org.qoraedge.devicesim.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.qoraedge.devicesim.InvalidConfigException;

class NodeSpeedsTest {
    @Test
    void aTenthOfFiftyNodesAreTenTimesSlowerAndEveryDelayLiesInItsNodesRange() {
        NodeSpeeds s = new NodeSpeeds(1, 50, 0.1, 10, 1000);
        assertEquals(5, s.slowCount());
        for (int i = 0; i < 50; i++) {
            // pace in [0.5, 1.5) times jitter in [0.8, 1.2): 400 ms to 1,800 ms, ten times that for a slow node
            long lo = s.slow(i) ? 4000 : 400;
            long hi = s.slow(i) ? 18000 : 1800;
            for (int k = 0; k < 20; k++) {
                long d = s.delayMillis(i, k);
                assertTrue(d >= lo && d <= hi, "node " + i + " update " + k + ": " + d + " ms");
            }
        }
    }

    @Test
    void aSynchronousRoundLastsAsLongAsItsSlowestNode() {
        NodeSpeeds s = new NodeSpeeds(7, 20, 0.1, 10, 1000);
        for (int k = 0; k < 5; k++) {
            long longest = 0;
            for (int i = 0; i < 20; i++) {
                longest = Math.max(longest, s.delayMillis(i, k));
            }
            assertEquals(longest, s.syncRoundMillis(k));
            assertTrue(longest >= 4000, "two slow nodes: a round lasts at least 4 s, got " + longest);
        }
        assertEquals(0, new NodeSpeeds(7, 20, 0, 10, 1000).slowCount());
        assertTrue(new NodeSpeeds(7, 20, 0, 10, 1000).syncRoundMillis(0) <= 1800);
    }

    @Test
    void theSameSeedGivesTheSameDelaysAndAnotherSeedOthers() {
        NodeSpeeds a = new NodeSpeeds(3, 10, 0.2, 10, 500);
        NodeSpeeds b = new NodeSpeeds(3, 10, 0.2, 10, 500);
        NodeSpeeds c = new NodeSpeeds(4, 10, 0.2, 10, 500);
        long[] da = new long[30];
        long[] dc = new long[30];
        for (int k = 0; k < 30; k++) {
            da[k] = a.delayMillis(k % 10, k / 10);
            dc[k] = c.delayMillis(k % 10, k / 10);
            assertEquals(da[k], b.delayMillis(k % 10, k / 10));
        }
        assertNotEquals(Arrays.toString(da), Arrays.toString(dc));
    }

    @Test
    void refusesWhatCannotBeAFleet() {
        assertThrows(InvalidConfigException.class, () -> new NodeSpeeds(1, 0, 0.1, 10, 1000));
        assertThrows(InvalidConfigException.class, () -> new NodeSpeeds(1, 10, 1.5, 10, 1000));
        assertThrows(InvalidConfigException.class, () -> new NodeSpeeds(1, 10, Double.NaN, 10, 1000));
        assertThrows(InvalidConfigException.class, () -> new NodeSpeeds(1, 10, 0.1, 0.5, 1000));
        assertThrows(InvalidConfigException.class, () -> new NodeSpeeds(1, 10, 0.1, 10, 0));
    }
}
