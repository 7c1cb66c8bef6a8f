package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
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
import org.qoraedge.fixedpoint.privacy.CentralNoise;
import org.qoraedge.fixedpoint.privacy.DiscreteGaussian;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayCheck;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.client.TopKSparsifier;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * Central noise end to end: a gateway configured from a properties file with
 * {@code privacy.central.*}, on its embedded broker, nodes over MQTT (one sparse). Every node
 * receives the noised model; the audit log replays with the secret file and, without it, says what
 * it could not check.
 */
class CentralNoiseOverMqttTest {
    private static final int D = 48;
    private static final String FLEET = "private-e2e";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final PipelineSpec RULE = PipelineSpec.parse("nnm(1) > centered-clip(1, 3)");

    @TempDir
    Path tmp;

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 5);
    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();

    @Test
    void nodesReceiveTheNoisedModelAndTheLogReplaysWithTheSecretFile() throws Exception {
        byte[] secret = HexFormat.of().parseHex("5a".repeat(32));
        Path secretFile = tmp.resolve("central.secret");
        Files.writeString(secretFile, HexFormat.of().formatHex(secret) + "\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes);
        Path configFile = tmp.resolve("gateway.properties");
        Files.writeString(configFile, "fleet = " + FLEET + "\nkeys.file = keys.txt\nnodes.expected = node-01,node-02,node-03,"
                + "node-04,node-05\naggregator = " + RULE + "\nmodel.id = m-private\nmodel.dimension = " + D + "\nround.max = 2\n"
                + "state.dir = state\nstate.keepFrames = -1\nprivacy.central.sigma2 = 49/4\n"
                + "privacy.central.secretFile = central.secret\n");
        GatewayConfig config = GatewayConfig.load(configFile);

        List<NodeClient> clients = new ArrayList<>();
        TopKSparsifier mirrorOf01 = new TopKSparsifier(0.25);
        Bfp16Block model = ModelUpdate.zeros(D);
        Bfp16Block reference = null;
        try (Gateway gw = Gateway.start(config, Gateway.Options.embeddedBroker().embeddedPort(0).listener(reports::add))) {
            for (NodeCredentials c : nodes) {
                NodeClient.Builder b = NodeClient.builder(gw.brokerUri(), FLEET, c).gatewayKey(gw.publicKey())
                        .connectTimeout(Duration.ofSeconds(10));
                if (c.nodeId().equals("node-01")) {
                    b.density(0.25);
                }
                NodeClient n = b.build();
                n.connect();
                clients.add(n);
            }
            for (long round = 1; round <= 2; round++) {
                Map<String, Bfp16Block> received = new TreeMap<>();
                for (NodeClient n : clients) {
                    RoundStart start = n.awaitRound(round, WAIT);
                    assertEquals(model, start.model(), "round " + round + ": every node holds the noised model");
                    Bfp16Block delta = TestNodes.update(n.nodeId(), round, D, false);
                    n.publishUpdate(start, delta);
                    received.put(n.nodeId(), n.nodeId().equals("node-01") ? mirrorOf01.select(delta).densify() : delta);
                }
                RoundReport r = reports.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertNotNull(r, "round " + round + " did not close");
                assertTrue(r.aggregated(), r.failure());
                assertEquals(Map.of(), r.rejected());
                Bfp16Block aggregate = RULE.build(5).apply(received.values().toArray(new Bfp16Block[0]), reference).aggregate();
                Bfp16Block noised = CentralNoise.apply(aggregate, secret, round, DiscreteGaussian.of(49, 4));
                assertNotEquals(Digests.block(ModelUpdate.add(model, aggregate)), r.modelDigest(), "no noise was added");
                model = ModelUpdate.add(model, noised);
                assertEquals(Digests.block(model), r.modelDigest(), "round " + round);
                reference = noised;
            }
            for (NodeClient n : clients) {
                assertEquals(model, n.awaitRound(3, WAIT).model(), "the last model, as published");
            }
            assertTrue(gw.awaitFinished(WAIT));
        } finally {
            for (NodeClient n : clients) {
                n.close();
            }
        }

        Path state = tmp.resolve("state");
        List<AuditRecord> recs = AuditLog.verifyFile(state.resolve(StateStore.AUDIT_LOG), null).records();
        assertEquals(2, recs.size());
        ReplayReport previous = null;
        for (AuditRecord rec : recs) {
            assertEquals("49/4", rec.config().centralNoise().sigma2());
            ReplayReport r = Replay.replay(rec, journal(state, rec.round()), TestNodes.registry(nodes),
                    previous == null ? null : previous.replayedAggregate(), secret);
            assertTrue(r.matches(), r.lines().toString());
            assertEquals(ReplayCheck.Status.MATCH, r.check("modelAfter").orElseThrow().status());
            previous = r;
        }
        ReplayReport blind = Replay.replay(recs.get(0), journal(state, 1), TestNodes.registry(nodes), null, null);
        assertTrue(blind.matches(), blind.lines().toString());
        assertEquals(ReplayCheck.Status.NOT_CHECKED, blind.check("modelAfter").orElseThrow().status());
    }

    private static RoundJournal.Contents journal(Path state, long round) throws Exception {
        return RoundJournal.read(state.resolve("rounds").resolve(StateStore.journalName(round)), false);
    }
}
