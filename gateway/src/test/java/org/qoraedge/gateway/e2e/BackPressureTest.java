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
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.qoraedge.gateway.round.BanList;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * A burst far larger than the inbox loses nothing: 24 nodes publish 100 KB updates at the same
 * moment through a Mosquitto with no in-flight limit ({@code max_inflight_messages 0}, so the broker
 * pushes every one at once) to a gateway whose inbox holds four frames. The round worker is held
 * (its ban-list lookup blocks) from the burst's first update until the metrics show a wait: the
 * MQTT callbacks wait for it instead of dropping, every update is accepted, none is dropped.
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
        // Without a hold, whether anything waits depends on how fast the round worker is on this machine.
        AtomicBoolean hold = new AtomicBoolean();
        CountDownLatch release = new CountDownLatch(1);
        BanList holdingWorker = node -> {
            if (hold.get()) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return false;
        };
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"));
                Gateway gw = Gateway.start(GatewayConfig.builder().brokerUri(mosquitto.uri()).fleet(FLEET).keysFile(keys)
                        .modelId("m").dimension(D).f(2).deadline(Duration.ofSeconds(60)).maxRounds(1).inboxMaxBytes(inboxBytes)
                        .stateDir(tmp.resolve("state")).ops(OpsSettings.localEndpoint(0)).build(),
                        Gateway.Options.external().listener(reports::add).banList(holdingWorker))) {
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
                hold.set(true);
                go.countDown();
                // Held back in the inbox, or before it in the socket (the receive window): released at the first
                // wait, well inside the inbox's longest wait (Inbox.MAX_WAIT_MILLIS, 5 s) after which it would drop.
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                double waits = 0;
                while (waits == 0 && System.nanoTime() < end) {
                    Map<String, Double> m = Scrape.metrics(gw.operations().url());
                    waits = value(m, "qora_inbox_waits_total") + value(m, "qora_receive_window_waits_total");
                    Thread.sleep(10);
                }
                release.countDown();
                assertTrue(waits > 0, NODES + " frames of " + Frame.maxSize(D) + " bytes at once into " + inboxBytes
                        + " bytes with the round worker held: nothing waited within 20 s");
                for (Thread t : senders) {
                    t.join(30_000);
                }
                RoundReport r = reports.poll(60, TimeUnit.SECONDS);
                assertTrue(r != null && r.aggregated(), "round 1 aggregated: " + r);
                assertEquals(NODES, r.acceptedIds().size(), "every update of the burst accepted");
                Map<String, Double> m = Scrape.metrics(gw.operations().url());
                assertEquals(0, value(m, "qora_dropped_total{where=\"inbox-full\"}"), "nothing dropped");
            } finally {
                for (NodeClient n : clients) {
                    n.close();
                }
            }
        }
    }
}
