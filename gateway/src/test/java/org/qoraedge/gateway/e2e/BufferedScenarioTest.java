package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.BufferedSettings;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayCheck;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * Buffered mode over MQTT (docs/PROTOCOL.md section 6.3): five nodes on the embedded broker (and on
 * Mosquitto), buffers
 * of three, {@code round.maxStaleness = 2}. Two slow nodes keep training from version 1 while the
 * fast ones move on; their updates enter later buffers with lower weights until one is three
 * versions behind and is refused as {@code stale-update}, with a notice. The audit log replays bit
 * for bit, the weights recomputed from the signed frames.
 */
class BufferedScenarioTest {
    private static final int D = 16;
    private static final String FLEET = "buffered-e2e";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 5);
    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
    private final Map<String, NodeClient> clients = new HashMap<>();

    private GatewayConfig config(String brokerUri) throws Exception {
        Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes);
        Properties off = new Properties();
        off.setProperty(ReputationSettings.ENABLED, "false");
        return GatewayConfig.builder().brokerUri(brokerUri).fleet(FLEET).keysFile(keys).modelId("m-buf").dimension(D)
                .pipeline(PipelineSpec.parse("mean")).buffered(new BufferedSettings(3, 2))
                .reputation(ReputationSettings.fromProperties(off)).deadline(Duration.ofSeconds(30)).maxRounds(4).keepFrames(-1)
                .stateDir(tmp.resolve("state")).build();
    }

    /** Node {@code id} publishes an update trained from the version {@code from} announced. */
    private void publish(String id, RoundStart from) throws Exception {
        clients.get(id).publishUpdate(from, TestNodes.update(id, from.round(), D, false));
    }

    private RoundStart await(String id, long version) throws Exception {
        RoundStart s = clients.get(id).awaitRound(version, WAIT);
        assertEquals(version, s.round(), id + " sees version " + version);
        return s;
    }

    private RoundReport next(long version) throws InterruptedException {
        RoundReport r = reports.poll(20, TimeUnit.SECONDS);
        assertNotNull(r, "buffer " + version + " did not close");
        assertEquals(version, r.round());
        assertTrue(r.aggregated(), r.failure());
        return r;
    }

    @Test
    void slowNodesTrainingFromOlderVersionsCountWithLowerWeightsUntilStaleAndTheLogReplays() throws Exception {
        try (Gateway gw = Gateway.start(config("tcp://127.0.0.1:1"), Gateway.Options.embeddedBroker().embeddedPort(0)
                .listener(reports::add))) {
            run(gw, gw.brokerUri());
        }
        checkLog();
    }

    @Test
    void theSameBuffersRunOverMosquittoAndReplay() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"));
                Gateway gw = Gateway.start(config(mosquitto.uri()), Gateway.Options.external().listener(reports::add))) {
            run(gw, mosquitto.uri());
        }
        checkLog();
    }

    private void run(Gateway gw, String uri) throws Exception {
        try {
            for (NodeCredentials c : nodes) {
                NodeClient n = NodeClient.builder(uri, FLEET, c).gatewayKey(gw.publicKey())
                        .connectTimeout(Duration.ofSeconds(10)).build();
                n.connect();
                clients.put(c.nodeId(), n);
            }
            // Version 1: every node starts; node-04 and node-05 are slow and keep this start.
            RoundStart slow4 = await("node-04", 1);
            assertEquals(new RoundAnnouncement.Buffered(3, 2), slow4.announcement().buffered(), "the signed announcement names the mode");
            assertEquals(0, slow4.announcement().oldestVersionTaken(), "1 - 2, not below 0");
            RoundStart slow5 = await("node-05", 1);
            for (String id : List.of("node-01", "node-02", "node-03")) {
                publish(id, await(id, 1));
            }
            assertEquals(List.of("node-01", "node-02", "node-03"), next(1).acceptedIds());

            // Version 2: node-04 finishes its version-1 update (one version behind).
            publish("node-04", slow4);
            publish("node-01", await("node-01", 2));
            publish("node-02", await("node-02", 2));
            assertEquals(List.of("node-01", "node-02", "node-04"), next(2).acceptedIds());

            // Version 3: node-05 finishes (two versions behind, the oldest taken).
            publish("node-05", slow5);
            RoundStart v3 = await("node-01", 3);
            publish("node-01", v3);
            publish("node-02", await("node-02", 3));
            assertEquals(List.of("node-01", "node-02", "node-05"), next(3).acceptedIds());

            // Version 4: node-04 sends another version-1 update, three versions behind: stale-update.
            assertEquals(2, await("node-04", 4).announcement().oldestVersionTaken(), "node-04 could know version 1 is too old");
            publish("node-04", slow4);
            NodeClient n4 = clients.get("node-04");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (n4.rejections().isEmpty() && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertEquals(1, n4.rejections().size(), "node-04 is told");
            assertEquals(RejectReason.STALE_UPDATE, n4.rejections().get(0).reason());
            assertEquals(1, n4.rejections().get(0).frameRound());
            for (String id : List.of("node-01", "node-03", "node-05")) {
                publish(id, await(id, 4));
            }
            RoundReport r4 = next(4);
            assertEquals(List.of("node-01", "node-03", "node-05"), r4.acceptedIds());
            assertEquals(Map.of(RejectReason.STALE_UPDATE, 1L), r4.rejected());
            assertTrue(gw.awaitFinished(WAIT));
        } finally {
            for (NodeClient n : clients.values()) {
                n.close();
            }
        }
    }

    private void checkLog() throws Exception {
        Path state = tmp.resolve("state");
        AuditLog.Verified log = AuditLog.verifyFile(state.resolve(StateStore.AUDIT_LOG), null);
        assertEquals(4, log.records().size());
        long[][] weights = {{4, 4, 4}, {4, 4, 2}, {4, 4, 1}, {4, 4, 4}};
        for (AuditRecord rec : log.records()) {
            assertEquals(new AuditRecord.BufferedInputs(3, 2), rec.config().buffered());
            assertArrayEquals(weights[(int) rec.round() - 1], rec.weights(), "buffer " + rec.round());
            ReplayReport r = Replay.replay(rec, RoundJournal.read(state.resolve("rounds").resolve(StateStore.journalName(rec.round())),
                    false), TestNodes.registry(nodes), null);
            assertTrue(r.matches(), r.lines().toString());
            assertEquals(ReplayCheck.Status.MATCH, r.check("buffered.frames").orElseThrow().status());
        }
    }
}
