package org.qoraedge.gateway.round;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayCheck;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.client.TopKSparsifier;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.Provocations;
import org.qoraedge.gateway.testing.RecordingOutbox;
import org.qoraedge.gateway.testing.TestNodes;

/** {@code round.maxNonZero} in the coordinator: a dense update in a sparse fleet is refused, recorded and replayed. */
class MaxNonZeroRoundTest {
    private static final int D = 64;
    private static final String FLEET = "sparse-bound";
    private static final Topics TOPICS = new Topics(FLEET);
    private static final byte[] GATEWAY_SEED = new byte[32];

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 5);
    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
    private RoundCoordinator coordinator;

    @AfterEach
    void stop() {
        if (coordinator != null) {
            coordinator.close();
        }
    }

    @Test
    void aDenseUpdateInASparseFleetIsRefusedAsTooDenseAndTheRecordNamesTheBound(@TempDir Path dir) throws Exception {
        StateStore store = StateStore.open(dir, -1);
        Inbox inbox = new Inbox(1024);
        coordinator = new RoundCoordinator(CoordinatorSettings.builder()
                .fleet(FLEET).gatewayId("gw").gatewaySeed(GATEWAY_SEED).modelId("m1").dimension(D)
                .registry(TestNodes.registry(nodes)).expected(List.of("node-01", "node-02", "node-03", "node-04"))
                .aggregation(AggregationSettings.pipeline(PipelineSpec.parse("mean"), 1)).maxNonZero(16)
                .deadline(Duration.ofSeconds(30)).maxRounds(1).build(),
                RoundServices.none().store(store).listener(reports::add), inbox, new RecordingOutbox());
        coordinator.start();
        // node-05 first, dense: refused before the four sparse nodes (16 of 64 coordinates each) close the round.
        for (NodeCredentials c : List.of(nodes.get(4), nodes.get(0), nodes.get(1), nodes.get(2), nodes.get(3))) {
            Bfp16Block u = TestNodes.update(c.nodeId(), 1, D, false);
            Bfp16Block sent = c.nodeId().equals("node-05") ? u : new TopKSparsifier(0.25).select(u).densify();
            inbox.offer(TOPICS.update(c.nodeId()), Provocations.frame(c, FrameKind.UPDATE, FLEET, 1, 1, "m1", sent));
        }
        RoundReport r = reports.poll(10, TimeUnit.SECONDS);
        assertNotNull(r);
        assertTrue(r.aggregated(), r.failure());
        assertEquals(List.of("node-01", "node-02", "node-03", "node-04"), r.acceptedIds());
        assertEquals(Map.of(RejectReason.TOO_DENSE, 1L), r.rejected());
        assertTrue(coordinator.awaitFinished(10, TimeUnit.SECONDS));
        coordinator = null;
        store.close();

        AuditRecord rec = AuditLog.verifyFile(dir.resolve(StateStore.AUDIT_LOG), Ed25519Keys.publicKeyOf(GATEWAY_SEED))
                .records().get(0);
        assertEquals(16, rec.config().maxNonZero());
        assertTrue(rec.frames().stream().anyMatch(f -> f.node().equals("node-05") && f.status().equals("too-dense")));
        RoundJournal.Contents j = RoundJournal.read(dir.resolve("rounds").resolve(StateStore.journalName(1)), false);
        ReplayReport ok = Replay.replay(rec, j, TestNodes.registry(nodes));
        assertTrue(ok.matches(), ok.lines().toString());
        assertEquals(ReplayCheck.Status.MATCH, ok.check("frames.maxNonZero").orElseThrow().status());
        // A record claiming a tighter bound than the accepted blocks keep is caught.
        AuditRecord tighter = rec.withConfig(rec.config().withMaxNonZero(15));
        assertEquals("frames.maxNonZero", Replay.replay(tighter, j, null).firstMismatch().orElseThrow().field());
    }
}
