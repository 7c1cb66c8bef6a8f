package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.broker.EmbeddedBroker;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.Oracle;
import org.qoraedge.gateway.testing.Provocations;
import org.qoraedge.gateway.testing.TcpProxy;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * A gateway and a fleet of JVM nodes (the node client) over a real broker and real sockets:
 * several rounds, every rejection reason provoked once, connection loss and a late gateway.
 */
class FleetScenarioTest {
    private static final int D = 16;
    private static final String FLEET = "e2e";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 6);
    private final NodeCredentials banned = TestNodes.credentials("node-banned", false);
    private final NodeCredentials stranger = TestNodes.credentials("node-zz", true);
    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();

    private GatewayConfig config(String brokerUri, int rounds) throws Exception {
        List<NodeCredentials> registered = new ArrayList<>(nodes);
        registered.add(banned);
        Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), registered);
        List<String> expected = new ArrayList<>();
        for (NodeCredentials c : nodes) {
            expected.add(c.nodeId());
        }
        return GatewayConfig.builder().brokerUri(brokerUri).fleet(FLEET).keysFile(keys).expected(expected)
                .aggregator(AggregatorKind.MULTI_KRUM).f(1).modelId("m-e2e").dimension(D)
                .deadline(Duration.ofSeconds(30)).maxRounds(rounds).stateDir(tmp.resolve("state")).build();
    }

    private Gateway.Options options(Gateway.Options o) {
        return o.banList(id -> id.equals(banned.nodeId())).listener(reports::add);
    }

    private static NodeClient node(String uri, NodeCredentials c, Gateway gw) throws Exception {
        NodeClient n = NodeClient.builder(uri, FLEET, c).gatewayKey(gw.publicKey()).connectTimeout(Duration.ofSeconds(10)).build();
        n.connect();
        return n;
    }

    @Test
    void roundsCompleteOverTheEmbeddedBrokerWithEveryRejectionReasonProvoked() throws Exception {
        try (Gateway gw = Gateway.start(config("tcp://127.0.0.1:1", 3), options(Gateway.Options.embeddedBroker().embeddedPort(0)))) {
            runRounds(gw, gw.brokerUri());
        }
    }

    @Test
    void roundsCompleteOverMosquittoWithEveryRejectionReasonProvoked() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"));
                Gateway gw = Gateway.start(config(mosquitto.uri(), 3), options(Gateway.Options.external()))) {
            runRounds(gw, mosquitto.uri());
        }
    }

    private void runRounds(Gateway gw, String uri) throws Exception {
        Map<String, NodeClient> clients = new LinkedHashMap<>();
        try {
            for (NodeCredentials c : nodes) {
                clients.put(c.nodeId(), node(uri, c, gw));
            }
            NodeClient bannedClient = node(uri, banned, gw);
            NodeClient strangerClient = node(uri, stranger, gw);
            clients.put(banned.nodeId(), bannedClient);
            clients.put(stranger.nodeId(), strangerClient);

            Bfp16Block model = ModelUpdate.zeros(D);
            for (long round = 1; round <= 3; round++) {
                Map<String, Bfp16Block> sent = new TreeMap<>();
                byte[] victimFrame = null;
                for (NodeCredentials c : nodes.subList(0, 5)) {
                    NodeClient n = clients.get(c.nodeId());
                    RoundStart start = n.awaitRound(round, WAIT);
                    assertEquals(round, start.round());
                    assertEquals(model, start.model(), "every node starts from the gateway's model");
                    Bfp16Block delta = TestNodes.update(c.nodeId(), round, D, c.nodeId().equals("node-03"));
                    byte[] frame = n.encodeUpdate(round, start.announcement().modelId(), delta);
                    n.publishRaw(n.topics().update(c.nodeId()), frame);
                    sent.put(c.nodeId(), delta);
                    if (c.nodeId().equals("node-01")) {
                        victimFrame = frame;
                    }
                }
                awaitTrue(() -> gw.status().accepted() == 5, "5 updates accepted in round " + round);
                if (round == 1) {
                    NodeClient pending = clients.get("node-06");
                    List<Provocations.Provocation> bad = Provocations.all(pending.topics(), round, D, "m-e2e", nodes.get(0),
                            victimFrame, nodes.get(5), banned, stranger, pending.nextSequence());
                    for (Provocations.Provocation p : bad) {
                        pending.publishRaw(p.topic(), p.payload());
                    }
                    // The frame under an unregistered id never reaches the gateway: it subscribes to registered
                    // nodes' topics only. Every other provocation is rejected with its reason.
                    awaitTrue(() -> gw.status().rejected() == bad.size() - 1, "all " + (bad.size() - 1) + " provocations rejected");
                    assertEquals(5, gw.status().accepted(), "no provocation counted as an update");
                }
                NodeClient last = clients.get("node-06");
                RoundStart start = last.awaitRound(round, WAIT);
                Bfp16Block delta = TestNodes.update("node-06", round, D, false);
                last.publishUpdate(start, delta);
                sent.put("node-06", delta);

                RoundReport r = reports.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertNotNull(r, "round " + round + " did not close");
                assertEquals(round, r.round());
                assertTrue(r.aggregated(), r.failure());
                assertFalse(r.deadlineReached());
                assertEquals(List.of("node-01", "node-02", "node-03", "node-04", "node-05", "node-06"), r.acceptedIds());
                assertFalse(List.of(r.result().selectedIds()).contains("node-03"), "the outlier was selected");
                model = Oracle.nextModel(model, sent, gw.config().aggregation());
                assertEquals(Digests.block(model), r.modelDigest(), "round " + round + " model");
                if (round == 1) {
                    Map<RejectReason, Long> once = new EnumMap<>(RejectReason.class);
                    for (RejectReason reason : RejectReason.values()) {
                        if (reason != RejectReason.UNKNOWN_NODE && reason != RejectReason.NOT_IN_COHORT
                                && reason != RejectReason.STALE_UPDATE && reason != RejectReason.TOO_DENSE) {
                            // no cohort, no buffered mode and no round.maxNonZero here
                            once.put(reason, 1L);
                        }
                    }
                    assertEquals(once, r.rejected());
                } else {
                    assertTrue(r.rejected().isEmpty(), r.rejectedSummary());
                }
            }
            assertTrue(gw.awaitFinished(WAIT));

            // Every provocation whose signature verified was answered with a notice to the node whose topic
            // it came on; those refused before (anyone could have sent them) were not.
            Map<String, Set<RejectReason>> expected = new TreeMap<>();
            expected.put("node-06", EnumSet.of(RejectReason.WRONG_ROUND, RejectReason.WRONG_DIMENSION, RejectReason.WRONG_MODEL,
                    RejectReason.INVALID_BLOCK));
            expected.put("node-01", EnumSet.of(RejectReason.REPLAYED_SEQUENCE, RejectReason.DUPLICATE_UPDATE));
            expected.put("node-banned", EnumSet.of(RejectReason.BANNED));
            for (Map.Entry<String, Set<RejectReason>> e : expected.entrySet()) {
                NodeClient n = clients.get(e.getKey());
                awaitTrue(() -> n.rejections().size() >= e.getValue().size(), "notices for " + e.getKey());
                Set<RejectReason> got = EnumSet.noneOf(RejectReason.class);
                for (RejectionNotice notice : n.rejections()) {
                    assertEquals(1, notice.round());
                    got.add(notice.reason());
                }
                assertEquals(e.getValue(), got, e.getKey());
            }
            assertEquals(List.of(), clients.get("node-zz").rejections(), "an unregistered id gets nothing");
        } finally {
            for (NodeClient n : clients.values()) {
                n.close();
            }
        }
    }

    @Test
    void mosquittoQueuesUpdatesForTheGatewayWhileItsConnectionIsDownAndTheFirstConnectIsRetried() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"))) {
            connectionLoss(mosquitto.port(), mosquitto.uri());
        }
    }

    @Test
    void embeddedBrokerQueuesUpdatesForTheGatewayWhileItsConnectionIsDownAndTheFirstConnectIsRetried() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.options().port(0))) {
            connectionLoss(broker.port(), broker.uri());
        }
    }

    private void connectionLoss(int brokerPort, String brokerUri) throws Exception {
        try (TcpProxy proxy = TcpProxy.startCut(brokerPort)) {
            GatewayConfig cfg = config(proxy.uri(), 2);
            // The broker is unreachable when the gateway starts: its first connect must be retried.
            Gateway[] started = new Gateway[1];
            Thread starter = new Thread(() -> {
                try {
                    started[0] = Gateway.start(cfg, options(Gateway.Options.external()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            starter.start();
            Thread.sleep(700);
            assertTrue(starter.isAlive(), "the gateway gave up its first connect");
            proxy.restore();
            starter.join(15_000);
            assertNotNull(started[0], "the gateway did not connect after the broker became reachable");
            try (Gateway gw = started[0]) {
                List<NodeClient> clients = new ArrayList<>();
                try {
                    for (NodeCredentials c : nodes) {
                        clients.add(node(brokerUri, c, gw));
                    }
                    for (NodeClient n : clients.subList(0, 5)) {
                        RoundStart s = n.awaitRound(1, WAIT);
                        n.publishUpdate(s, TestNodes.update(n.nodeId(), 1, D, false));
                    }
                    awaitTrue(() -> gw.status().accepted() == 5, "5 updates accepted");
                    // The gateway's connection drops; the last node's update is sent while it is away.
                    proxy.cut();
                    NodeClient last = clients.get(5);
                    last.publishUpdate(last.awaitRound(1, WAIT), TestNodes.update(last.nodeId(), 1, D, false));
                    Thread.sleep(300);
                    assertEquals(5, gw.status().accepted());
                    proxy.restore();
                    RoundReport r = reports.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertNotNull(r, "round 1 did not close after the reconnect");
                    assertTrue(r.aggregated(), r.failure());
                    assertEquals(6, r.acceptedIds().size(), "the update queued by the broker was lost");
                    assertFalse(r.deadlineReached());
                    // Round 2 works on the renewed connection (model and announcement were published after it).
                    for (NodeClient n : clients) {
                        RoundStart s = n.awaitRound(2, WAIT);
                        n.publishUpdate(s, TestNodes.update(n.nodeId(), 2, D, false));
                    }
                    RoundReport r2 = reports.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertNotNull(r2, "round 2 did not close");
                    assertEquals(6, r2.acceptedIds().size());
                } finally {
                    for (NodeClient n : clients) {
                        n.close();
                    }
                }
            }
        }
    }

    @Test
    void aRestartedGatewayKeepsTheRoundsAcceptedUpdatesAndReceivesUpdatesSentWhileItWasDown() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"))) {
            GatewayConfig cfg = config(mosquitto.uri(), 0);
            List<NodeClient> clients = new ArrayList<>();
            try {
                Gateway first = Gateway.start(cfg, options(Gateway.Options.external()));
                for (NodeCredentials c : nodes) {
                    clients.add(node(mosquitto.uri(), c, first));
                }
                for (NodeClient n : clients.subList(0, 5)) {
                    n.publishUpdate(n.awaitRound(1, WAIT), TestNodes.update(n.nodeId(), 1, D, false));
                }
                awaitTrue(() -> first.status().accepted() == 5, "5 updates accepted by the first gateway");
                first.close();
                // Sent while no gateway runs: the broker queues it for the gateway's persistent session.
                NodeClient last = clients.get(5);
                last.publishUpdate(last.awaitRound(1, WAIT), TestNodes.update(last.nodeId(), 1, D, false));
                try (Gateway second = Gateway.start(cfg, options(Gateway.Options.external()))) {
                    // The five updates accepted before the stop come back from the round's journal; the
                    // queued sixth is delivered by the broker, and the round closes with all six.
                    RoundReport r = reports.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    assertNotNull(r, "round 1 did not close on the restarted gateway");
                    assertEquals(1, r.round());
                    assertEquals(6, r.acceptedIds().size());
                    // Nothing counted twice. An update the first gateway journaled but had not acknowledged
                    // yet when it stopped is delivered again by the broker and refused as a replay.
                    assertTrue(EnumSet.of(RejectReason.REPLAYED_SEQUENCE).containsAll(r.rejected().keySet()),
                            "only redeliveries of journaled updates may be refused: " + r.rejectedSummary());
                    assertFalse(second.coordinator().failed());
                }
            } finally {
                for (NodeClient n : clients) {
                    n.close();
                }
            }
        }
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

}
