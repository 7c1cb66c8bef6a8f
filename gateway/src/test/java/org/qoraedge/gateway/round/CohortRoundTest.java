package org.qoraedge.gateway.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayCheck;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.audit.ReputationReplay;
import org.qoraedge.gateway.protocol.ByzantineFraction;
import org.qoraedge.gateway.protocol.Cohort;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.Provocations;
import org.qoraedge.gateway.testing.RecordingOutbox;
import org.qoraedge.gateway.testing.TestNodes;

/** Partial participation (docs/PROTOCOL.md section 6.2) in the round coordinator, without a broker. */
class CohortRoundTest {
    private static final int D = 16;
    private static final String FLEET = "cohort";
    private static final Topics TOPICS = new Topics(FLEET);
    private static final byte[] GATEWAY_SEED = new byte[32];
    private static final ByzantineFraction QUARTER = ByzantineFraction.parse("1/4");

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 8);
    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
    private final RecordingOutbox outbox = new RecordingOutbox();
    private Inbox inbox;
    private RoundCoordinator coordinator;

    @AfterEach
    void stop() {
        if (coordinator != null) {
            coordinator.close();
        }
    }

    /** The default rule for f. */
    private static AggregationSettings defaultRule(int f) {
        return AggregationSettings.pipeline(PipelineSpec.parse("nnm(" + f + ") > centered-clip(" + f + ", 3)"), 1);
    }

    private CoordinatorSettings.Builder settings(CohortSettings cohort) {
        return CoordinatorSettings.builder().fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                .registry(TestNodes.registry(nodes)).aggregation(defaultRule(1)).cohort(cohort).deadline(Duration.ofSeconds(30));
    }

    private byte[] update(NodeCredentials c, long round, long seq) {
        return Provocations.frame(c, FrameKind.UPDATE, FLEET, round, seq, "m1",
                TestNodes.update(c.nodeId(), round, D, c.nodeId().equals("node-03")));
    }

    private RoundReport next() throws InterruptedException {
        RoundReport r = reports.poll(10, TimeUnit.SECONDS);
        assertNotNull(r, "no round closed within 10 s");
        return r;
    }

    private RoundAnnouncement announcement(long round) throws InterruptedException {
        return outbox.awaitAnnouncement(TOPICS.round(), round);
    }

    private List<AuditRecord> records() {
        List<AuditRecord> recs = new ArrayList<>();
        for (RecordingOutbox.Published p : outbox.on(TOPICS.audit())) {
            recs.add(AuditLog.verify(new String(p.payload(), StandardCharsets.UTF_8), Ed25519Keys.publicKeyOf(GATEWAY_SEED)));
        }
        return recs;
    }

    @Test
    void aCohortRoundAsksTheDrawnNodesRefusesTheOthersClosesOnTheCohortAndReplaysBitForBit(@TempDir Path dir) throws Exception {
        StateStore store = StateStore.open(dir, -1);
        inbox = new Inbox(1024);
        BanList bans = id -> id.equals("node-08");
        coordinator = new RoundCoordinator(settings(CohortSettings.of(4, QUARTER, CohortRoundTest::defaultRule)).build(),
                RoundServices.none().store(store).banList(bans).reputation(new ReputationLedger(ReputationSettings.defaults()))
                        .listener(reports::add), inbox, outbox);
        coordinator.start();
        List<String> eligible = List.of("node-01", "node-02", "node-03", "node-04", "node-05", "node-06", "node-07");
        String model = Digests.block(ModelUpdate.zeros(D));
        for (long round = 1; round <= 3; round++) {
            List<String> cohort = Cohort.select(model, round, eligible, 4);
            long deadline = System.nanoTime();
            assertEquals(cohort, announcement(round).cohort(), "round " + round + " announces the drawn cohort");
            // Those outside the cohort first: the round closes as soon as the last member has reported.
            for (NodeCredentials c : nodes) {
                if (!c.nodeId().equals("node-08") && !cohort.contains(c.nodeId())) {
                    inbox.offer(TOPICS.update(c.nodeId()), update(c, round, round));
                }
            }
            for (NodeCredentials c : nodes) {
                if (cohort.contains(c.nodeId())) {
                    inbox.offer(TOPICS.update(c.nodeId()), update(c, round, round));
                }
            }
            RoundReport r = next();
            assertTrue(r.aggregated(), r.failure());
            assertFalse(r.deadlineReached(), "closed on the cohort, not at the deadline");
            assertTrue(System.nanoTime() - deadline < TimeUnit.SECONDS.toNanos(10));
            assertEquals(cohort, r.acceptedIds(), "only the cohort's updates are aggregated");
            assertEquals(Map.of(RejectReason.NOT_IN_COHORT, 3L), r.rejected(), "the three eligible nodes outside it are refused");
            AuditRecord rec = records().get((int) round - 1);
            assertEquals(cohort, rec.config().expected(), "the record names the cohort");
            assertEquals(new AuditRecord.CohortInputs(4, eligible, "1/4", 1), rec.config().cohort());
            assertEquals("nnm(1) > centered-clip(1, 3)", rec.config().aggregator(), "f = floor(1/4 * 4)");
            for (AuditRecord.ReputationChange ch : rec.reputation()) {
                assertTrue(cohort.contains(ch.node()) || !ch.reason().contains("absent"), "a node not asked is not absent: " + ch);
            }
            model = r.modelDigest();
        }
        List<String> noticed = new ArrayList<>();
        for (RecordingOutbox.Published p : outbox.published()) {
            if (p.topic().startsWith("qora/v1/cohort/reject/")) {
                assertEquals(RejectReason.NOT_IN_COHORT, RejectionNotice.parse(p.payload()).reason());
                noticed.add(p.topic());
            }
        }
        assertEquals(9, noticed.size(), "each refused node is told, once per round");
        coordinator.close();
        coordinator = null;
        store.close();

        AuditLog.Verified log = AuditLog.verifyFile(dir.resolve(StateStore.AUDIT_LOG), Ed25519Keys.publicKeyOf(GATEWAY_SEED));
        ReputationReplay.Result rep = ReputationReplay.check(log.records());
        assertTrue(rep.matches(), rep.mismatch());
        ReplayReport previous = null;
        for (AuditRecord rec : log.records()) {
            ReplayReport replay = Replay.replay(rec, journal(dir, rec.round()), TestNodes.registry(nodes),
                    previous == null ? null : previous.replayedAggregate());
            assertTrue(replay.matches(), replay.lines().toString());
            for (String field : List.of("cohort", "cohort.f", "cohort.frames")) {
                assertEquals(ReplayCheck.Status.MATCH, replay.check(field).orElseThrow().status(), field);
            }
            previous = replay;
        }

        // A record whose eligible set, cohort or f was changed does not replay.
        AuditRecord good = log.records().get(0);
        AuditRecord.Config c = good.config();
        List<String> moreEligible = new ArrayList<>(eligible);
        moreEligible.add("node-08");
        List<String> drawnWithBanned = Cohort.select(good.modelBefore(), 1, moreEligible, 4);
        if (!drawnWithBanned.equals(c.expected())) {
            assertEquals("cohort", replayOf(dir, good, new AuditRecord.Config(c.aggregator(), c.metric(), c.f(), c.m(),
                    c.minUpdates(), c.dimension(), c.modelId(), c.reputationSettings(), c.expected(),
                    new AuditRecord.CohortInputs(4, moreEligible, "1/4", 1))));
        }
        assertEquals("cohort", replayOf(dir, good, new AuditRecord.Config(c.aggregator(), c.metric(), c.f(), c.m(),
                c.minUpdates(), c.dimension(), c.modelId(), c.reputationSettings(), c.expected(),
                new AuditRecord.CohortInputs(3, eligible, "1/4", 1))));
        assertEquals("cohort.f", replayOf(dir, good, new AuditRecord.Config(c.aggregator(), c.metric(), c.f(), c.m(),
                c.minUpdates(), c.dimension(), c.modelId(), c.reputationSettings(), c.expected(),
                new AuditRecord.CohortInputs(4, eligible, "1/4", 2))));
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

    /**
     * A node the ledger bans at a round's close is not eligible for the next round's cohort; the
     * reputation fold of the records knows the ledger's bans and refuses a record that names a banned
     * node eligible (the operator's own ban list is not in the log: that is why the record names the
     * eligible set).
     */
    @Test
    void aNodeBannedAtACloseIsNotEligibleNextRoundAndTheFoldChecksIt() throws Exception {
        Properties strict = new Properties();
        strict.setProperty(ReputationSettings.BAN_BELOW, "0.45");
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(settings(CohortSettings.of(8, QUARTER, CohortRoundTest::defaultRule)).build(),
                RoundServices.none().reputation(new ReputationLedger(ReputationSettings.fromProperties(strict)))
                        .listener(reports::add), inbox, outbox);
        coordinator.start();
        for (NodeCredentials c : nodes) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 1));
        }
        assertTrue(next().aggregated());
        assertTrue(coordinator.reputation().isBanned("node-03"), "the far node is banned at round 1's close");
        List<String> withoutBanned = List.of("node-01", "node-02", "node-04", "node-05", "node-06", "node-07", "node-08");
        assertEquals(withoutBanned, announcement(2).cohort(), "seven eligible nodes, a cohort of up to eight: all seven");
        for (NodeCredentials c : nodes) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, 2, 2));
        }
        RoundReport r2 = next();
        assertEquals(Map.of(RejectReason.BANNED, 1L), r2.rejected());
        List<AuditRecord> recs = records();
        assertEquals(withoutBanned, recs.get(1).config().cohort().eligible());
        assertEquals(new AuditRecord.CohortInputs(8, withoutBanned, "1/4", 1), recs.get(1).config().cohort());
        assertTrue(ReputationReplay.check(recs).matches(), ReputationReplay.check(recs).mismatch());

        AuditRecord good = recs.get(1);
        AuditRecord.Config c = good.config();
        List<String> all = new ArrayList<>();
        for (NodeCredentials n : nodes) {
            all.add(n.nodeId());
        }
        recs.set(1, new AuditRecord(good.fleet(), good.gatewayId(), good.gatewayKey(), good.round(), good.prev(),
                good.outcome(), good.failure(), new AuditRecord.Config(c.aggregator(), c.metric(), c.f(), c.m(), c.minUpdates(),
                        c.dimension(), c.modelId(), c.reputationSettings(), c.expected(), new AuditRecord.CohortInputs(8, all, "1/4", 2)),
                good.modelBefore(), good.frames(), good.framesOmitted(), good.canonicalOrder(), good.scores(), good.ranking(),
                good.selected(), good.kept(), good.referenceDigest(), good.deviations(), good.weights(), good.referenceExponent(),
                good.aggregateDigest(), good.modelAfter(), good.reputation(), good.operator(), good.timing(), good.framesKept()));
        ReputationReplay.Result forged = ReputationReplay.check(recs);
        assertFalse(forged.matches());
        assertEquals("round 2: node node-03 is eligible for the cohort, but the recomputed ledger had banned it at the round's start",
                forged.mismatch());
    }

    /**
     * A gateway restarted inside a cohort round draws the same cohort again (same model, round and
     * bans), restores the members' updates it had journaled, closes on the rest and replays.
     */
    @Test
    void aRestartInsideACohortRoundDrawsTheSameCohortAndKeepsItsUpdates(@TempDir Path dir) throws Exception {
        List<String> cohort = Cohort.select(Digests.block(ModelUpdate.zeros(D)), 1,
                nodes.stream().map(NodeCredentials::nodeId).toList(), 4);
        StateStore store = StateStore.open(dir, -1);
        inbox = new Inbox(1024);
        CoordinatorSettings s = settings(CohortSettings.of(4, QUARTER, CohortRoundTest::defaultRule)).build();
        coordinator = new RoundCoordinator(s, RoundServices.none().store(store).listener(reports::add), inbox, outbox);
        coordinator.start();
        for (NodeCredentials c : nodes) {
            if (c.nodeId().equals(cohort.get(0)) || c.nodeId().equals(cohort.get(1))) {
                inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 1));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (coordinator.status().accepted() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(2, coordinator.status().accepted());
        coordinator.close(); // the round is abandoned, its journal kept
        store.close();
        int announced = outbox.on(TOPICS.round()).size();

        store = StateStore.open(dir, -1);
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(s, RoundServices.none().store(store).listener(reports::add), inbox, outbox);
        coordinator.start();
        while (outbox.on(TOPICS.round()).size() == announced) {
            Thread.sleep(5);
        }
        RoundAnnouncement again = RoundAnnouncement.parse(outbox.on(TOPICS.round()).get(announced).payload());
        assertEquals(1, again.round());
        assertEquals(cohort, again.cohort(), "the same cohort after the restart");
        for (NodeCredentials c : nodes) {
            if (c.nodeId().equals(cohort.get(2)) || c.nodeId().equals(cohort.get(3))) {
                inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 1));
            }
        }
        RoundReport r = next();
        assertTrue(r.aggregated(), r.failure());
        assertEquals(cohort, r.acceptedIds(), "two updates from before the restart, two after");
        coordinator.close();
        coordinator = null;
        store.close();
        AuditLog.Verified log = AuditLog.verifyFile(dir.resolve(StateStore.AUDIT_LOG), Ed25519Keys.publicKeyOf(GATEWAY_SEED));
        AuditRecord rec = log.records().get(0);
        assertEquals(1, rec.timing().restarts());
        ReplayReport replay = Replay.replay(rec, journal(dir, 1), TestNodes.registry(nodes), null);
        assertTrue(replay.matches(), replay.lines().toString());
    }

    @Test
    void withoutACohortTheAnnouncementAndTheRecordAreAsBefore() throws Exception {
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(settings(null).build(), RoundServices.none().listener(reports::add), inbox, outbox);
        coordinator.start();
        for (NodeCredentials c : nodes) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 1));
        }
        assertTrue(next().aggregated());
        String announced = new String(outbox.on(TOPICS.round()).get(0).payload(), StandardCharsets.UTF_8);
        assertFalse(announced.contains("\ncohort="), announced);
        String line = new String(outbox.on(TOPICS.audit()).get(0).payload(), StandardCharsets.UTF_8);
        assertFalse(line.contains("\"cohort\":"), line);
    }

    @Test
    void refusesACohortWhoseQuorumCannotBeMetNamingTheNumbers() {
        RoundSettingsException e = assertThrows(RoundSettingsException.class, () -> settings(
                CohortSettings.of(4, ByzantineFraction.parse("0.5"), CohortRoundTest::defaultRule)).build());
        assertEquals("nnm(2) > centered-clip(2, 3) with f = floor(1/2 * 4) = 2 needs 5 updates per round, but round.cohort = 4"
                + " asks only 4 nodes", e.getMessage());
        RoundSettingsException krum = assertThrows(RoundSettingsException.class, () -> settings(CohortSettings.of(10,
                ByzantineFraction.parse("3/10"), f -> new AggregationSettings(AggregatorKind.KRUM,
                        Metric.COMMON, f, 0, 1))).build());
        assertTrue(krum.getMessage().contains("round.cohort = 10 but only 8 nodes are expected"), krum.getMessage());
        assertThrows(RoundSettingsException.class, () -> CohortSettings.of(0));
    }
}
