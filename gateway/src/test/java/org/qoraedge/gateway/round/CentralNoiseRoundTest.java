package org.qoraedge.gateway.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.fixedpoint.privacy.CentralNoise;
import org.qoraedge.fixedpoint.privacy.DiscreteGaussian;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.CentralNoiseSettings;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayCheck;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.Provocations;
import org.qoraedge.gateway.testing.RecordingOutbox;
import org.qoraedge.gateway.testing.TestNodes;

/** Central noise (docs/PRIVACY.md, "Central DP") at the round's close, in the record and in replay; without a broker. */
class CentralNoiseRoundTest {
    private static final int D = 64;
    private static final String FLEET = "private";
    private static final Topics TOPICS = new Topics(FLEET);
    private static final byte[] GATEWAY_SEED = new byte[32];
    private static final PipelineSpec CLIP = PipelineSpec.parse("centered-clip(1, 2)");

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 5);
    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
    private final RecordingOutbox outbox = new RecordingOutbox();
    private RoundCoordinator coordinator;

    @AfterEach
    void stop() {
        if (coordinator != null) {
            coordinator.close();
        }
    }

    private static byte[] secret(int fill) {
        byte[] s = new byte[32];
        Arrays.fill(s, (byte) fill);
        return s;
    }

    @Test
    void theModelMovesByTheNoisedAggregateWhichIsTheNextReferenceAndReplaysOnlyWithTheSecret(@TempDir Path dir) throws Exception {
        byte[] secret = secret(7);
        // 200/2: recorded in lowest terms
        CentralNoiseSettings noise = CentralNoiseSettings.of("200/2", secret);
        StateStore store = StateStore.open(dir, -1);
        Inbox inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(CoordinatorSettings.builder()
                .fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                .registry(TestNodes.registry(nodes)).aggregation(AggregationSettings.pipeline(CLIP, 1)).centralNoise(noise)
                .deadline(Duration.ofSeconds(30)).maxRounds(2).build(),
                RoundServices.none().store(store).listener(reports::add), inbox, outbox);
        coordinator.start();

        Bfp16Block model = ModelUpdate.zeros(D);
        Bfp16Block reference = null;
        Bfp16Block[] plain = new Bfp16Block[3];
        Bfp16Block[] noised = new Bfp16Block[3];
        for (long round = 1; round <= 2; round++) {
            Map<String, Bfp16Block> accepted = new TreeMap<>();
            for (NodeCredentials c : nodes) {
                byte[] f = Provocations.frame(c, FrameKind.UPDATE, FLEET, round, round, "m1",
                        TestNodes.update(c.nodeId(), round, D, false));
                accepted.put(c.nodeId(), FrameCodec.parseHeader(f, f.length).block());
                inbox.offer(TOPICS.update(c.nodeId()), f);
            }
            RoundReport r = reports.poll(10, TimeUnit.SECONDS);
            assertNotNull(r, "round " + round + " did not close");
            assertTrue(r.aggregated(), r.failure());
            Bfp16Block[] canonical = accepted.values().toArray(new Bfp16Block[0]);
            plain[(int) round] = CLIP.build(canonical.length).apply(canonical, reference).aggregate();
            noised[(int) round] = CentralNoise.apply(plain[(int) round], secret, round, DiscreteGaussian.of(100, 1));
            assertNotEquals(Digests.block(plain[(int) round]), Digests.block(noised[(int) round]), "sigma 10 LSB moved nothing");
            model = ModelUpdate.add(model, noised[(int) round]);
            assertEquals(Digests.block(model), r.modelDigest(), "round " + round + ": the model moves by the noised aggregate");
            reference = noised[(int) round];
        }
        assertTrue(coordinator.awaitFinished(10, TimeUnit.SECONDS));
        coordinator = null;
        store.close();

        AuditLog.Verified log = AuditLog.verifyFile(dir.resolve(StateStore.AUDIT_LOG), Ed25519Keys.publicKeyOf(GATEWAY_SEED));
        List<AuditRecord> recs = log.records();
        for (AuditRecord rec : recs) {
            assertEquals(new AuditRecord.CentralNoiseInputs("100"), rec.config().centralNoise());
            assertEquals(Digests.block(plain[(int) rec.round()]), rec.aggregateDigest(), "the record names the rule's aggregate");
        }
        assertEquals(Digests.block(noised[1]), recs.get(1).referenceDigest(),
                "round 2's reference is round 1's noised aggregate, not the rule's");

        // With the secret: everything, the model after included, reproduces, and round 1 hands round 2 its reference.
        ReplayReport first = Replay.replay(recs.get(0), journal(dir, 1), TestNodes.registry(nodes), null, secret);
        assertTrue(first.matches(), first.lines().toString());
        assertEquals(ReplayCheck.Status.MATCH, first.check("modelAfter").orElseThrow().status());
        assertFalse(first.noiseUnknown());
        ReplayReport second = Replay.replay(recs.get(1), journal(dir, 2), TestNodes.registry(nodes), first.replayedAggregate(),
                secret);
        assertTrue(second.matches(), second.lines().toString());
        assertEquals(ReplayCheck.Status.MATCH, second.check("reference").orElseThrow().status());

        // Without it: the rule's results reproduce, the model after is not checked, and the next reference is unknown.
        ReplayReport blind = Replay.replay(recs.get(0), journal(dir, 1), TestNodes.registry(nodes), null, null);
        assertTrue(blind.matches(), blind.lines().toString());
        assertEquals(ReplayCheck.Status.MATCH, blind.check("aggregateDigest").orElseThrow().status());
        assertEquals(ReplayCheck.Status.NOT_CHECKED, blind.check("modelAfter").orElseThrow().status());
        assertTrue(blind.noiseUnknown());
        assertNull(blind.replayedAggregate());

        // Another secret draws other noise: the model after differs.
        ReplayReport wrong = Replay.replay(recs.get(0), journal(dir, 1), TestNodes.registry(nodes), null, secret(8));
        assertEquals("modelAfter", wrong.firstMismatch().orElseThrow().field(), wrong.lines().toString());
    }

    @Test
    void aRecordThatHidesItsNoiseDoesNotReplay(@TempDir Path dir) throws Exception {
        byte[] secret = secret(3);
        StateStore store = StateStore.open(dir, -1);
        Inbox inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(CoordinatorSettings.builder()
                .fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                .registry(TestNodes.registry(nodes)).aggregation(AggregationSettings.pipeline(PipelineSpec.parse("mean"), 1))
                .centralNoise(CentralNoiseSettings.of("1/4", secret)).deadline(Duration.ofSeconds(30)).maxRounds(1).build(),
                RoundServices.none().store(store).listener(reports::add), inbox, outbox);
        coordinator.start();
        for (NodeCredentials c : nodes) {
            inbox.offer(TOPICS.update(c.nodeId()), Provocations.frame(c, FrameKind.UPDATE, FLEET, 1, 1, "m1",
                    TestNodes.update(c.nodeId(), 1, D, false)));
        }
        RoundReport r = reports.poll(10, TimeUnit.SECONDS);
        assertNotNull(r);
        assertTrue(r.aggregated(), r.failure());
        assertTrue(coordinator.awaitFinished(10, TimeUnit.SECONDS));
        coordinator = null;
        store.close();
        AuditRecord rec = AuditLog.verifyFile(dir.resolve(StateStore.AUDIT_LOG), Ed25519Keys.publicKeyOf(GATEWAY_SEED))
                .records().get(0);
        assertEquals("1/4", rec.config().centralNoise().sigma2());
        assertTrue(Replay.replay(rec, journal(dir, 1), null, null, secret).matches());

        // The same record claiming no noise, or another variance: the model after does not reproduce.
        for (AuditRecord.CentralNoiseInputs claim : new AuditRecord.CentralNoiseInputs[] {null,
            new AuditRecord.CentralNoiseInputs("1/2")}) {
            ReplayReport rep = Replay.replay(claiming(rec, claim), journal(dir, 1), null, null, secret);
            assertEquals("modelAfter", rep.firstMismatch().orElseThrow().field(), String.valueOf(claim));
        }
        // A variance the record cannot have: the configuration cannot be run.
        AuditRecord bad = claiming(rec, new AuditRecord.CentralNoiseInputs("-1"));
        assertEquals("config", Replay.replay(bad, journal(dir, 1), null, null, secret).firstMismatch().orElseThrow().field());
    }

    /** {@code rec} with another {@code config.centralNoise} (null: none). */
    private static AuditRecord claiming(AuditRecord rec, AuditRecord.CentralNoiseInputs claim) {
        return rec.withConfig(rec.config().withCentralNoise(claim));
    }

    private static RoundJournal.Contents journal(Path dir, long round) throws Exception {
        return RoundJournal.read(dir.resolve("rounds").resolve(StateStore.journalName(round)), false);
    }
}
