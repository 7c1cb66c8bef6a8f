package org.qoraedge.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.round.RoundReport;

/** Round reports into counters, with label sets that no publisher can grow. */
class GatewayMetricsTest {
    private static String scrape(GatewayMetrics m) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, m.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static RoundReport failed(long round, String failure, Map<String, Map<RejectReason, Long>> byNode) {
        Map<RejectReason, Long> byReason = new EnumMap<>(RejectReason.class);
        for (Map<RejectReason, Long> m : byNode.values()) {
            m.forEach((k, v) -> byReason.merge(k, v, Long::sum));
        }
        return new RoundReport(round, false, failure, List.of("node-1"), null, "d", byReason, byNode, 2_000_000L, 5_000_000_000L, true);
    }

    @Test
    void rejectionsUnderIdsOutsideTheRegistryShareOneLabel() throws Exception {
        GatewayMetrics m = new GatewayMetrics(Set.of("node-1", "node-2"), () -> new Health.Report(true, List.of()));
        Map<String, Map<RejectReason, Long>> byNode = new TreeMap<>();
        byNode.put("node-2", Map.of(RejectReason.BAD_SIGNATURE, 2L));
        for (int i = 0; i < 1000; i++) {
            byNode.put("forged-" + i, Map.of(RejectReason.UNKNOWN_NODE, 1L));
        }
        m.roundClosed(failed(7, "below quorum: 1 accepted update, multi-krum needs 5", byNode));
        String text = scrape(m);
        assertTrue(text.contains("qora_node_rejections_total{node=\"unregistered\",reason=\"unknown-node\"} 1000.0"), text);
        assertTrue(text.contains("qora_node_rejections_total{node=\"node-2\",reason=\"bad-signature\"} 2.0"), text);
        assertFalse(text.contains("forged-"), "no label value from the network");
        assertTrue(text.contains("qora_rejections_total{reason=\"unknown-node\"} 1000.0"), text);
        assertTrue(text.contains("qora_rounds_failed_total{reason=\"below-quorum\"} 1.0"), text);
        assertTrue(text.contains("qora_updates_accepted_total 1.0"), text);
        assertTrue(text.contains("qora_round_close_seconds_bucket{le=\"0.005\"} 1"), text);
        assertTrue(text.contains("qora_round_collect_seconds_sum 4.998"), text);
    }

    @Test
    void failureTextsMapToAFixedSetOfReasons() {
        assertEquals("below-quorum", GatewayMetrics.failureReason("below quorum: 2 accepted updates, krum needs 5"));
        assertEquals("internal-error", GatewayMetrics.failureReason("internal-error: java.lang.IllegalStateException: x"));
        assertEquals("other", GatewayMetrics.failureReason("anything else"));
        assertEquals("other", GatewayMetrics.failureReason(null));
    }
}
