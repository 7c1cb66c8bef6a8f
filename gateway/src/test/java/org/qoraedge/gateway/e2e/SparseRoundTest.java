package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.client.TopKSparsifier;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.Oracle;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * Sparse and dense nodes in the same rounds over the embedded broker (docs/PROTOCOL.md section
 * 4.1): the gateway's model is the one the aggregation rule gives on the densified sparse updates
 * and the dense ones, and the audit log replays from the journals, which hold the sparse frames as
 * received.
 */
class SparseRoundTest {
    private static final int D = 40;
    private static final String FLEET = "sparse-e2e";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int ROUNDS = 2;

    @TempDir
    Path tmp;

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 5);
    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();

    private GatewayConfig config() throws Exception {
        Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes);
        List<String> expected = new ArrayList<>();
        for (NodeCredentials c : nodes) {
            expected.add(c.nodeId());
        }
        return GatewayConfig.builder().brokerUri("tcp://127.0.0.1:1").fleet(FLEET).keysFile(keys).expected(expected)
                .aggregator(AggregatorKind.MULTI_KRUM).f(1).modelId("m-sparse").dimension(D)
                .deadline(Duration.ofSeconds(30)).maxRounds(ROUNDS).keepFrames(-1).stateDir(tmp.resolve("state")).build();
    }

    @Test
    void sparseAndDenseNodesAggregateLikeTheirDensifiedUpdatesAndReplay() throws Exception {
        List<NodeClient> clients = new ArrayList<>();
        try (Gateway gw = Gateway.start(config(), Gateway.Options.embeddedBroker().embeddedPort(0).listener(reports::add))) {
            for (NodeCredentials c : nodes) {
                // node-01 uses the client's own sparse mode; node-02 builds its sparse frames by hand
                NodeClient.Builder b = NodeClient.builder(gw.brokerUri(), FLEET, c).gatewayKey(gw.publicKey())
                        .connectTimeout(Duration.ofSeconds(10));
                if (c.nodeId().equals("node-01")) {
                    b.density(0.1);
                }
                NodeClient n = b.build();
                n.connect();
                clients.add(n);
            }
            TopKSparsifier mirrorOf01 = new TopKSparsifier(0.1);
            TopKSparsifier own02 = new TopKSparsifier(0.25);
            Bfp16Block model = ModelUpdate.zeros(D);
            for (long round = 1; round <= ROUNDS; round++) {
                Map<String, Bfp16Block> densified = new TreeMap<>();
                for (NodeClient n : clients) {
                    RoundStart start = n.awaitRound(round, WAIT);
                    assertEquals(model, start.model(), "every node starts from the gateway's model");
                    Bfp16Block delta = TestNodes.update(n.nodeId(), round, D, false);
                    switch (n.nodeId()) {
                        case "node-01" -> {
                            n.publishUpdate(start, delta);
                            densified.put(n.nodeId(), mirrorOf01.select(delta).densify());
                            // 39 + F + N + M + X + 2k + S with k = 4 of 40 (indices below 128: one byte each)
                            int sig = nodes.get(0).scheme().signatureLength();
                            assertEquals(39 + FLEET.length() + 7 + 8 + 4 + 2 * 4 + sig, n.lastUpdateBytes());
                            assertTrue(n.lastUpdateBytes() < Frame.size(FLEET.length(), 7, 8, D, nodes.get(0).scheme()));
                        }
                        case "node-02" -> {
                            TopKSparsifier.Selection sel = own02.select(delta);
                            byte[] frame = n.encodeSparseUpdate(round, start.announcement().modelId(), sel);
                            assertEquals(FrameKind.SPARSE_UPDATE, FrameCodec.parseHeader(frame, frame.length).kind());
                            n.publishRaw(n.topics().update(n.nodeId()), frame);
                            densified.put(n.nodeId(), sel.densify());
                        }
                        default -> {
                            n.publishUpdate(start, delta);
                            densified.put(n.nodeId(), delta);
                        }
                    }
                }
                RoundReport r = reports.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertNotNull(r, "round " + round + " did not close");
                assertTrue(r.aggregated(), r.failure());
                assertEquals(List.of("node-01", "node-02", "node-03", "node-04", "node-05"), r.acceptedIds());
                assertEquals(Map.of(), r.rejected());
                model = Oracle.nextModel(model, densified, gw.config().aggregation());
                assertEquals(Digests.block(model), r.modelDigest(), "round " + round + " model");
            }
            assertTrue(gw.awaitFinished(WAIT));
        } finally {
            for (NodeClient n : clients) {
                n.close();
            }
        }
        Path state = tmp.resolve("state");
        AuditLog.Verified log = AuditLog.verifyFile(state.resolve(StateStore.AUDIT_LOG), null);
        assertEquals(ROUNDS, log.records().size());
        ReplayReport previous = null;
        for (AuditRecord rec : log.records()) {
            RoundJournal.Contents journal = RoundJournal.read(state.resolve("rounds").resolve(StateStore.journalName(rec.round())),
                    false);
            ReplayReport r = Replay.replay(rec, journal, TestNodes.registry(nodes),
                    previous == null ? null : previous.replayedAggregate());
            assertTrue(r.matches(), r.lines().toString());
            previous = r;
        }
    }
}
