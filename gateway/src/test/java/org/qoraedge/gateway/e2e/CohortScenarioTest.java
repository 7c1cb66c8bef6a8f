package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.audit.ReputationReplay;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.ByzantineFraction;
import org.qoraedge.gateway.protocol.Cohort;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.round.CohortSettings;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * Cohort rounds over MQTT (docs/PROTOCOL.md section 6.2): ten nodes, a cohort of four with
 * {@code round.byzantineFraction = 1/4}; each node asks its {@link NodeClient#inCohort} and only the
 * drawn ones train and publish, except one older node that ignores the cohort and is refused as
 * {@code not-in-cohort} whenever it is not drawn. Each round closes on its cohort, well before the
 * deadline; the audit log replays bit for bit, cohort included, reputation too.
 */
class CohortScenarioTest {
    private static final int D = 16;
    private static final String FLEET = "cohort-e2e";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String LEGACY = "node-10";

    @TempDir
    Path tmp;

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 10);
    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();

    private static AggregationSettings defaultRule(int f) {
        return AggregationSettings.pipeline(PipelineSpec.parse("nnm(" + f + ") > centered-clip(" + f + ", 3)"), 1);
    }

    private GatewayConfig config(String brokerUri) throws Exception {
        Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes);
        return GatewayConfig.builder().brokerUri(brokerUri).fleet(FLEET).keysFile(keys).modelId("m-cohort").dimension(D)
                .cohort(CohortSettings.of(4, ByzantineFraction.parse("1/4"), CohortScenarioTest::defaultRule))
                .deadline(Duration.ofSeconds(30)).maxRounds(3).keepFrames(-1).stateDir(tmp.resolve("state")).build();
    }

    @Test
    void cohortRoundsRunOverTheEmbeddedBrokerAndReplay() throws Exception {
        try (Gateway gw = Gateway.start(config("tcp://127.0.0.1:1"), Gateway.Options.embeddedBroker().embeddedPort(0)
                .listener(reports::add))) {
            runRounds(gw, gw.brokerUri());
        }
        checkLog();
    }

    @Test
    void cohortRoundsRunOverMosquittoAndReplay() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"));
                Gateway gw = Gateway.start(config(mosquitto.uri()), Gateway.Options.external().listener(reports::add))) {
            runRounds(gw, mosquitto.uri());
        }
        checkLog();
    }

    private void runRounds(Gateway gw, String uri) throws Exception {
        List<NodeClient> clients = new ArrayList<>();
        try {
            for (NodeCredentials c : nodes) {
                NodeClient n = NodeClient.builder(uri, FLEET, c).gatewayKey(gw.publicKey()).connectTimeout(Duration.ofSeconds(10))
                        .build();
                n.connect();
                clients.add(n);
            }
            List<String> eligible = new ArrayList<>();
            for (NodeCredentials c : nodes) {
                eligible.add(c.nodeId());
            }
            int legacyRefused = 0;
            for (long round = 1; round <= 3; round++) {
                List<String> asked = new ArrayList<>();
                NodeClient legacy = clients.get(clients.size() - 1);
                RoundStart legacyStart = legacy.awaitRound(round, WAIT);
                List<String> cohort = legacyStart.announcement().cohort();
                assertEquals(Cohort.select(legacyStart.announcement().modelDigest(), round, eligible, 4), cohort,
                        "round " + round + ": the signed announcement names the cohort anyone can draw");
                if (!legacy.inCohort(legacyStart)) {
                    // An older node that ignores the cohort publishes first, so that its update reaches the round.
                    legacy.publishUpdate(legacyStart, TestNodes.update(LEGACY, round, D, false));
                    legacyRefused++;
                }
                for (NodeClient n : clients) {
                    RoundStart s = n.awaitRound(round, WAIT);
                    // Once the last member has published, the next round may already be announced: not this round's.
                    if (s.round() == round && n.inCohort(s)) {
                        asked.add(n.nodeId());
                        n.publishUpdate(s, TestNodes.update(n.nodeId(), round, D, n.nodeId().equals("node-03")));
                    }
                }
                assertEquals(cohort, asked, "exactly the cohort's nodes find themselves asked");
                RoundReport r = reports.poll(20, TimeUnit.SECONDS);
                assertNotNull(r, "round " + round + " did not close");
                assertTrue(r.aggregated(), r.failure());
                assertFalse(r.deadlineReached(), "the round closes on its cohort");
                assertEquals(cohort, r.acceptedIds());
                assertEquals(legacy.inCohort(legacyStart) ? Map.of() : Map.of(RejectReason.NOT_IN_COHORT, 1L), r.rejected());
            }
            assertTrue(legacyRefused > 0, "the older node was outside at least one cohort");
            assertTrue(gw.awaitFinished(WAIT));
            NodeClient legacy = clients.get(clients.size() - 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (legacy.rejections().size() < legacyRefused && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(legacyRefused, legacy.rejections().size(), "the older node is told, each time");
            for (RejectionNotice n : legacy.rejections()) {
                assertEquals(RejectReason.NOT_IN_COHORT, n.reason());
            }
        } finally {
            for (NodeClient n : clients) {
                n.close();
            }
        }
    }

    private void checkLog() throws Exception {
        Path state = tmp.resolve("state");
        AuditLog.Verified log = AuditLog.verifyFile(state.resolve(StateStore.AUDIT_LOG), null);
        assertEquals(3, log.records().size());
        ReplayReport previous = null;
        for (AuditRecord rec : log.records()) {
            assertNotNull(rec.config().cohort(), "round " + rec.round() + " records its cohort's inputs");
            assertEquals(4, rec.config().expected().size());
            ReplayReport r = Replay.replay(rec, RoundJournal.read(state.resolve("rounds").resolve(StateStore.journalName(rec.round())),
                    false), TestNodes.registry(nodes), previous == null ? null : previous.replayedAggregate());
            assertTrue(r.matches(), r.lines().toString());
            previous = r;
        }
        ReputationReplay.Result rep = ReputationReplay.check(log.records());
        assertTrue(rep.matches(), rep.mismatch());
    }
}
