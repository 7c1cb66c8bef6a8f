package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qoraedge.gateway.ops.Scrape.value;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.ops.OpsSettings;
import org.qoraedge.gateway.ops.Scrape;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * A burst far larger than the inbox loses nothing: 24 nodes publish 100 KB updates at the same
 * moment through a Mosquitto with no in-flight limit ({@code max_inflight_messages 0}, so the broker
 * pushes every one at once) to a gateway whose inbox holds four frames. The MQTT callbacks wait for
 * the round worker instead of dropping, every update is accepted, none is dropped, and the metrics
 * show the waits.
 */
class BackPressureTest {
    private static final int D = 50_000;
    private static final int NODES = 24;
    private static final String FLEET = "backpressure";

    @TempDir
    Path tmp;

    @Test
    void aBurstLargerThanTheInboxIsHeldBackNotDropped() throws Exception {
        List<NodeCredentials> creds = TestNodes.fleet("node-", NODES);
        Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), creds);
        long inboxBytes = 4 * Frame.maxUpdateSize(D);
        BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"));
                Gateway gw = Gateway.start(GatewayConfig.builder().brokerUri(mosquitto.uri()).fleet(FLEET).keysFile(keys)
                        .modelId("m").dimension(D).f(2).deadline(Duration.ofSeconds(60)).maxRounds(1).inboxMaxBytes(inboxBytes)
                        .stateDir(tmp.resolve("state")).ops(OpsSettings.localEndpoint(0)).build(),
                        Gateway.Options.external().listener(reports::add))) {
            List<NodeClient> clients = new ArrayList<>();
            List<RoundStart> starts = new ArrayList<>();
            try {
                for (NodeCredentials c : creds) {
                    NodeClient n = NodeClient.builder(mosquitto.uri(), FLEET, c).gatewayKey(gw.publicKey())
                            .connectTimeout(Duration.ofSeconds(10)).build();
                    n.connect();
                    clients.add(n);
                    starts.add(n.awaitRound(1, Duration.ofSeconds(20)));
                }
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> senders = new ArrayList<>();
                for (int i = 0; i < NODES; i++) {
                    NodeClient n = clients.get(i);
                    RoundStart s = starts.get(i);
                    Thread t = new Thread(() -> {
                        try {
                            go.await();
                            n.publishUpdate(s, TestNodes.update(n.nodeId(), 1, D, false));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    t.start();
                    senders.add(t);
                }
                go.countDown();
                for (Thread t : senders) {
                    t.join(30_000);
                }
                RoundReport r = reports.poll(60, TimeUnit.SECONDS);
                assertTrue(r != null && r.aggregated(), "round 1 aggregated: " + r);
                assertEquals(NODES, r.acceptedIds().size(), "every update of the burst accepted");
                Map<String, Double> m = Scrape.metrics(gw.operations().url());
                assertEquals(0, value(m, "qora_dropped_total{where=\"inbox-full\"}"), "nothing dropped");
                // Held back in the inbox (the round worker behind), or before it in the socket (the receive window):
                // which one depends on how fast the round worker is here.
                assertTrue(value(m, "qora_inbox_waits_total") + value(m, "qora_receive_window_waits_total") > 0,
                        NODES + " frames of " + Frame.maxSize(D) + " bytes at once into " + inboxBytes + " bytes: some waited");
            } finally {
                for (NodeClient n : clients) {
                    n.close();
                }
            }
        }
    }
}
