package org.qoraedge.devicesim.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qoraedge.devicesim.attack.AttackKind;
import org.qoraedge.devicesim.attack.ProtocolAttackSpec;
import org.qoraedge.devicesim.data.SyntheticSensorData;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.sim.Fleet;
import org.qoraedge.devicesim.sim.InProcessSimulator;
import org.qoraedge.devicesim.sim.RoundListener;
import org.qoraedge.devicesim.sim.RoundRecord;
import org.qoraedge.devicesim.sim.SimConfig;
import org.qoraedge.devicesim.sim.SimResult;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.round.RoundReport;

/**
 * Each protocol-level attack, alone, against a real gateway on its embedded broker: with the
 * gateway's reputation off, the gateway counts exactly the attack's reason (and nothing else),
 * every node's genuine update is still accepted, and the rounds give bit for bit what the
 * attack-free in-process run gives. With reputation on (the gateway's default), an attributable
 * violation gets the attacker banned, and the rounds go on without it.
 */
class ProtocolAttacksOverMqttTest {
    private static TrainTest data;
    private static SimConfig cfg;
    private static SimResult inProcess;

    @BeforeAll
    static void baseline() {
        data = SyntheticSensorData.generate(1);
        // One node declared Byzantine but with no model-level attack: it trains honestly and attacks only on the wire.
        cfg = SimConfig.builder().dataset("synthetic").model("logreg").nodes(6).byzantine(1).attack("none")
                .aggregator("multikrum-common").rounds(2).seed(5).threads(1).build();
        inProcess = InProcessSimulator.run(cfg, data, RoundListener.NONE);
    }

    @Test
    void withReputationOnARepeatedAttributableViolationGetsTheAttackerBannedAndRoundsGoOnWithoutIt() throws Exception {
        SimConfig four = cfg.toBuilder().rounds(4).build();
        String attacker = Fleet.declaredByzantineIds(four).get(0);
        List<RoundReport> reports = new ArrayList<>();
        MqttScenario.Result res = MqttScenario.run(four, data, MqttScenario.Options.defaults()
                .protocolAttacks(ProtocolAttackSpec.parseList("malformed-wrong-dimension")), (rec, rep) -> reports.add(rep));
        assertTrue(res.reputation());
        assertEquals(4, reports.size());
        // wrong-dimension is checked after the signature, round and sequence: the node's own key signed it.
        assertEquals(Map.of(RejectReason.WRONG_DIMENSION, 1L), reports.get(0).rejected());
        int bannedFrom = -1;
        for (RoundReport rep : reports) {
            assertTrue(rep.aggregated(), "round " + rep.round() + ": " + rep.failure());
            if (bannedFrom < 0 && rep.rejected().containsKey(RejectReason.BANNED)) {
                bannedFrom = (int) rep.round();
            }
            if (bannedFrom > 0) {
                // Both its frames (banned is checked before the dimension) refused; the others close the round.
                assertEquals(Map.of(RejectReason.BANNED, 2L), rep.rejected(), "round " + rep.round());
                assertFalse(rep.acceptedIds().contains(attacker));
                assertEquals(5, rep.acceptedIds().size());
            }
        }
        assertTrue(bannedFrom > 1, "the attacker was never banned: " + res.rejectedByReason());
    }

    @ParameterizedTest
    @EnumSource(value = AttackKind.class, names = {"STALE_REPLAY", "WRONG_SIGNATURE", "SYBIL", "MALFORMED_TRUNCATED",
        "MALFORMED_OVERSIZED", "MALFORMED_WRONG_DIMENSION", "MALFORMED_BAD_VERSION", "FLOODING"})
    void theGatewayCountsTheAttacksReasonAndStillAggregatesEveryHonestRound(AttackKind kind) throws Exception {
        String spec = kind == AttackKind.SYBIL ? "sybil:identities=2" : kind == AttackKind.FLOODING ? "flooding:frames=3" : kind.id();
        int perRound = kind == AttackKind.SYBIL ? 2 : kind == AttackKind.FLOODING ? 3 : 1;
        RejectReason reason = ProtocolFrames.expectedReason(kind);
        List<RoundReport> reports = new ArrayList<>();
        MqttScenario.Result res = MqttScenario.run(cfg, data, MqttScenario.Options.defaults().reputation(false)
                .protocolAttacks(List.of(ProtocolAttackSpec.parse(spec))), (rec, rep) -> reports.add(rep));

        assertEquals(Fleet.declaredByzantineIds(cfg), res.protocolAttackers());
        assertEquals(2, reports.size());
        for (RoundReport rep : reports) {
            assertTrue(rep.aggregated(), "round " + rep.round() + ": " + rep.failure());
            assertEquals(6, rep.acceptedIds().size(), "every genuine update accepted in round " + rep.round());
            assertTrue(!rep.deadlineReached(), "round " + rep.round() + " closed by its last update, not the deadline");
            // stale-replay has nothing to replay in round 1.
            long expected = kind == AttackKind.STALE_REPLAY && rep.round() == 1 ? 0 : perRound;
            Map<RejectReason, Long> want = expected == 0 || reason == null ? Map.of() : Map.of(reason, expected);
            assertEquals(want, rep.rejected(), spec + ", round " + rep.round());
        }
        long total = kind == AttackKind.STALE_REPLAY ? perRound : 2L * perRound;
        assertEquals(Map.of(kind.id(), total), res.framesSent());
        // Sybil frames (ids not in the registry) are never delivered: the gateway subscribes to registered ids only.
        assertEquals(reason == null ? Map.of() : Map.of(reason.wireName(), total), res.rejectedByReason());
        assertEquals(reason == null ? 0 : total, res.rejectedTotal());

        // Rejected frames change nothing: same rounds, bit for bit, as in process without any attack.
        SimResult mqtt = res.sim();
        for (int r = 0; r < 2; r++) {
            RoundRecord a = inProcess.rounds().get(r).withoutTiming();
            RoundRecord b = mqtt.rounds().get(r).withoutTiming();
            assertEquals(a, new RoundRecord(b.round(), b.accuracy(), b.loss(), b.selected(), b.byzantineSelected(), Map.of(),
                    0, b.aggregateExponent()), spec);
        }
        assertArrayEquals(inProcess.finalParameters(), mqtt.finalParameters());
        assertTrue(mqtt.finalAccuracy() > mqtt.initialAccuracy() + 0.3, "accuracy rose: " + mqtt.initialAccuracy()
                + " -> " + mqtt.finalAccuracy());
    }
}
