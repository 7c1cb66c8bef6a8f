package org.qoraedge.gateway.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregatorKind;

/** The gateway refuses at start a configuration whose rounds cannot fit its heap, naming the sizes and -Xmx. */
class HeapBudgetTest {
    private static final long XMX_64M = 64L << 20;

    @Test
    void krumMultiKrumAndTheMeanFit64MiBWhateverTheRoundsSizeBecauseTheirUpdatesStayOutsideTheHeap() {
        AggregationSettings multiKrum = new AggregationSettings(AggregatorKind.MULTI_KRUM, Metric.COMMON, 249, 0, 1);
        HeapBudget.check(multiKrum, 1000, 100_000, XMX_64M);
        HeapBudget.check(new AggregationSettings(AggregatorKind.MULTI_KRUM, Metric.COMMON, 4, 0, 1), 20, 1_000_000, XMX_64M);
        HeapBudget.check(new AggregationSettings(AggregatorKind.MEAN, Metric.COMMON, 0, 0, 1), 1000, 1_000_000, XMX_64M);
    }

    @Test
    void aPipelineThatFitsIsAccepted() {
        HeapBudget.check(pipeline("nnm(24) > centered-clip(24, 3)"), 100, 100_000, XMX_64M);
    }

    @Test
    void refusesAPipelineWhoseUpdatesCannotFitNamingTheSizesAndXmx() {
        AggregationSettings p = pipeline("nnm(49) > centered-clip(49, 3)");
        RoundSettingsException e = assertThrows(RoundSettingsException.class, () -> HeapBudget.check(p, 200, 100_000, XMX_64M));
        assertEquals("aggregator = " + p.ruleName() + " keeps every update of a round in the heap: 200 nodes x 100000 coordinates"
                + " x 4 bytes, plus 17.1 MiB for the rest of the gateway, 1.4 MiB for the MQTT receive path (5 update frames of up"
                + " to 301082 bytes), 94.9 MiB in all, more than the 64.0 MiB heap of this JVM"
                + " (-Xmx); start it with -Xmx95m or more, or use krum, multi-krum or mean, whose updates stay outside the heap,"
                + " or register fewer nodes or a smaller model", e.getMessage());
    }

    @Test
    void theInboxsQueuedFramesCountInFullAndAreNamed() {
        AggregationSettings multiKrum = new AggregationSettings(AggregatorKind.MULTI_KRUM, Metric.COMMON, 24, 0, 1);
        HeapBudget.check(multiKrum, 100, 100_000, 8L << 20, XMX_64M); // the default 8 MiB inbox fits
        // 16 MiB + 1.2 MiB (model) + 0.1 MiB (dot products) + 1.4 MiB (5 x 301,082 bytes) + 48 MiB of inbox = 66.7 MiB
        RoundSettingsException e = assertThrows(RoundSettingsException.class,
                () -> HeapBudget.check(multiKrum, 100, 100_000, 48L << 20, XMX_64M));
        assertEquals("aggregator = " + multiKrum.ruleName() + " keeps the round's dot products in the heap: 100^2 x 8 bytes,"
                + " plus 17.1 MiB for the rest of the gateway, 1.4 MiB for the MQTT receive path (5 update frames of up to 301082"
                + " bytes) and 48.0 MiB for the inbox's queued frames (inbox.maxBytes), 66.7 MiB"
                + " in all, more than the 64.0 MiB heap of this JVM (-Xmx); start it with -Xmx67m or more, or register fewer nodes"
                + " or a smaller model or a smaller inbox.maxBytes", e.getMessage());
    }

    @Test
    void theMqttReceivePathCountsFiveOfTheLargestUpdateFrames() {
        assertEquals(5 * 301_082L, HeapBudget.receivePath(100_000)); // dense frame with the longest identifiers
        assertEquals(5 * 3_008_168L, HeapBudget.receivePath(1_000_000)); // a sparse frame naming every coordinate
        // 20 x 1,000,000 with the smallest inbox that model allows (4 x 3,008,168 bytes): 16 MiB + 12,000,000 (model)
        // + 15,040,840 (receive path) + 12,032,672 (inbox) + 3,200 (dot products) = 53.3 MiB: fits 64 MiB.
        AggregationSettings multiKrum = new AggregationSettings(AggregatorKind.MULTI_KRUM, Metric.COMMON, 4, 0, 1);
        HeapBudget.check(multiKrum, 20, 1_000_000, 4 * 3_008_168L, XMX_64M);
        assertThrows(RoundSettingsException.class, () -> HeapBudget.check(multiKrum, 20, 1_000_000, 4 * 3_008_168L, 53L << 20));
    }

    @Test
    void refusesEvenKrumWhenItsDotProductsCannotFit() {
        AggregationSettings krum = new AggregationSettings(AggregatorKind.KRUM, Metric.COMMON, 1000, 0, 1);
        RoundSettingsException e = assertThrows(RoundSettingsException.class, () -> HeapBudget.check(krum, 4000, 1000, XMX_64M));
        assertEquals(true, e.getMessage().contains("4000^2 x 8 bytes"), e.getMessage());
    }

    private static AggregationSettings pipeline(String line) {
        return AggregationSettings.pipeline(PipelineSpec.parse(line), 1);
    }
}
