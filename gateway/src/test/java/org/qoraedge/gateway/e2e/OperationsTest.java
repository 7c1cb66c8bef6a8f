package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qoraedge.gateway.ops.Scrape.value;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.ops.Health;
import org.qoraedge.gateway.ops.OpsSettings;
import org.qoraedge.gateway.ops.Scrape;
import org.qoraedge.gateway.ops.Watchdog;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.AllowsStderr;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TcpProxy;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * The operations endpoint of a gateway running rounds over Mosquitto: its counters agree with the
 * signed audit log, it is on 127.0.0.1 and asks for a password when told to, and a gateway whose
 * MQTT receiver hears nothing more stops pinging the service manager's watchdog.
 */
class OperationsTest {
    private static final int D = 16;
    private static final String FLEET = "ops";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Topics T = new Topics(FLEET);

    @TempDir
    Path tmp;

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 5);

    private GatewayConfig.Builder config(String uri, Duration deadline) throws Exception {
        Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes);
        return GatewayConfig.builder().brokerUri(uri).fleet(FLEET).keysFile(keys).aggregator(AggregatorKind.MULTI_KRUM).f(1)
                .modelId("m").dimension(D).deadline(deadline).stateDir(tmp.resolve("state"));
    }

    private List<NodeClient> connect(String uri, byte[] gatewayKey) throws Exception {
        List<NodeClient> out = new ArrayList<>();
        for (NodeCredentials c : nodes) {
            NodeClient n = NodeClient.builder(uri, FLEET, c).gatewayKey(gatewayKey).connectTimeout(Duration.ofSeconds(10)).build();
            n.connect();
            out.add(n);
        }
        return out;
    }

    private static void publish(NodeClient n, long round) throws Exception {
        RoundStart s = n.awaitRound(round, WAIT);
        assertEquals(round, s.round(), n.nodeId());
        n.publishUpdate(s, TestNodes.update(n.nodeId(), round, D, false));
    }

    @Test
    void countersScrapedDuringRoundsOverMosquittoAgreeWithTheAuditLog() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"));
                Gateway gw = Gateway.start(config(mosquitto.uri(), WAIT).ops(OpsSettings.localEndpoint(0)).build(),
                        Gateway.Options.external().connectTimeout(WAIT))) {
            String url = gw.operations().url();
            assertTrue(url.startsWith("http://127.0.0.1:"), url);
            List<NodeClient> clients = connect(mosquitto.uri(), gw.publicKey());
            try {
                // Round 1: every node. Round 2: every node, and node-01 twice (a duplicate), and bytes that are
                // no frame on node-05's topic. Round 3: two nodes only, closed by the operator (as the status
                // button does), so it fails below quorum.
                for (NodeClient n : clients) {
                    publish(n, 1);
                }
                clients.get(0).awaitRound(2, WAIT);
                Map<String, Double> afterRound1 = Scrape.metrics(url);
                assertEquals(1, value(afterRound1, "qora_rounds_aggregated_total"));
                assertEquals(5, value(afterRound1, "qora_updates_accepted_total"));

                clients.get(4).publishRaw(T.update("node-05"), "not a frame".getBytes(StandardCharsets.UTF_8));
                publish(clients.get(0), 2);
                clients.get(0).publishUpdate(clients.get(0).awaitRound(2, WAIT), TestNodes.update("node-01", 2, D, false));
                for (NodeClient n : clients.subList(1, 5)) {
                    publish(n, 2);
                }
                clients.get(0).awaitRound(3, WAIT);
                publish(clients.get(0), 3);
                publish(clients.get(1), 3);
                // During round 3: the page's data shows the open round's accepted updates.
                JsonObject during = waitForAccepted(url, 3, 2);
                assertEquals(3, during.getAsJsonObject("round").get("number").getAsLong());
                assertEquals(2, value(Scrape.metrics(url), "qora_round_current_accepted"));
                gw.coordinator().requestClose();
                clients.get(0).awaitRound(4, WAIT);
            } finally {
                for (NodeClient n : clients) {
                    n.close();
                }
            }

            Map<String, Double> m = Scrape.metrics(url);
            AuditLog.Verified audit = AuditLog.verifyFile(tmp.resolve("state").resolve(StateStore.AUDIT_LOG), gw.publicKey());
            assertEquals(3, audit.records().size());
            long aggregated = 0;
            long failed = 0;
            long accepted = 0;
            Map<String, Long> rejectedByReason = new TreeMap<>();
            for (AuditRecord r : audit.records()) {
                if (r.aggregated()) {
                    aggregated++;
                } else {
                    failed++;
                    assertTrue(r.failure().startsWith("below quorum"), r.failure());
                }
                accepted += r.canonicalOrder().size();
                for (AuditRecord.FrameEntry f : r.frames()) {
                    if (!f.accepted()) {
                        rejectedByReason.merge(f.status(), 1L, Long::sum);
                    }
                }
            }
            assertEquals(2, aggregated);
            assertEquals(1, failed);
            assertEquals(aggregated, value(m, "qora_rounds_aggregated_total"));
            assertEquals(failed, value(m, "qora_rounds_failed_total{reason=\"below-quorum\"}"));
            assertEquals(0, value(m, "qora_rounds_failed_total{reason=\"internal-error\"}"));
            assertEquals(accepted, value(m, "qora_updates_accepted_total"));
            assertEquals(12, accepted);
            assertEquals(1L, rejectedByReason.get(RejectReason.DUPLICATE_UPDATE.wireName()), rejectedByReason.toString());
            assertEquals(1L, rejectedByReason.get(RejectReason.BAD_MAGIC.wireName()), rejectedByReason.toString());
            for (RejectReason r : RejectReason.values()) {
                assertEquals(rejectedByReason.getOrDefault(r.wireName(), 0L),
                        value(m, "qora_rejections_total{reason=\"" + r.wireName() + "\"}"), r.wireName());
            }
            assertEquals(1, value(m, "qora_node_rejections_total{node=\"node-01\",reason=\"duplicate-update\"}"));
            assertEquals(1, value(m, "qora_node_rejections_total{node=\"node-05\",reason=\"bad-magic\"}"));
            assertEquals(1, value(m, "qora_audit_head_info{head=\"" + audit.head() + "\"}"), "the audit head is the log's: " + m);
            assertEquals(3, value(m, "qora_round_close_seconds_count"));
            long lastAggregated = value(m, "qora_round_last_aggregated_timestamp_seconds");
            assertTrue(Math.abs(System.currentTimeMillis() / 1000 - lastAggregated) < 60, "last aggregated at " + lastAggregated);
            assertEquals(4, value(m, "qora_round_current"));
            assertEquals(1, value(m, "qora_mqtt_connected"));
            assertEquals(0, value(m, "qora_mqtt_reconnects_total"));
            assertEquals(0, value(m, "qora_dropped_total{where=\"inbox-full\"}"));
            assertEquals(0, value(m, "qora_inbox_waits_total"));
            assertEquals(0, value(m, "qora_inbox_queued_bytes"), "every message taken by the round worker");
            assertEquals(1, value(m, "qora_healthy"));
            for (String id : List.of("node-01", "node-03", "node-05")) {
                assertEquals(gw.coordinator().reputation().score(id), value(m, "qora_node_reputation{node=\"" + id + "\"}"), id);
            }

            JsonObject status = Scrape.status(url);
            assertEquals(audit.head(), status.get("auditHead").getAsString());
            assertEquals(3, status.getAsJsonArray("rounds").size());
            assertEquals("failed", status.getAsJsonArray("rounds").get(0).getAsJsonObject().get("outcome").getAsString());
            assertEquals(5, status.getAsJsonArray("nodes").size());
            Scrape.Response health = Scrape.get(url + "/health", null);
            assertEquals(200, health.status(), health.body());
            assertEquals(404, Scrape.get(url + "/nothing", null).status());
        }
    }

    private static JsonObject waitForAccepted(String url, long round, int accepted) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        JsonObject s = Scrape.status(url);
        while (System.nanoTime() < end) {
            s = Scrape.status(url);
            JsonObject r = s.getAsJsonObject("round");
            if (r.get("number").getAsLong() == round && r.get("accepted").getAsInt() == accepted) {
                return s;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("round " + round + " never showed " + accepted + " accepted updates: " + s);
    }

    @Test
    void withBasicAuthTheEndpointRefusesRequestsWithoutThePassword() throws Exception {
        Path pw = Files.writeString(tmp.resolve("http.password"), "s3cret\n");
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"));
                Gateway gw = Gateway.start(config(mosquitto.uri(), WAIT).ops(OpsSettings.localEndpoint(0).withBasicAuth("prom", pw)).build(),
                        Gateway.Options.external().connectTimeout(WAIT))) {
            String url = gw.operations().url();
            for (String path : List.of("/metrics", "/health", "/status.json", "/")) {
                assertEquals(401, Scrape.get(url + path, null).status(), path);
                assertEquals(401, Scrape.get(url + path, "prom:wrong").status(), path);
                assertEquals(200, Scrape.get(url + path, "prom:s3cret").status(), path);
            }
        }
    }

    @Test
    @AllowsStderr("the watchdog logs the unhealthy gateway at ERROR")
    void aRoundWorkerStuckInAStepStopsThePingsUntilItMovesAgain() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"))) {
            GatewayConfig cfg = config(mosquitto.uri(), WAIT).ops(OpsSettings.DISABLED.withHealth(2, 0)).build();
            // A round listener that hangs when round 1 closes: any step of the worker's that does not return.
            Gateway.Options options = Gateway.Options.external().connectTimeout(WAIT).listener(report -> {
                if (report.round() == 1) {
                    stuck.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            List<List<String>> sent = new CopyOnWriteArrayList<>();
            List<NodeClient> clients = new ArrayList<>();
            try (Gateway gw = Gateway.start(cfg, options);
                    Watchdog watchdog = new Watchdog(sent::add, Duration.ofMillis(200), gw::health, gw.operations()::statusLine)) {
                watchdog.ready();
                clients = connect(mosquitto.uri(), gw.publicKey());
                for (NodeClient n : clients) {
                    publish(n, 1);
                }
                assertTrue(stuck.await(WAIT.toSeconds(), TimeUnit.SECONDS), "round 1 never closed");
                long pingsBefore = watchdog.pings();
                assertTrue(pingsBefore >= 1, "pings before the worker got stuck: " + pingsBefore);
                long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (gw.health().healthy() && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                Health.Report h = gw.health();
                assertFalse(h.healthy(), "still healthy 10 s after the worker got stuck");
                assertTrue(h.problems().get(0).startsWith("the round worker took no step for "), h.problems().toString());
                Thread.sleep(300);
                long pingsStuck = watchdog.pings();
                Thread.sleep(800);
                assertEquals(pingsStuck, watchdog.pings(), "pings while the worker is stuck");

                release.countDown(); // the worker moves on: round 2 opens, pings resume
                clients.get(0).awaitRound(2, WAIT);
                long resumed = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (watchdog.pings() < pingsStuck + 3 && System.nanoTime() < resumed) {
                    Thread.sleep(50);
                }
                assertTrue(watchdog.pings() >= pingsStuck + 3, "pings after the worker moved again: " + watchdog.pings());
                assertTrue(gw.health().healthy(), gw.health().problems().toString());
            } finally {
                release.countDown();
                for (NodeClient n : clients) {
                    n.close();
                }
            }
        }
    }

    @Test
    @AllowsStderr("Paho logs its keep-alive timeout, and the watchdog the unhealthy gateway, at ERROR")
    void aGatewayWhoseReceiverHearsNothingStopsPingingTheWatchdog() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"));
                TcpProxy proxy = new TcpProxy(mosquitto.port())) {
            // Keep-alive 1 s: a healthy idle link hears a PINGRESP every second; 3 s of silence is unhealthy
            // (2 s of margin for a loaded machine).
            GatewayConfig cfg = config(proxy.uri(), WAIT).keepAliveSeconds(1)
                    .ops(OpsSettings.DISABLED.withHealth(OpsSettings.DEFAULT_WORKER_STALL_SECONDS, 3)).build();
            List<List<String>> sent = new CopyOnWriteArrayList<>();
            try (Gateway gw = Gateway.start(cfg, Gateway.Options.external().connectTimeout(WAIT));
                    Watchdog watchdog = new Watchdog(sent::add, Duration.ofMillis(200), gw::health, gw.operations()::statusLine)) {
                watchdog.ready();
                assertEquals("READY=1", sent.get(0).get(0));
                // Healthy for 3.5 s: longer than the silence limit, so the pings are owed to PINGRESPs, not to the start.
                Thread.sleep(3500);
                Health.Report before = gw.health();
                assertTrue(before.healthy(), before.problems().toString());
                long pingsWhileHealthy = watchdog.pings();
                assertTrue(pingsWhileHealthy >= 8, "pings in 3.5 s at 200 ms: " + pingsWhileHealthy);
                assertEquals(0, watchdog.withheld());

                proxy.holdTowardClient(true); // the broker's bytes no longer reach the gateway; nothing is closed
                long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (gw.health().healthy() && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
                Health.Report after = gw.health();
                assertFalse(after.healthy(), "still healthy 10 s after the receiver stopped hearing the broker");
                assertTrue(after.problems().get(0).contains("MQTT link received nothing"), after.problems().toString());
                assertTrue(gw.status().running(), "the round worker itself still runs");
                Thread.sleep(300); // a check that was already past its health read may still ping once
                long pingsAtStop = watchdog.pings();
                Thread.sleep(1000);
                assertEquals(pingsAtStop, watchdog.pings(), "pings while unhealthy");
                assertTrue(watchdog.withheld() >= 4, "checks that withheld their ping: " + watchdog.withheld());
                assertTrue(sent.get(sent.size() - 1).get(0).startsWith("STATUS=unhealthy: the MQTT link received nothing"),
                        sent.get(sent.size() - 1).toString());
                proxy.holdTowardClient(false); // before the gateway closes: its offline status waits for the broker's PUBACK
            } finally {
                proxy.holdTowardClient(false);
            }
        }
    }
}
