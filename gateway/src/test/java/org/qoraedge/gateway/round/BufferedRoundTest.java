package org.qoraedge.gateway.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.BufferedSettings;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayCheck;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.Provocations;
import org.qoraedge.gateway.testing.RecordingOutbox;
import org.qoraedge.gateway.testing.TestNodes;

/** Buffered asynchronous aggregation (docs/PROTOCOL.md section 6.3) in the round coordinator, without a broker. */
class BufferedRoundTest {
    private static final int D = 16;
    private static final String FLEET = "buffered";
    private static final Topics TOPICS = new Topics(FLEET);
    private static final byte[] GATEWAY_SEED = new byte[32];
    private static final PipelineSpec MEAN = PipelineSpec.parse("mean");

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 6);
    private final Map<String, NodeCredentials> byId = new HashMap<>();
    private final Map<String, Long> sequence = new HashMap<>();
    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
    private final RecordingOutbox outbox = new RecordingOutbox();
    private Inbox inbox;
    private RoundCoordinator coordinator;

    BufferedRoundTest() {
        for (NodeCredentials c : nodes) {
            byId.put(c.nodeId(), c);
        }
    }

    @AfterEach
    void stop() {
        if (coordinator != null) {
            coordinator.close();
        }
    }

    private CoordinatorSettings.Builder settings(BufferedSettings buffered) {
        return CoordinatorSettings.builder().fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                .registry(TestNodes.registry(nodes)).aggregation(AggregationSettings.pipeline(MEAN, 3)).buffered(buffered)
                .deadline(Duration.ofSeconds(30));
    }

    /** The next update of {@code node}, trained from {@code version}: its block depends on the node and version only. */
    private byte[] update(String node, long version) {
        long seq = sequence.merge(node, 1L, Long::sum);
        return Provocations.frame(byId.get(node), FrameKind.UPDATE, FLEET, version, seq, "m1",
                TestNodes.update(node, version, D, false));
    }

    private void send(String node, long version) {
        inbox.offer(TOPICS.update(node), update(node, version));
    }

    private RoundReport next() throws InterruptedException {
        RoundReport r = reports.poll(10, TimeUnit.SECONDS);
        assertNotNull(r, "no buffer closed within 10 s");
        return r;
    }

    private List<AuditRecord> records() {
        List<AuditRecord> recs = new ArrayList<>();
        for (RecordingOutbox.Published p : outbox.on(TOPICS.audit())) {
            recs.add(AuditLog.verify(new String(p.payload(), StandardCharsets.UTF_8), Ed25519Keys.publicKeyOf(GATEWAY_SEED)));
        }
        return recs;
    }

    /** The oracle: fixedpoint's weighted mean of the given (node, version) updates in node order with the given weights, added to {@code model}. */
    private static Bfp16Block expected(Bfp16Block model, TreeMap<String, Long> versions, long[] weights) {
        Bfp16Block[] blocks = new Bfp16Block[versions.size()];
        int k = 0;
        for (Map.Entry<String, Long> e : versions.entrySet()) {
            blocks[k++] = TestNodes.update(e.getKey(), e.getValue(), D, false);
        }
        return ModelUpdate.add(model, MEAN.build(blocks.length).apply(blocks, null, weights).aggregate());
    }

    private static TreeMap<String, Long> versions(Object... nodeAndVersion) {
        TreeMap<String, Long> m = new TreeMap<>();
        for (int k = 0; k < nodeAndVersion.length; k += 2) {
            m.put((String) nodeAndVersion[k], ((Number) nodeAndVersion[k + 1]).longValue());
        }
        return m;
    }

    @Test
    void buffersTakeUpdatesFromOlderVersionsWeightThemByStalenessRefuseStaleAndFutureOnesAndReplayBitForBit(@TempDir Path dir)
            throws Exception {
        StateStore store = StateStore.open(dir, -1);
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(settings(new BufferedSettings(3, 2)).build(),
                RoundServices.none().store(store).listener(reports::add), inbox, outbox);
        coordinator.start();
        Bfp16Block model = ModelUpdate.zeros(D);

        // Version 1: three fresh updates, each of weight 2^2.
        send("node-03", 1);
        send("node-01", 1);
        send("node-02", 1);
        RoundReport r1 = next();
        assertTrue(r1.aggregated(), r1.failure());
        model = expected(model, versions("node-01", 1, "node-02", 1, "node-03", 1), new long[] {4, 4, 4});
        assertEquals(Digests.block(model), r1.modelDigest());

        // Version 2: a frame from the future, node-04 one version behind, node-05 twice (the second is a duplicate).
        send("node-06", 3);
        send("node-04", 1);
        send("node-05", 2);
        send("node-05", 2);
        send("node-01", 2);
        RoundReport r2 = next();
        assertTrue(r2.aggregated(), r2.failure());
        assertEquals(List.of("node-01", "node-04", "node-05"), r2.acceptedIds());
        assertEquals(Map.of(RejectReason.WRONG_ROUND, 1L, RejectReason.DUPLICATE_UPDATE, 1L), r2.rejected());
        model = expected(model, versions("node-01", 2, "node-04", 1, "node-05", 2), new long[] {4, 2, 4});
        assertEquals(Digests.block(model), r2.modelDigest());

        // Version 3: updates two, one and zero versions behind.
        send("node-03", 1);
        send("node-02", 2);
        send("node-06", 3);
        RoundReport r3 = next();
        assertTrue(r3.aggregated(), r3.failure());
        model = expected(model, versions("node-02", 2, "node-03", 1, "node-06", 3), new long[] {2, 1, 4});
        assertEquals(Digests.block(model), r3.modelDigest());

        // Version 4: version 1 is three behind, one more than maxStaleness: stale-update.
        send("node-04", 1);
        send("node-05", 4);
        send("node-01", 3);
        send("node-02", 2);
        RoundReport r4 = next();
        assertTrue(r4.aggregated(), r4.failure());
        assertEquals(Map.of(RejectReason.STALE_UPDATE, 1L), r4.rejected());
        model = expected(model, versions("node-01", 3, "node-02", 2, "node-05", 4), new long[] {2, 1, 4});
        assertEquals(Digests.block(model), r4.modelDigest());
        assertEquals(1L, coordinator.rejectedTotals().get(RejectReason.STALE_UPDATE));

        List<AuditRecord> recs = records();
        assertEquals(4, recs.size());
        assertArrayEquals(new long[] {4, 2, 4}, recs.get(1).weights(), "by canonical index: node-01, node-04, node-05");
        assertArrayEquals(new long[] {2, 1, 4}, recs.get(2).weights());
        assertEquals(new AuditRecord.BufferedInputs(3, 2), recs.get(3).config().buffered());
        assertTrue(recs.get(3).frames().stream().anyMatch(f -> f.node().equals("node-04") && f.round() == 1
                && f.status().equals("stale-update")), recs.get(3).frames().toString());
        assertTrue(recs.get(1).frames().stream().anyMatch(f -> f.node().equals("node-04") && f.round() == 1 && f.accepted()));
        // After each buffer the next version is published with its announcement, as a round close does
        // (after the listeners heard of the close: wait for it).
        outbox.awaitAnnouncement(TOPICS.round(), 5);
        assertEquals(5, outbox.on(TOPICS.round()).size(), "versions 1 to 5 announced");
        coordinator.close();
        coordinator = null;
        store.close();

        AuditLog.Verified log = AuditLog.verifyFile(dir.resolve(StateStore.AUDIT_LOG), Ed25519Keys.publicKeyOf(GATEWAY_SEED));
        for (AuditRecord rec : log.records()) {
            ReplayReport replay = Replay.replay(rec, journal(dir, rec.round()), TestNodes.registry(nodes), null);
            assertTrue(replay.matches(), replay.lines().toString());
            for (String field : List.of("buffered.frames", "frames.header", "weights", "modelAfter")) {
                assertEquals(ReplayCheck.Status.MATCH, replay.check(field).orElseThrow().status(), field);
            }
        }

        // A record of buffer 3 whose maxStaleness was changed (so its weights would be others) does not replay.
        AuditRecord good = log.records().get(2);
        AuditRecord.Config c = good.config();
        assertEquals("weights", replayOf(dir, good, c.withBuffered(new AuditRecord.BufferedInputs(3, 3))));
        // Nor one whose buffer size is smaller than the updates it aggregated.
        assertEquals("buffered.frames", replayOf(dir, good, c.withBuffered(new AuditRecord.BufferedInputs(2, 2))));
        // Nor one that says it is a synchronous round: its frames name older rounds.
        assertEquals("frames.header", replayOf(dir, good, c.withBuffered(null)));
        // Nor one whose window no longer holds node-03's version 1.
        assertEquals("frames.header", replayOf(dir, good, c.withBuffered(new AuditRecord.BufferedInputs(3, 1))));
    }

    @Test
    void aServerStepShiftAddsHalfTheBuffersAggregateAndReplaysOnlyWithTheRecordedShift(@TempDir Path dir) throws Exception {
        StateStore store = StateStore.open(dir, -1);
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(settings(new BufferedSettings(3, 2, 1)).build(),
                RoundServices.none().store(store).listener(reports::add), inbox, outbox);
        coordinator.start();
        send("node-03", 1);
        send("node-01", 1);
        send("node-02", 1);
        RoundReport r1 = next();
        assertTrue(r1.aggregated(), r1.failure());
        // The oracle's aggregate (the model after with a step of 1, from zeros), then that block with
        // its exponent lowered by one: exactly half of it, added to the zero model.
        Bfp16Block full = expected(ModelUpdate.zeros(D), versions("node-01", 1, "node-02", 1, "node-03", 1), new long[] {4, 4, 4});
        Bfp16Block half = ModelUpdate.add(ModelUpdate.zeros(D), Bfp16Block.of(full.exponent() - 1, full.mantissas()));
        assertEquals(Digests.block(half), r1.modelDigest());
        assertEquals(Digests.block(full), Digests.block(r1.result().aggregate()), "the aggregate is the rule's");
        coordinator.close();
        coordinator = null;
        store.close();

        AuditRecord rec = AuditLog.verifyFile(dir.resolve(StateStore.AUDIT_LOG), Ed25519Keys.publicKeyOf(GATEWAY_SEED)).records().get(0);
        assertEquals(new AuditRecord.BufferedInputs(3, 2, 1), rec.config().buffered());
        ReplayReport replay = Replay.replay(rec, journal(dir, 1), TestNodes.registry(nodes), null);
        assertTrue(replay.matches(), replay.lines().toString());
        // The same record claiming a step of 1 (or 2^-2) does not replay: the model after differs.
        assertEquals("modelAfter", replayOf(dir, rec, rec.config().withBuffered(new AuditRecord.BufferedInputs(3, 2, 0))));
        assertEquals("modelAfter", replayOf(dir, rec, rec.config().withBuffered(new AuditRecord.BufferedInputs(3, 2, 2))));
    }

    @Test
    void aGatewayRestartedInsideABufferKeepsItsJournaledUpdatesWithTheirVersionsAndWeights(@TempDir Path dir) throws Exception {
        StateStore store = StateStore.open(dir, -1);
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(settings(new BufferedSettings(3, 2)).build(),
                RoundServices.none().store(store).listener(reports::add), inbox, outbox);
        coordinator.start();
        send("node-01", 1);
        send("node-02", 1);
        send("node-03", 1);
        assertTrue(next().aggregated());
        send("node-04", 1);
        send("node-05", 2);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        // (Between a close and the next open the status shows the new round with the closed one's count.)
        while ((coordinator.status().round() != 2 || coordinator.status().accepted() != 2) && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(2, coordinator.status().round());
        assertEquals(2, coordinator.status().accepted());
        coordinator.close(); // buffer 2 is abandoned, its journal kept
        store.close();

        store = StateStore.open(dir, -1);
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(settings(new BufferedSettings(3, 2)).build(),
                RoundServices.none().store(store).listener(reports::add), inbox, outbox);
        coordinator.start();
        send("node-01", 2);
        RoundReport r = next();
        assertEquals(2, r.round());
        assertEquals(List.of("node-01", "node-04", "node-05"), r.acceptedIds());
        coordinator.close();
        coordinator = null;
        store.close();
        AuditLog.Verified log = AuditLog.verifyFile(dir.resolve(StateStore.AUDIT_LOG), Ed25519Keys.publicKeyOf(GATEWAY_SEED));
        AuditRecord rec = log.records().get(1);
        assertArrayEquals(new long[] {4, 2, 4}, rec.weights(), "node-04's restored update keeps its version 1");
        assertEquals(1, rec.timing().restarts());
        ReplayReport replay = Replay.replay(rec, journal(dir, 2), TestNodes.registry(nodes), null);
        assertTrue(replay.matches(), replay.lines().toString());
    }

    @Test
    void theSameUpdatesInAnotherArrivalOrderGiveTheSameModel() throws Exception {
        List<String> digests = new ArrayList<>();
        for (List<String> order : List.of(List.of("node-01", "node-02", "node-03"), List.of("node-03", "node-01", "node-02"),
                List.of("node-02", "node-03", "node-01"))) {
            sequence.clear();
            reports.clear();
            inbox = new Inbox(1024);
            coordinator = new RoundCoordinator(settings(new BufferedSettings(3, 2)).maxRounds(2).build(),
                    RoundServices.none().listener(reports::add), inbox, outbox);
            coordinator.start();
            for (String n : order) {
                send(n, 1);
            }
            assertTrue(next().aggregated());
            long[] versions = {1, 2, 1};
            for (String n : order) {
                send(n, versions[Integer.parseInt(n.substring(5)) - 1]);
            }
            RoundReport r = next();
            assertTrue(r.aggregated(), r.failure());
            digests.add(r.modelDigest());
            coordinator.close();
            coordinator = null;
        }
        assertEquals(1, digests.stream().distinct().count(), digests.toString());
    }

    @Test
    void bufferedModeRefusesWhatItCannotRun() {
        assertThrows(RoundSettingsException.class, () -> settings(new BufferedSettings(3, 2))
                .aggregation(AggregationSettings.krum(0)).build(), "Krum does not average");
        assertThrows(RoundSettingsException.class, () -> settings(new BufferedSettings(2, 2)).build(), "quorum 3 above 2");
        inbox = new Inbox(16);
        RoundSettingsException rep = assertThrows(RoundSettingsException.class, () -> new RoundCoordinator(
                settings(new BufferedSettings(3, 2)).build(),
                RoundServices.none().reputation(new ReputationLedger(ReputationSettings.defaults())), inbox, outbox));
        assertTrue(rep.getMessage().contains("reputation"), rep.getMessage());
    }

    private static RoundJournal.Contents journal(Path dir, long round) throws Exception {
        return RoundJournal.read(dir.resolve("rounds").resolve(StateStore.journalName(round)), false);
    }

    /** The first mismatching field of the replay of {@code good} with {@code config} instead of its own. */
    private static String replayOf(Path dir, AuditRecord good, AuditRecord.Config config) throws Exception {
        ReplayReport r = Replay.replay(good.withConfig(config), journal(dir, good.round()), null, null);
        assertFalse(r.matches());
        return r.firstMismatch().orElseThrow().field();
    }
}
