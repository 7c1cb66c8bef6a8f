package org.qoraedge.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.round.RoundReport;

/**
 * The node client examples of the documentation (the class comment of {@link NodeClient}, the
 * "Node client" section of gateway/README.md), compiled and run against a gateway: each example's
 * code is copied here with only its broker URI, file name and placeholders filled in.
 */
class NodeClientExamplesTest {
    private static final int DIMENSION = 4;

    @TempDir
    Path tmp;

    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();

    /**
     * A gateway on an embedded broker for the one node {@code node-07}, whose credentials file
     * (with the gateway's key pinned) is written to {@code credentialsFile}.
     */
    private Gateway gateway(String fleet, Path credentialsFile) throws Exception {
        GatewayConfig.Builder cfg = GatewayConfig.builder().fleet(fleet).keysFile(tmp.resolve("keys.txt"))
                .aggregator(AggregatorKind.MEAN).f(0).dimension(DIMENSION).maxRounds(2).stateDir(tmp.resolve("state"));
        NodeCredentials c = NodeCredentials.generate("node-07", SignatureScheme.HMAC_SHA256, new SecureRandom())
                .withGateway("gateway", Gateway.publicKey(cfg.build()));
        Files.writeString(tmp.resolve("keys.txt"), c.registryLine() + "\n", StandardCharsets.UTF_8);
        Files.writeString(credentialsFile, c.credentialsFile(), StandardCharsets.UTF_8);
        return Gateway.start(cfg.build(), Gateway.Options.embeddedBroker().embeddedPort(0).listener(reports::add));
    }

    private static float[] train(float[] global) {
        float[] delta = new float[global.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = 0.25f * (i + 1);
        }
        return delta;
    }

    private void assertRoundOneTookTheUpdate() throws InterruptedException {
        RoundReport r = reports.poll(30, TimeUnit.SECONDS);
        assertNotNull(r, "round 1 did not close");
        assertEquals(1, r.round());
        assertTrue(r.aggregated(), r.failure());
        assertEquals(List.of("node-07"), r.acceptedIds());
    }

    @Test
    void theClassCommentsExampleRuns() throws Exception {
        Path keyFile = tmp.resolve("node-07.key");
        try (Gateway gw = gateway("plant-3", keyFile)) {
            String brokerUri = gw.brokerUri();
            // NodeClient's class comment, with the broker URI and the file's path filled in
            NodeCredentials me = KeyFiles.readCredentials(keyFile); // with the gateway's pinned key
            try (NodeClient node = NodeClient.builder(brokerUri, "plant-3", me).build()) {
                node.connect();
                RoundStart r = node.awaitRound(1, Duration.ofMinutes(1));   // round >= 1 with its model
                Bfp16Block delta = Bfp16.encode(train(Bfp16.decode(r.model())));
                node.publishUpdate(r, delta);                                   // waits for the PUBACK
            }
            assertRoundOneTookTheUpdate();
        }
    }

    @Test
    void theReadmesExampleRuns() throws Exception {
        Path keyFile = tmp.resolve("node-07.key");
        List<Long> started = new CopyOnWriteArrayList<>();
        List<RejectionNotice> notices = new CopyOnWriteArrayList<>();
        try (Gateway gw = gateway("demo", keyFile)) {
            String brokerUri = gw.brokerUri();
            Duration timeout = Duration.ofSeconds(30);
            // gateway/README.md, "Node client", with the broker URI, the file's path, the listener's
            // bodies and the training filled in
            NodeCredentials me = KeyFiles.readCredentials(keyFile);   // written by `keys`: the gateway key is pinned in it
            try (NodeClient node = NodeClient.builder(brokerUri, "demo", me)
                    // .gatewayKey(gatewayPublicKey)         // only for credentials without a pinned key (NodeCredentials.hmac(id, secret32)):
                    //                                          build() refuses a node that trusts no gateway key
                    .listener(new NodeListener() {           // optional, runs on the client's own thread
                        @Override
                        public void roundStarted(RoundStart r) {
                            started.add(r.round());
                        }

                        @Override
                        public void rejected(RejectionNotice n) {
                            notices.add(n);
                        }
                    })
                    .build()) {
                node.connect();                                              // retries with backoff, subscribes, publishes its birth
                RoundStart r = node.awaitRound(1, Duration.ofMinutes(1));    // announcement + model of a round >= 1, digest checked
                float[] global = Bfp16.decode(r.model());
                float[] trainedMinusGlobal = train(global);
                Bfp16Block delta = Bfp16.encode(trainedMinusGlobal);
                node.publishUpdate(r, delta);                                // signed UPDATE frame, QoS 1, waits for PUBACK
                node.awaitRound(r.round() + 1, timeout);                     // the next round starts from the new global model
                // Not in the README: listener callbacks run on the client's own thread, after awaitRound has
                // returned; wait for the second one before closing the client (which drops queued callbacks).
                long end = System.nanoTime() + timeout.toNanos();
                while (!started.contains(r.round() + 1) && System.nanoTime() < end) {
                    Thread.sleep(5);
                }
            }
            assertRoundOneTookTheUpdate();
            assertTrue(started.containsAll(List.of(1L, 2L)), started.toString());
            assertEquals(List.of(), notices);
        }
    }
}
