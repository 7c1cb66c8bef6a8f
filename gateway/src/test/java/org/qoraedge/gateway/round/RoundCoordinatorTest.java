package org.qoraedge.gateway.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.PipelineResult;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationResult;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.aggregation.RoundBuffer;
import org.qoraedge.gateway.aggregation.RoundBufferFactory;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayCheck;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.audit.ReputationReplay;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameHeader;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.qoraedge.gateway.reputation.ReputationLedger;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.state.GatewayState;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateFile;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.status.StatusIndicator;
import org.qoraedge.gateway.testing.AllowsStderr;
import org.qoraedge.gateway.testing.Oracle;
import org.qoraedge.gateway.testing.Provocations;
import org.qoraedge.gateway.testing.RecordingOutbox;
import org.qoraedge.gateway.testing.TestNodes;

/** The coordinator driven directly through its inbox, without a broker. */
class RoundCoordinatorTest {
    private static final int D = 24;
    private static final String FLEET = "unit";
    private static final Topics TOPICS = new Topics(FLEET);
    private static final byte[] GATEWAY_SEED = new byte[32];

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 6);
    private final NodeCredentials banned = TestNodes.credentials("node-banned", false);
    private final NodeCredentials stranger = TestNodes.credentials("node-zz", true);
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

    private RoundCoordinator start(AggregationSettings agg, Duration deadline, int inboxCapacity) {
        return start(agg, deadline, inboxCapacity, id -> id.equals(banned.nodeId()));
    }

    private RoundCoordinator start(AggregationSettings agg, Duration deadline, int inboxCapacity, BanList bans) {
        return start(agg, deadline, Duration.ZERO, RoundBufferFactory.reference(), inboxCapacity, bans);
    }

    private RoundCoordinator start(AggregationSettings agg, Duration deadline, Duration pause, RoundBufferFactory buffers,
            int inboxCapacity, BanList bans) {
        Map<String, VerifyingKey> registry = new TreeMap<>(TestNodes.registry(nodes));
        registry.put(banned.nodeId(), banned.verifyingKey());
        List<String> expected = new ArrayList<>();
        for (NodeCredentials c : nodes) {
            expected.add(c.nodeId());
        }
        inbox = new Inbox(inboxCapacity);
        coordinator = new RoundCoordinator(CoordinatorSettings.builder()
                .fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                .registry(registry).expected(expected).aggregation(agg).deadline(deadline).pause(pause).buffers(buffers)
                .build(),
                RoundServices.none().banList(bans).listener(reports::add), inbox, outbox);
        coordinator.start();
        return coordinator;
    }

    private static AggregationSettings multiKrum() {
        return new AggregationSettings(AggregatorKind.MULTI_KRUM, Metric.COMMON, 1, 0, 1);
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

    private void awaitRejected(long total) throws InterruptedException {
        awaitCount(CoordinatorStatus::rejected, total);
    }

    private void awaitAccepted(long total) throws InterruptedException {
        awaitCount(CoordinatorStatus::accepted, total);
    }

    /** Waits up to 10 s for the status's {@code count} to reach {@code total}, then checks it is exactly that. */
    private void awaitCount(ToLongFunction<CoordinatorStatus> count, long total) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count.applyAsLong(coordinator.status()) < total && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertEquals(total, count.applyAsLong(coordinator.status()));
    }

    @Test
    void everyRejectionReasonIsCountedNotifiedOnceAndLeavesTheRoundIntact() throws InterruptedException {
        start(multiKrum(), Duration.ofSeconds(30), 1024);
        Map<String, Bfp16Block> accepted = new TreeMap<>();
        byte[] victimFrame = null;
        for (NodeCredentials c : nodes.subList(0, 5)) {
            byte[] f = update(c, 1, 100);
            if (c.nodeId().equals("node-01")) {
                victimFrame = f;
            }
            accepted.put(c.nodeId(), FrameCodec.parseHeader(f, f.length).block());
            inbox.offer(TOPICS.update(c.nodeId()), f);
        }
        NodeCredentials pending = nodes.get(5);
        List<Provocations.Provocation> bad = Provocations.all(TOPICS, 1, D, "m1", nodes.get(0), victimFrame, pending, banned,
                stranger, 1);
        // not-in-cohort needs a round that draws a cohort: CohortRoundTest provokes it; stale-update
        // needs buffered mode: BufferedRoundTest provokes it; too-dense needs round.maxNonZero:
        // MaxNonZeroRoundTest provokes it.
        assertEquals(EnumSet.complementOf(EnumSet.of(RejectReason.NOT_IN_COHORT, RejectReason.STALE_UPDATE,
                RejectReason.TOO_DENSE)).size(), bad.size());
        for (Provocations.Provocation p : bad) {
            inbox.offer(p.topic(), p.payload());
        }
        awaitRejected(bad.size());
        assertEquals(5, coordinator.status().accepted(), "no provocation may count as an update");
        byte[] last = update(pending, 1, 100);
        accepted.put(pending.nodeId(), FrameCodec.parseHeader(last, last.length).block());
        inbox.offer(TOPICS.update(pending.nodeId()), last);

        RoundReport r = next();
        assertTrue(r.aggregated());
        assertEquals(6, r.acceptedIds().size());
        Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : EnumSet.complementOf(EnumSet.of(RejectReason.NOT_IN_COHORT, RejectReason.STALE_UPDATE,
                RejectReason.TOO_DENSE))) {
            expected.put(reason, 1L);
        }
        assertEquals(expected, r.rejected());
        Bfp16Block want = Oracle.nextModel(ModelUpdate.zeros(D), accepted, multiKrum());
        assertEquals(Digests.block(want), r.modelDigest());
        assertFalse(List.of(r.result().selectedIds()).contains("node-03"), "the outlier must not be selected");

        // One notice per rejected frame whose signature verified (each pair of node and reason occurs
        // once), each naming its reason; a frame refused before its signature was checked may come from
        // anyone, so it gets none: nobody can make the gateway send notices in a node's name.
        List<RejectReason> notified = new ArrayList<>();
        for (RecordingOutbox.Published p : outbox.published()) {
            if (p.topic().startsWith("qora/v1/unit/reject/")) {
                notified.add(RejectionNotice.parse(p.payload()).reason());
            }
        }
        Collections.sort(notified);
        assertEquals(List.of(RejectReason.BANNED, RejectReason.WRONG_ROUND, RejectReason.REPLAYED_SEQUENCE,
                RejectReason.WRONG_DIMENSION, RejectReason.WRONG_MODEL, RejectReason.DUPLICATE_UPDATE, RejectReason.INVALID_BLOCK),
                notified);
        assertEquals(0, outbox.on(TOPICS.reject(stranger.nodeId())).size(), "an unregistered id gets no notice");
    }

    @Test
    void repeatedRejectionsAreCountedButNotifiedOncePerNodeAndReason() throws InterruptedException {
        start(multiKrum(), Duration.ofSeconds(30), 1024);
        for (int i = 0; i < 50; i++) {
            inbox.offer(TOPICS.update("node-01"), update(nodes.get(0), 7, 1000 + i));
        }
        awaitRejected(50);
        assertEquals(1, outbox.on(TOPICS.reject("node-01")).size());
        assertEquals(50L, coordinator.rejectedTotals().get(RejectReason.WRONG_ROUND));
    }

    @Test
    void resultDoesNotDependOnArrivalOrder() throws InterruptedException {
        String digest = null;
        Random shuffle = new Random(42);
        for (int run = 0; run < 4; run++) {
            reports.clear();
            start(multiKrum(), Duration.ofSeconds(30), 1024);
            List<NodeCredentials> order = new ArrayList<>(nodes);
            Collections.shuffle(order, shuffle);
            for (NodeCredentials c : order) {
                inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 5));
            }
            RoundReport r = next();
            if (digest == null) {
                digest = r.modelDigest();
            }
            assertEquals(digest, r.modelDigest(), "run " + run);
            assertEquals(List.of("node-01", "node-02", "node-03", "node-04", "node-05", "node-06"), r.acceptedIds());
            coordinator.close();
        }
    }

    @Test
    void belowQuorumAtTheDeadlineFailsClosedAndAnnouncesTheNextRoundWithTheSameModel() throws InterruptedException {
        start(multiKrum(), Duration.ofMillis(300), 1024);
        for (NodeCredentials c : nodes.subList(0, 4)) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 5));
        }
        RoundReport r = next();
        assertFalse(r.aggregated());
        assertTrue(r.deadlineReached());
        assertTrue(r.failure().contains("below quorum: 4 accepted updates") && r.failure().contains("needs 5"), r.failure());
        assertEquals(Digests.block(ModelUpdate.zeros(D)), r.modelDigest());
        AuditRecord record = lastRecord();
        assertEquals("failed", record.outcome());
        assertEquals(r.failure(), record.failure());
        assertEquals(record.modelBefore(), record.modelAfter());
        assertEquals(4, record.frames().size());
        // Round 2 is announced, from the unchanged model.
        RoundAnnouncement ann = awaitAnnouncement(2);
        assertEquals(Digests.block(ModelUpdate.zeros(D)), ann.modelDigest());
    }

    @Test
    void atTheDeadlineWithQuorumTheRoundClosesWithoutTheMissingNode() throws InterruptedException {
        start(multiKrum(), Duration.ofMillis(300), 1024);
        Map<String, Bfp16Block> accepted = new TreeMap<>();
        for (NodeCredentials c : nodes.subList(0, 5)) {
            byte[] f = update(c, 1, 5);
            accepted.put(c.nodeId(), FrameCodec.parseHeader(f, f.length).block());
            inbox.offer(TOPICS.update(c.nodeId()), f);
        }
        RoundReport r = next();
        assertTrue(r.aggregated());
        assertTrue(r.deadlineReached());
        assertEquals(Digests.block(Oracle.nextModel(ModelUpdate.zeros(D), accepted, multiKrum())), r.modelDigest());
    }

    @Test
    void modelFramesAreSignedByTheGatewayAndChainRoundToRound() throws InterruptedException {
        AggregationSettings krum = new AggregationSettings(AggregatorKind.KRUM, Metric.PAIRWISE, 1, 0, 1);
        start(krum, Duration.ofSeconds(30), 1024);
        Bfp16Block model = ModelUpdate.zeros(D);
        for (long round = 1; round <= 3; round++) {
            Map<String, Bfp16Block> accepted = new TreeMap<>();
            for (NodeCredentials c : nodes) {
                byte[] f = update(c, round, 10 + round);
                accepted.put(c.nodeId(), FrameCodec.parseHeader(f, f.length).block());
                inbox.offer(TOPICS.update(c.nodeId()), f);
            }
            RoundReport r = next();
            model = Oracle.nextModel(model, accepted, krum);
            assertEquals(Digests.block(model), r.modelDigest(), "round " + round);
        }
        RoundAnnouncement ann = awaitAnnouncement(4);
        assertEquals(Digests.block(model), ann.modelDigest());
        // The model follows its announcement.
        RecordingOutbox.Published lastModel = awaitModel(4);
        assertTrue(lastModel.retained());
        Frame f = FrameCodec.decode(lastModel.payload(), Frame.maxSize(D), VerifyingKey.ed25519(Ed25519Keys.publicKeyOf(GATEWAY_SEED)));
        assertEquals(FrameKind.MODEL, f.kind());
        assertEquals(4, f.round());
        assertEquals(model, f.block());
    }

    @Test
    void meanAggregatorAveragesEveryAcceptedUpdate() throws InterruptedException {
        AggregationSettings mean = new AggregationSettings(AggregatorKind.MEAN, Metric.COMMON, 0, 0, 1);
        start(mean, Duration.ofSeconds(30), 1024);
        Map<String, Bfp16Block> accepted = new TreeMap<>();
        for (NodeCredentials c : nodes) {
            byte[] f = update(c, 1, 3);
            accepted.put(c.nodeId(), FrameCodec.parseHeader(f, f.length).block());
            inbox.offer(TOPICS.update(c.nodeId()), f);
        }
        RoundReport r = next();
        assertEquals(6, r.result().selected().length);
        assertEquals(Digests.block(Oracle.nextModel(ModelUpdate.zeros(D), accepted, mean)), r.modelDigest());
    }

    @Test
    void anUpdateTopicWhoseLevelIsNoValidNodeIdIsCountedAsUnknownAndChangesNothing() throws InterruptedException {
        start(multiKrum(), Duration.ofSeconds(30), 1024);
        byte[] f = update(nodes.get(0), 1, 5);
        inbox.offer("qora/v1/unit/update/" + "x".repeat(65), f);
        inbox.offer("qora/v1/unit/update/a\u0001b", f);
        awaitRejected(2);
        assertEquals(2L, coordinator.rejectedTotals().get(RejectReason.UNKNOWN_NODE));
        for (NodeCredentials c : nodes) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 5));
        }
        assertTrue(next().aggregated());
    }

    @Test
    @AllowsStderr("the ban list's failure is logged at ERROR on purpose")
    void aHookThatThrowsCostsOneMessageNotTheRoundWorker() throws InterruptedException {
        start(multiKrum(), Duration.ofSeconds(30), 1024, id -> {
            if (id.equals("node-02")) {
                throw new IllegalStateException("ban list unavailable");
            }
            return false;
        });
        for (NodeCredentials c : nodes) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 5));
        }
        // The worker takes the inbox in order: with node-06's update accepted, node-02's was handled too.
        awaitAccepted(5);
        assertTrue(coordinator.status().running());
    }

    @Test
    void aBannedExpectedNodeDoesNotHoldTheRoundUntilTheDeadline() throws InterruptedException {
        start(multiKrum(), Duration.ofSeconds(30), 1024, id -> id.equals("node-06"));
        for (NodeCredentials c : nodes.subList(0, 5)) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 5));
        }
        RoundReport r = next();
        assertTrue(r.aggregated());
        assertFalse(r.deadlineReached());
        assertEquals(5, r.acceptedIds().size());
    }

    @Test
    void aPipelineMeasuresDeviationsSoTheFarNodeIsBannedAndTheLedgerFoldsFromTheRecords() throws InterruptedException {
        ReputationLedger ledger = new ReputationLedger(ReputationSettings.defaults());
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(CoordinatorSettings.builder()
                .fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                .registry(TestNodes.registry(nodes)).aggregation(AggregationSettings.pipeline(PipelineSpec.parse("trimmed-mean(1)"),
                        nodes.size()))
                .deadline(Duration.ofSeconds(30)).build(),
                RoundServices.none().reputation(ledger).listener(reports::add), inbox, outbox);
        coordinator.start();
        long bannedIn = -1;
        for (long round = 1; round <= 30 && bannedIn < 0; round++) {
            for (NodeCredentials c : nodes) {
                inbox.offer(TOPICS.update(c.nodeId()), update(c, round, round));
            }
            RoundReport r = next();
            assertTrue(r.aggregated(), r.failure());
            AuditRecord rec = lastRecord();
            assertEquals(nodes.size(), rec.deviations().length, "a deviation per accepted update");
            assertEquals(0, rec.scores().length, "no Krum scores");
            assertTrue(rec.reputation().stream().anyMatch(x -> x.node().equals("node-03") && x.reason().contains("far-outside")),
                    "node-03 is far from the trimmed mean: " + rec.reputation());
            assertTrue(rec.reputation().stream().anyMatch(x -> x.reason().equals("near")), rec.reputation().toString());
            if (coordinator.reputation().isBanned("node-03")) {
                bannedIn = round;
            }
        }
        assertEquals(5, bannedIn, "far outside every round from neutral: 0.42, 0.344, 0.2718, 0.20321, 0.13805 (banned)");
        for (NodeCredentials c : nodes) {
            if (!c.nodeId().equals("node-03")) {
                assertTrue(coordinator.reputation().score(c.nodeId()) >= 500_000, c.nodeId() + " lost no reputation");
            }
        }
        List<AuditRecord> recs = new ArrayList<>();
        for (RecordingOutbox.Published p : outbox.on(TOPICS.audit())) {
            recs.add(AuditLog.verify(new String(p.payload(), StandardCharsets.UTF_8), Ed25519Keys.publicKeyOf(GATEWAY_SEED)));
        }
        ReputationReplay.Result rep = ReputationReplay.check(recs);
        assertTrue(rep.matches(), rep.mismatch());
        assertEquals(bannedIn, rep.roundsChecked());
        // A record whose deviations were changed folds to other changes: the fold reads them.
        AuditRecord first = recs.get(0);
        long[] forged = new long[first.deviations().length]; // all equal: nobody far, the closer half rewarded
        recs.set(0, new AuditRecord(first.fleet(), first.gatewayId(), first.gatewayKey(), first.round(), first.prev(),
                first.outcome(), first.failure(), first.config(), first.modelBefore(), first.frames(), first.framesOmitted(),
                first.canonicalOrder(), first.scores(), first.ranking(), first.selected(), first.kept(), first.referenceDigest(),
                forged, first.weights(), first.referenceExponent(), first.aggregateDigest(), first.modelAfter(),
                first.reputation(), first.operator(), first.timing(), first.framesKept()));
        assertFalse(ReputationReplay.check(recs).matches());
    }

    @Test
    void aWeightedRoundAveragesByReputationRecordsTheWeightsAndBothReplaysCheckThem() throws InterruptedException {
        Properties on = new Properties();
        on.setProperty("reputation.weighting", "true");
        ReputationLedger ledger = new ReputationLedger(ReputationSettings.fromProperties(on));
        PipelineSpec spec = PipelineSpec.parse("mean");
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(CoordinatorSettings.builder()
                .fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                .registry(TestNodes.registry(nodes)).aggregation(AggregationSettings.pipeline(spec, nodes.size()))
                .deadline(Duration.ofSeconds(30)).maxRounds(3).build(),
                RoundServices.none().reputation(ledger).listener(reports::add), inbox, outbox);
        coordinator.start();
        assertTrue(awaitAnnouncement(1).weighting(), "a weighted gateway says so in its announcement");
        for (long round = 1; round <= 3; round++) {
            Map<String, Bfp16Block> accepted = new TreeMap<>();
            for (NodeCredentials c : nodes) {
                byte[] f = update(c, round, round);
                accepted.put(c.nodeId(), FrameCodec.parseHeader(f, f.length).block());
                inbox.offer(TOPICS.update(c.nodeId()), f);
            }
            RoundReport r = next();
            assertTrue(r.aggregated(), r.failure());
            AuditRecord rec = lastRecord();
            long[] w = rec.weights();
            assertEquals(nodes.size(), w.length);
            if (round == 1) {
                assertArrayEquals(new long[] {125_000, 125_000, 125_000, 125_000, 125_000, 125_000}, w, "everyone neutral: 0.5^3");
            }
            if (round == 2) {
                // node-03 (index 2) was far outside round 1: 0.42^3 = 0.074088; the others 0.5 or 0.52 (near): 0.140608
                assertEquals(74_088, w[2]);
                for (int k = 0; k < w.length; k++) {
                    assertTrue(k == 2 || w[k] == 125_000 || w[k] == 140_608, "weight " + k + ": " + w[k]);
                }
            }
            // The oracle: fixedpoint's reference weighted mean of the blocks in canonical order with the recorded weights.
            Bfp16Block[] canonical = accepted.values().toArray(new Bfp16Block[0]);
            assertEquals(Digests.block(spec.build(canonical.length).apply(canonical, null, w).aggregate()),
                    rec.aggregateDigest(), "round " + round);
        }
        assertTrue(coordinator.awaitFinished(10, TimeUnit.SECONDS));
        List<AuditRecord> recs = new ArrayList<>();
        for (RecordingOutbox.Published p : outbox.on(TOPICS.audit())) {
            recs.add(AuditLog.verify(new String(p.payload(), StandardCharsets.UTF_8), Ed25519Keys.publicKeyOf(GATEWAY_SEED)));
        }
        ReputationReplay.Result rep = ReputationReplay.check(recs);
        assertTrue(rep.matches(), rep.mismatch());
        assertEquals(3, rep.roundsChecked());
        // A weight changed in the record: the fold finds it, naming round and node.
        AuditRecord second = recs.get(1);
        long[] forged = second.weights();
        forged[0]++;
        recs.set(1, new AuditRecord(second.fleet(), second.gatewayId(), second.gatewayKey(), second.round(), second.prev(),
                second.outcome(), second.failure(), second.config(), second.modelBefore(), second.frames(), second.framesOmitted(),
                second.canonicalOrder(), second.scores(), second.ranking(), second.selected(), second.kept(),
                second.referenceDigest(), second.deviations(), forged, second.referenceExponent(), second.aggregateDigest(),
                second.modelAfter(), second.reputation(), second.operator(), second.timing(), second.framesKept()));
        ReputationReplay.Result bad = ReputationReplay.check(recs);
        assertFalse(bad.matches());
        assertTrue(bad.mismatch().startsWith("round 2: weight of node-01 recorded"), bad.mismatch());
    }

    @Test
    void weightingIsRefusedForARuleThatDoesNotAverage() {
        Properties on = new Properties();
        on.setProperty("reputation.weighting", "true");
        ReputationLedger ledger = new ReputationLedger(ReputationSettings.fromProperties(on));
        RoundSettingsException e = Assertions.assertThrows(RoundSettingsException.class, () -> new RoundCoordinator(
                CoordinatorSettings.builder().fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                        .registry(TestNodes.registry(nodes)).aggregation(AggregationSettings.pipeline(PipelineSpec.parse("median(1)"),
                                nodes.size())).build(),
                RoundServices.none().reputation(ledger), new Inbox(4), outbox));
        assertTrue(e.getMessage().contains("not median"), e.getMessage());
    }

    @Test
    void aFullInboxDropsAndCountsWithoutBlocking() {
        Inbox small = new Inbox(2);
        assertTrue(small.offer("a", new byte[0]));
        assertTrue(small.offer("a", new byte[0]));
        long t0 = System.nanoTime();
        assertFalse(small.offer("a", new byte[0]));
        // A QoS 1 message would wait Inbox.MAX_WAIT_MILLIS (5 s); 2 s leaves room for a loaded machine.
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2), "a QoS 0 message does not wait");
        assertEquals(1, small.dropped());
        assertEquals(3, small.offered());
    }

    @Test
    void aNodeFarOutsideTheRoundLosesReputationIsBannedAndThenRefusedWhileTheIndicatorFollowsTheRounds()
            throws InterruptedException {
        Map<String, VerifyingKey> registry = new TreeMap<>(TestNodes.registry(nodes));
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        StatusIndicator recording = new StatusIndicator() {
            @Override
            public void phase(Phase p) {
                calls.add(p.name());
            }

            @Override
            public void attackSuspected(boolean v) {
                calls.add("attack=" + v);
            }

            @Override
            public void error(boolean v) {
                calls.add("error=" + v);
            }

            @Override
            public void onButton(Runnable action) {
            }

            @Override
            public void close() {
            }
        };
        ReputationLedger ledger = new ReputationLedger(
                ReputationSettings.defaults());
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(CoordinatorSettings.builder()
                .fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                .registry(registry).aggregation(multiKrum()).deadline(Duration.ofSeconds(30)).build(),
                RoundServices.none().reputation(ledger).indicator(recording).listener(reports::add), inbox, outbox);
        coordinator.start();
        long bannedIn = -1;
        for (long round = 1; round <= 30 && bannedIn < 0; round++) {
            for (NodeCredentials c : nodes) {
                inbox.offer(TOPICS.update(c.nodeId()), update(c, round, round));
            }
            RoundReport r = next();
            assertTrue(r.aggregated(), r.failure());
            assertFalse(Arrays.asList(r.result().selectedIds()).contains("node-03"), "Multi-Krum never selects node-03");
            if (coordinator.reputation().isBanned("node-03")) {
                bannedIn = round;
            }
        }
        assertTrue(bannedIn > 1, "node-03 (far outside every round) is banned, not at once: round " + bannedIn);
        for (NodeCredentials c : nodes) {
            if (!c.nodeId().equals("node-03")) {
                assertFalse(coordinator.reputation().isBanned(c.nodeId()), c.nodeId());
                // Multi-Krum selects m = n - 2f - 2 = 2 per round: selected nodes gain, the others stay in range (neutral).
                assertTrue(coordinator.reputation().score(c.nodeId()) >= 500_000, c.nodeId() + " lost no reputation");
            }
        }
        assertTrue(coordinator.reputation().score("node-03") < 200_000);
        AuditRecord rec = lastRecord();
        assertTrue(rec.reputation().stream().anyMatch(x -> x.node().equals("node-03") && x.reason().contains("banned")),
                "the ban is in the audit record: " + rec.reputation());
        // The next round: node-03's frame is refused as banned; the round closes without waiting for it.
        long round = bannedIn + 1;
        for (NodeCredentials c : nodes) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, round, round));
        }
        RoundReport r = next();
        assertEquals(1L, r.rejected().get(RejectReason.BANNED));
        assertEquals(5, r.acceptedIds().size());
        // The banned node no longer counts among the f the rule must outvote: f = 1 - 1 = 0, m = n - 2 = 3.
        assertEquals(0, lastRecord().config().f());
        assertEquals(3, r.result().selected().length);
        assertEquals(1, recsBefore(bannedIn).config().f(), "f as configured while nobody was banned");
        // The indicator: each round collecting, then aggregating; attack suspected after rounds that penalised or rejected.
        assertEquals("COLLECTING", calls.get(0));
        assertEquals("AGGREGATING", calls.get(1));
        assertTrue(calls.contains("attack=true"), calls.toString());
        assertFalse(calls.contains("error=true"), calls.toString());
        // The ledger folded from the published audit records alone gives the same changes, round by round.
        List<AuditRecord> recs = new ArrayList<>();
        for (RecordingOutbox.Published p : outbox.on(TOPICS.audit())) {
            recs.add(AuditLog.verify(new String(p.payload(), StandardCharsets.UTF_8),
                    Ed25519Keys.publicKeyOf(GATEWAY_SEED)));
        }
        ReputationReplay.Result rep = ReputationReplay.check(recs);
        assertTrue(rep.matches(), rep.mismatch());
        assertEquals(bannedIn + 1, rep.roundsChecked());
        // A tampered change is found.
        AuditRecord first = recs.get(0);
        List<AuditRecord.ReputationChange> changed = new ArrayList<>(first.reputation());
        AuditRecord.ReputationChange c0 = changed.get(0);
        changed.set(0, new AuditRecord.ReputationChange(c0.node(), c0.before(), c0.after() + 1, c0.reason()));
        recs.set(0, new AuditRecord(first.fleet(), first.gatewayId(), first.gatewayKey(), first.round(), first.prev(), first.outcome(),
                first.failure(), first.config(), first.modelBefore(), first.frames(), first.framesOmitted(), first.canonicalOrder(),
                first.scores(), first.ranking(), first.selected(), first.referenceExponent(), first.aggregateDigest(),
                first.modelAfter(), changed, first.operator(), first.timing(), first.framesKept()));
        ReputationReplay.Result bad = ReputationReplay.check(recs);
        assertFalse(bad.matches());
        assertTrue(bad.mismatch().startsWith("round 1: reputation change 1"), bad.mismatch());
    }

    @Test
    @AllowsStderr("the internal error is logged at ERROR with its stack trace on purpose")
    void anInternalErrorInACloseFailsTheRoundClosedAsSuchAndTheNextRoundAggregates() throws InterruptedException {
        RoundBufferFactory reference = RoundBufferFactory.reference();
        RoundBufferFactory buggyInRoundOne = (round, dimension, settings) -> {
            RoundBuffer inner = reference.open(round, dimension, settings);
            return new RoundBuffer() {
                @Override
                public void add(String nodeId, Bfp16Block block) {
                    inner.add(nodeId, block);
                }

                @Override
                public int size() {
                    return inner.size();
                }

                @Override
                public AggregationResult close() {
                    if (round == 1) {
                        throw new IllegalStateException("a bug in the buffer");
                    }
                    return inner.close();
                }
            };
        };
        start(multiKrum(), Duration.ofSeconds(30), Duration.ZERO, buggyInRoundOne, 1024, BanList.NONE);
        for (NodeCredentials c : nodes) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 5));
        }
        RoundReport first = next();
        assertFalse(first.aggregated());
        assertEquals("internal-error: java.lang.IllegalStateException: a bug in the buffer", first.failure());
        assertEquals(6, first.acceptedIds().size());
        assertEquals(Digests.block(ModelUpdate.zeros(D)), first.modelDigest(), "the model is unchanged");
        AuditRecord record = lastRecord();
        assertEquals("failed", record.outcome());
        assertEquals(first.failure(), record.failure());
        assertEquals(record.modelBefore(), record.modelAfter());
        assertTrue(coordinator.status().running(), "the worker goes on");
        assertFalse(coordinator.failed());
        for (NodeCredentials c : nodes) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, 2, 6));
        }
        RoundReport second = next();
        assertTrue(second.aggregated(), second.failure());
        assertEquals(2, second.round());
    }

    @Test
    void theNextModelAndAnnouncementArePublishedAtCloseAndThePauseCountsInTheDeadline() throws InterruptedException {
        Duration pause = Duration.ofSeconds(3);
        Duration deadline = Duration.ofSeconds(30);
        start(multiKrum(), deadline, pause, RoundBufferFactory.reference(), 1024, BanList.NONE);
        for (NodeCredentials c : nodes) {
            inbox.offer(TOPICS.update(c.nodeId()), update(c, 1, 5));
        }
        long before = System.currentTimeMillis();
        RoundReport r = next();
        assertTrue(r.aggregated(), r.failure());
        // Published before the pause is over: the announcement of round 2 and its model.
        RoundAnnouncement ann = awaitAnnouncement(2);
        assertTrue(System.currentTimeMillis() - before < pause.toMillis(), "announced at close, not after the pause");
        assertEquals(r.modelDigest(), ann.modelDigest());
        assertTrue(ann.deadlineEpochMillis() >= before + pause.toMillis() + deadline.toMillis(),
                "the announced deadline includes the pause: " + (ann.deadlineEpochMillis() - before) + " ms after the close");
        byte[] lastModel = awaitModel(2).payload();
        FrameHeader last = FrameCodec.parseHeader(lastModel, lastModel.length);
        assertEquals(2, last.round());
        assertEquals(r.modelDigest(), Digests.block(last.block()));
        // During the pause the status names round 2, which has accepted nothing yet (not round 1's 6).
        long moved = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (coordinator.status().round() != 2 && System.nanoTime() < moved) {
            Thread.sleep(5);
        }
        assertEquals(2, coordinator.status().round());
        assertEquals(0, coordinator.status().accepted());
        // An update of round 2 sent during the pause waits in the inbox and is accepted when collection starts.
        inbox.offer(TOPICS.update(nodes.get(0).nodeId()), update(nodes.get(0), 2, 6));
        awaitAccepted(1);
        assertEquals(2, coordinator.status().round());
    }

    @Test
    void aPipelineRoundAggregatesAsTheReferencePipelineIsRecordedAndReplaysBitForBit(@TempDir Path dir) throws Exception {
        PipelineSpec spec = PipelineSpec.parse("norm-screen(1, 0) > nnm(1) > multi-krum(1)");
        StateStore store = StateStore.open(dir, -1);
        inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(CoordinatorSettings.builder()
                .fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                .registry(TestNodes.registry(nodes)).aggregation(AggregationSettings.pipeline(spec, 1))
                .deadline(Duration.ofSeconds(30)).build(),
                RoundServices.none().store(store).listener(reports::add), inbox, outbox);
        coordinator.start();
        Map<String, Bfp16Block> accepted = new TreeMap<>();
        for (NodeCredentials c : nodes) {
            byte[] f = update(c, 1, 5);
            accepted.put(c.nodeId(), FrameCodec.parseHeader(f, f.length).block());
            inbox.offer(TOPICS.update(c.nodeId()), f);
        }
        RoundReport r = next();
        assertTrue(r.aggregated(), r.failure());
        // The oracle: fixedpoint's pipeline on the blocks in canonical order (ids sort as strings here), added to the zero model.
        Bfp16Block[] canonical = accepted.values().toArray(new Bfp16Block[0]);
        PipelineResult expected = spec.build(canonical.length).apply(canonical);
        assertEquals(Digests.block(ModelUpdate.add(ModelUpdate.zeros(D), expected.aggregate())), r.modelDigest());
        assertArrayEquals(expected.kept(0), r.result().kept().get(0));

        RoundAnnouncement next = awaitAnnouncement(2);
        assertEquals(spec.canonical(), next.aggregator(), "the announcement names the rule");
        AuditRecord record = lastRecord();
        assertEquals(spec.canonical(), record.config().aggregator());
        assertEquals("none", record.config().metric());
        assertEquals(1, record.kept().size());
        assertArrayEquals(expected.kept(0), record.kept().get(0));
        coordinator.close();
        coordinator = null;
        store.close();

        AuditLog.Verified log = AuditLog.verifyFile(dir.resolve(StateStore.AUDIT_LOG), Ed25519Keys.publicKeyOf(GATEWAY_SEED));
        ReplayReport replay = Replay.replay(log.records().get(0), RoundJournal.read(dir.resolve("rounds").resolve(
                StateStore.journalName(1)), false), TestNodes.registry(nodes));
        assertTrue(replay.matches(), replay.lines().toString());
        assertTrue(replay.check("kept").isPresent(), "the norm screen's choice is compared");
        assertEquals(ReplayCheck.Status.MATCH, replay.check("deviations").orElseThrow().status(), "the deviations are recomputed");

        // A record whose kept list was changed does not replay.
        AuditRecord good = log.records().get(0);
        int[] forged = good.kept().get(0).clone();
        forged[0] = forged[0] == 0 ? 1 : 0;
        AuditRecord bad = new AuditRecord(good.fleet(), good.gatewayId(), good.gatewayKey(), good.round(), good.prev(),
                good.outcome(), good.failure(), good.config(), good.modelBefore(), good.frames(), good.framesOmitted(),
                good.canonicalOrder(), good.scores(), good.ranking(), good.selected(), List.of(forged), good.referenceDigest(),
                good.deviations(), good.weights(), good.referenceExponent(), good.aggregateDigest(), good.modelAfter(), good.reputation(), good.operator(), good.timing(), good.framesKept());
        ReplayReport badReplay = Replay.replay(bad, RoundJournal.read(dir.resolve("rounds").resolve(StateStore.journalName(1)),
                false));
        assertFalse(badReplay.matches());
        assertEquals("kept", badReplay.firstMismatch().orElseThrow().field());
    }

    @Test
    void centeredClippingTakesThePreviousAggregateAsReferenceKeepsItAcrossARestartAndReplaysInOrder(@TempDir Path dir)
            throws Exception {
        PipelineSpec spec = PipelineSpec.parse("centered-clip(1, 2)");
        Bfp16Block[] aggregates = new Bfp16Block[3];
        Bfp16Block model = ModelUpdate.zeros(D);
        for (long round = 1; round <= 2; round++) {
            // A new coordinator on the same state directory for round 2: the reference comes back from the state file.
            StateStore store = StateStore.open(dir, -1);
            inbox = new Inbox(1024);
            coordinator = new RoundCoordinator(CoordinatorSettings.builder()
                    .fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                    .registry(TestNodes.registry(nodes)).aggregation(AggregationSettings.pipeline(spec, 1))
                    .deadline(Duration.ofSeconds(30)).maxRounds(1).build(),
                    RoundServices.none().store(store).listener(reports::add), inbox, outbox);
            coordinator.start();
            Map<String, Bfp16Block> accepted = new TreeMap<>();
            for (NodeCredentials c : nodes) {
                byte[] f = update(c, round, 5 + round);
                accepted.put(c.nodeId(), FrameCodec.parseHeader(f, f.length).block());
                inbox.offer(TOPICS.update(c.nodeId()), f);
            }
            RoundReport r = next();
            assertTrue(r.aggregated(), r.failure());
            Bfp16Block[] canonical = accepted.values().toArray(new Bfp16Block[0]);
            Bfp16Block reference = aggregates[(int) round - 1]; // null in round 1: the zero block
            PipelineResult expected = spec.build(canonical.length).apply(canonical, reference);
            aggregates[(int) round] = expected.aggregate();
            model = ModelUpdate.add(model, expected.aggregate());
            assertEquals(Digests.block(model), r.modelDigest(), "round " + round);
            assertTrue(coordinator.awaitFinished(10, TimeUnit.SECONDS));
            coordinator = null;
            store.close();
            GatewayState st = StateFile.read(dir.resolve(StateStore.STATE_FILE));
            assertEquals(Digests.block(expected.aggregate()), Digests.block(st.reference()), "the state keeps round " + round
                    + "'s aggregate");
        }
        AuditLog.Verified log = AuditLog.verifyFile(dir.resolve(StateStore.AUDIT_LOG), Ed25519Keys.publicKeyOf(GATEWAY_SEED));
        assertEquals(Digests.block(ModelUpdate.zeros(D)), log.records().get(0).referenceDigest());
        assertEquals(Digests.block(aggregates[1]), log.records().get(1).referenceDigest());
        RoundJournal.Contents j2 = RoundJournal.read(dir.resolve("rounds").resolve(StateStore.journalName(2)), false);
        ReplayReport first = Replay.replay(log.records().get(0), RoundJournal.read(dir.resolve("rounds")
                .resolve(StateStore.journalName(1)), false), TestNodes.registry(nodes), null);
        assertTrue(first.matches(), first.lines().toString());
        ReplayReport second = Replay.replay(log.records().get(1), j2, TestNodes.registry(nodes), first.replayedAggregate());
        assertTrue(second.matches(), second.lines().toString());
        ReplayReport blind = Replay.replay(log.records().get(1), j2, TestNodes.registry(nodes), null);
        assertEquals("reference", blind.firstMismatch().orElseThrow().field(), "without the previous aggregate it cannot match");
    }

    @Test
    void refusesSettingsWhoseQuorumExceedsTheRegisteredNodes() {
        RoundSettingsException e = Assertions.assertThrows(RoundSettingsException.class, () ->
                CoordinatorSettings.builder().gatewaySeed(GATEWAY_SEED).dimension(4)
                        .registry(TestNodes.registry(nodes.subList(0, 4))).aggregation(AggregationSettings.krum(1)).build());
        assertTrue(e.getMessage().contains("needs 5 updates per round, but only 4 nodes have keys"), e.getMessage());
    }

    private AuditRecord recsBefore(long round) {
        for (RecordingOutbox.Published p : outbox.on(TOPICS.audit())) {
            AuditRecord r = AuditLog.verify(new String(p.payload(), StandardCharsets.UTF_8), null);
            if (r.round() == round) {
                return r;
            }
        }
        throw new AssertionError("no record of round " + round);
    }

    private AuditRecord lastRecord() {
        List<RecordingOutbox.Published> recs = outbox.on(TOPICS.audit());
        return AuditLog.verify(new String(recs.get(recs.size() - 1).payload(), StandardCharsets.UTF_8),
                Ed25519Keys.publicKeyOf(GATEWAY_SEED));
    }

    private RoundAnnouncement awaitAnnouncement(long round) throws InterruptedException {
        return outbox.awaitAnnouncement(TOPICS.round(), round);
    }

    /** The model frame of {@code round}, waiting for it (published after the round's announcement). */
    private RecordingOutbox.Published awaitModel(long round) throws InterruptedException {
        return outbox.await(TOPICS.model(), f -> FrameCodec.parseHeader(f, f.length).round() == round, "the model of round " + round);
    }

}
