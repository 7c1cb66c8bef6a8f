package org.qoraedge.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.reputation.ChangeReason;
import org.qoraedge.gateway.reputation.ReputationSettings;

/**
 * {@link BrokerLimits#auditBytes()} bounds the gateway's real audit record: the largest record the
 * writer can make for a fleet (every number at its longest, every node in every list, every frame
 * slot used, the longest status) fits under it, so the gateway's own audit publish never exceeds
 * the broker's max_packet_size.
 */
class BrokerLimitsTest {
    private static final String SIGNATURE_SUFFIX = ",\"signature\":\"" + "0".repeat(128) + "\"";

    @ParameterizedTest(name = "{0} nodes named like {1}, audit.maxFrames {2}")
    @CsvSource({"3, node-, 10000", "100, sensor-, 200", "20, p<>&=\"\\x, 500", "64, ä€😀x, 64", "1, n, 0"})
    void theLargestAuditRecordFitsTheBound(int n, String prefix, int maxFrames) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = prefix + String.format("%03d", i);
            while (id.getBytes(StandardCharsets.UTF_8).length + prefix.getBytes(StandardCharsets.UTF_8).length <= 64) {
                id = prefix + id; // the longest ids the identifier rules allow with this prefix
            }
            ids.add(id);
        }
        BrokerLimits l = BrokerLimits.of("plant-3", ids, 7850, maxFrames);
        String longest = ids.stream().max((a, b) -> Integer.compare(BrokerLimits.jsonBound(a), BrokerLimits.jsonBound(b))).orElseThrow();
        String longestStatus = "accepted";
        for (RejectReason r : RejectReason.values()) {
            longestStatus = r.wireName().length() > longestStatus.length() ? r.wireName() : longestStatus;
        }
        StringBuilder allReasons = new StringBuilder();
        for (ChangeReason c : ChangeReason.values()) {
            allReasons.append(allReasons.length() == 0 ? "" : ",").append(c.wireName());
        }
        List<AuditRecord.FrameEntry> frames = new ArrayList<>();
        for (int i = 0; i < maxFrames; i++) {
            frames.add(new AuditRecord.FrameEntry(longest, Long.MAX_VALUE, Long.MAX_VALUE, "f".repeat(64), "b".repeat(64), longestStatus));
        }
        long[] scores = new long[n];
        int[] ranking = new int[n];
        List<AuditRecord.ReputationChange> rep = new ArrayList<>();
        List<AuditRecord.OperatorAction> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scores[i] = Long.MIN_VALUE;
            ranking[i] = Integer.MIN_VALUE;
            rep.add(new AuditRecord.ReputationChange(ids.get(i), Integer.MIN_VALUE, Integer.MIN_VALUE, allReasons.toString()));
            ops.add(new AuditRecord.OperatorAction("unban-refused", ids.get(i), "node " + ids.get(i) + " is not banned (score 0.500000)"));
        }
        AuditRecord r = new AuditRecord("p".repeat(64), "g".repeat(64), "k".repeat(64), Long.MAX_VALUE, "0".repeat(64), "failed",
                "below quorum: 2 accepted updates, multi-krum with f = 2147483647 and m = 2147483647 needs at least 9223372036854775807",
                new AuditRecord.Config("multi-krum", "pairwise", Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE,
                        "m".repeat(64), ReputationSettings.defaults().toCanonicalString(), ids,
                        new AuditRecord.CohortInputs(Integer.MIN_VALUE, ids, "999999999/1000000000", Integer.MIN_VALUE)),
                "d".repeat(64), frames, Long.MAX_VALUE, ids, scores, ranking, ranking, Integer.MIN_VALUE, "a".repeat(64), "e".repeat(64), rep, ops,
                new AuditRecord.Timing(Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, false, Integer.MIN_VALUE, Long.MIN_VALUE), false);
        long line = (r.toJson() + SIGNATURE_SUFFIX).getBytes(StandardCharsets.UTF_8).length;
        assertTrue(line <= l.auditBytes(), "audit record of " + line + " bytes, bound " + l.auditBytes());
        assertTrue(l.maxPacketSize() >= BrokerLimits.PUBLISH_OVERHEAD + l.topicBytes() + line);
    }

    @ParameterizedTest(name = "d = {0}")
    @CsvSource({"1, 298", "7850, 23906", "100000, 301082"})
    void theFramePartIsTheProtocolsLargestFrame(int d, long frame) {
        BrokerLimits l = BrokerLimits.of("f", List.of("n"), d, 0);
        assertEquals(frame, l.frameBytes());
        assertEquals(Math.max(frame, l.auditBytes()) + 9 + "qora/v1/f/gateway/status".length(), l.maxPacketSize());
    }
}
