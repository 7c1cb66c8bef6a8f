package org.qoraedge.gateway.round;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.reputation.ChangeReason;
import org.qoraedge.gateway.reputation.ReputationChange;

/** What lights the attack indicator, and what it says: evidence of an attack, not a slow, absent or unusual node. */
class AttackEvidenceTest {
    private static RoundReport report(Map<String, Map<RejectReason, Long>> byNode) {
        Map<RejectReason, Long> total = new TreeMap<>();
        byNode.values().forEach(m -> m.forEach((k, v) -> total.merge(k, v, Long::sum)));
        return new RoundReport(4, true, "", List.of("node-01", "node-02"), null, "", total, byNode, 0, 0, false);
    }

    private static ReputationChange change(String node, ChangeReason... reasons) {
        return new ReputationChange(node, 4, 500_000, 400_000, EnumSet.of(reasons[0], reasons));
    }

    @Test
    void lateDuplicateAndBannedFramesAndFarOrAbsentNodesAreNoEvidence() {
        RoundReport r = report(Map.of("node-03", Map.of(RejectReason.WRONG_ROUND, 1L), "node-04",
                Map.of(RejectReason.DUPLICATE_UPDATE, 2L), "node-05", Map.of(RejectReason.BANNED, 1L)));
        assertEquals("", RoundRules.attackEvidence(r, List.of(change("node-02", ChangeReason.FAR_OUTSIDE),
                change("node-06", ChangeReason.ABSENT))));
    }

    @Test
    void forgedAndMalformedFramesMisbehaviourAndBansAreNamedWithTheirNodes() {
        Map<String, Map<RejectReason, Long>> byNode = new TreeMap<>();
        for (int i = 1; i <= 7; i++) {
            byNode.put("node-0" + i, Map.of(RejectReason.BAD_SIGNATURE, 1L));
        }
        byNode.put("node-08", Map.of(RejectReason.WRONG_DIMENSION, 1L, RejectReason.WRONG_ROUND, 3L));
        RoundReport r = report(byNode);
        String evidence = RoundRules.attackEvidence(r, List.of(change("node-08", ChangeReason.MISBEHAVED),
                change("node-09", ChangeReason.FAR_OUTSIDE, ChangeReason.BANNED)));
        assertEquals("bad-signature: 7 frames (node-01, node-02, node-03, node-04, node-05 and 2 more);"
                + " wrong-dimension: 1 frame (node-08); misbehaved: node-08; banned: node-09 (far-outside,banned)", evidence);
    }
}
