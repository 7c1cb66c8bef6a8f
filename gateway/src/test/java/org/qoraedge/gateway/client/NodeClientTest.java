package org.qoraedge.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.broker.EmbeddedBroker;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SignedText;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.testing.TestNodes;

/** The node client against a scripted "gateway" that publishes announcements and models by hand. */
class NodeClientTest {
    private static final byte[] GATEWAY_SEED = new byte[32];
    private static final byte[] FORGER_SEED = new byte[32];
    private static EmbeddedBroker broker;
    private static int fleetCounter;

    static {
        GATEWAY_SEED[0] = 1;
        FORGER_SEED[0] = 2;
    }

    @BeforeAll
    static void startBroker() throws Exception {
        broker = EmbeddedBroker.start(EmbeddedBroker.options().port(0));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static Topics freshFleet() {
        return new Topics("nc-" + (++fleetCounter));
    }

    private static MqttLink gateway() throws Exception {
        MqttLink l = new MqttLink(MqttSettings.builder(broker.uri(), "fake-gw-" + fleetCounter).build(), List.of(), (t, m) -> { }, null, null);
        l.connect();
        return l;
    }

    private static void announce(MqttLink gw, Topics t, long round, Bfp16Block model, String digest, byte[] seed) throws Exception {
        byte[] frame = new Frame(FrameKind.MODEL, SignatureScheme.ED25519, t.fleet(), "gw", round, round + 1, "m", model)
                .encode(FrameSigner.ed25519(seed));
        RoundAnnouncement a = new RoundAnnouncement(t.fleet(), round, "m", model.dimension(), Frame.maxSize(model.dimension()),
                System.currentTimeMillis() + 10_000, "krum", "common", 1, 0, digest, "gw");
        gw.publish(t.model(), frame, 1, true).waitForCompletion(5000);
        gw.publish(t.round(), SignedText.sign(t.round(), a.toMessage().toBytes(), FrameSigner.ed25519(seed)), 1, true)
                .waitForCompletion(5000);
    }

    private static NodeClient node(Topics t, NodeListener listener) throws Exception {
        NodeCredentials c = TestNodes.credentials("node-x", false);
        NodeClient n = NodeClient.builder(broker.uri(), t.fleet(), c).gatewayKey(Ed25519Keys.publicKeyOf(GATEWAY_SEED))
                .listener(listener).initialSequence(1000).build();
        n.connect();
        return n;
    }

    @Test
    void receivesTheRetainedRoundAndModelAndPublishesASignedUpdate() throws Exception {
        Topics t = freshFleet();
        Bfp16Block model = Bfp16Block.of(-4, new short[] {1, 2, 3});
        BlockingQueue<RoundStart> started = new LinkedBlockingQueue<>();
        BlockingQueue<byte[]> updates = new LinkedBlockingQueue<>();
        try (MqttLink gw = gateway()) {
            announce(gw, t, 5, model, Digests.block(model), GATEWAY_SEED);
            try (MqttLink sub = new MqttLink(MqttSettings.builder(broker.uri(), "update-listener").build(),
                    List.of(new MqttLink.Subscription(t.update("node-x"), 1)), (topic, m) -> updates.add(m.getPayload()), null, null);
                    NodeClient n = node(t, new NodeListener() {
                        @Override
                        public void roundStarted(RoundStart round) {
                            started.add(round);
                        }
                    })) {
                sub.connect();
                RoundStart r = n.awaitRound(5, Duration.ofSeconds(10));
                assertEquals(5, r.round());
                assertEquals(model, r.model());
                assertEquals(5, started.poll(5, TimeUnit.SECONDS).round());
                long seq = n.publishUpdate(r, Bfp16Block.of(0, new short[] {7, 8, 9}));
                assertEquals(1000, seq);
                byte[] got = updates.poll(5, TimeUnit.SECONDS);
                Frame f = FrameCodec.decode(got, got.length, TestNodes.credentials("node-x", false).verifyingKey());
                assertEquals(5, f.round());
                assertEquals("m", f.modelId());
                assertEquals(1001, n.nextSequence());
            }
        }
    }

    @Test
    void ignoresAModelNotSignedByTheGatewayOrNotMatchingTheAnnouncedDigest() throws Exception {
        Topics t = freshFleet();
        Bfp16Block model = Bfp16Block.of(0, new short[] {4, 5});
        Bfp16Block other = Bfp16Block.of(0, new short[] {4, 6});
        try (MqttLink gw = gateway(); NodeClient n = node(t, new NodeListener() { })) {
            announce(gw, t, 1, model, Digests.block(model), FORGER_SEED);
            assertThrows(TimeoutException.class, () -> n.awaitRound(1, Duration.ofMillis(700)));
            announce(gw, t, 1, other, Digests.block(model), GATEWAY_SEED);
            assertThrows(TimeoutException.class, () -> n.awaitRound(1, Duration.ofMillis(700)));
            assertNull(n.currentRound());
            announce(gw, t, 1, model, Digests.block(model), GATEWAY_SEED);
            assertEquals(model, n.awaitRound(1, Duration.ofSeconds(10)).model());
        }
    }

    @Test
    void aModelFrameIsTakenUnsignedOnlyWhenTheHeldSignedAnnouncementNamesItsDigest() throws Exception {
        Topics t = freshFleet();
        Bfp16Block model = Bfp16Block.of(0, new short[] {4, 5});
        Bfp16Block poison = Bfp16Block.of(9, new short[] {-7, 7});
        try (MqttLink gw = gateway(); NodeClient n = node(t, new NodeListener() { })) {
            RoundAnnouncement a = new RoundAnnouncement(t.fleet(), 3, "m", 2, Frame.maxSize(2), System.currentTimeMillis() + 10_000,
                    "krum", "common", 1, 0, Digests.block(model), "gw");
            gw.publish(t.round(), SignedText.sign(t.round(), a.toMessage().toBytes(), FrameSigner.ed25519(GATEWAY_SEED)), 1, true)
                    .waitForCompletion(5000);
            // Signed by another key, a model the announcement does not name: refused, no round.
            gw.publish(t.model(), new Frame(FrameKind.MODEL, SignatureScheme.ED25519, t.fleet(), "gw", 3, 4, "m", poison)
                    .encode(FrameSigner.ed25519(FORGER_SEED)), 1, true).waitForCompletion(5000);
            assertThrows(TimeoutException.class, () -> n.awaitRound(3, Duration.ofMillis(700)));
            assertEquals(1, n.refusedMessages());
            // Signed by another key, the very model the gateway's announcement names: that model, taken.
            gw.publish(t.model(), new Frame(FrameKind.MODEL, SignatureScheme.ED25519, t.fleet(), "gw", 3, 4, "m", model)
                    .encode(FrameSigner.ed25519(FORGER_SEED)), 1, true).waitForCompletion(5000);
            assertEquals(model, n.awaitRound(3, Duration.ofSeconds(10)).model());
            assertEquals(1, n.refusedMessages());
        }
    }

    @Test
    void refusesAnUnsignedOrForeignSignedAnnouncementAndARolledBackRound() throws Exception {
        Topics t = freshFleet();
        Bfp16Block model = Bfp16Block.of(0, new short[] {4, 5});
        Bfp16Block older = Bfp16Block.of(0, new short[] {1, 1});
        try (MqttLink gw = gateway(); NodeClient n = node(t, new NodeListener() { })) {
            byte[] frame = new Frame(FrameKind.MODEL, SignatureScheme.ED25519, t.fleet(), "gw", 2, 3, "m", model)
                    .encode(FrameSigner.ed25519(GATEWAY_SEED));
            RoundAnnouncement a = new RoundAnnouncement(t.fleet(), 2, "m", 2, Frame.maxSize(2), 0, "krum", "common", 1, 0,
                    Digests.block(model), "gw");
            gw.publish(t.model(), frame, 1, true).waitForCompletion(5000);
            gw.publish(t.round(), a.toMessage().toBytes(), 1, true).waitForCompletion(5000); // as version 1 published it: unsigned
            assertThrows(TimeoutException.class, () -> n.awaitRound(2, Duration.ofMillis(700)));
            gw.publish(t.round(), SignedText.sign(t.round(), a.toMessage().toBytes(), FrameSigner.ed25519(FORGER_SEED)), 1, true)
                    .waitForCompletion(5000);
            assertThrows(TimeoutException.class, () -> n.awaitRound(2, Duration.ofMillis(700)));
            assertEquals(2, n.refusedMessages());
            announce(gw, t, 2, model, Digests.block(model), GATEWAY_SEED);
            assertEquals(model, n.awaitRound(2, Duration.ofSeconds(10)).model());
            // The genuine model and announcement of an older round, replayed: refused, the node stays on round 2.
            announce(gw, t, 1, older, Digests.block(older), GATEWAY_SEED);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (n.refusedMessages() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(4, n.refusedMessages(), "the old model and the old announcement are both refused");
            assertEquals(2, n.currentRound().round());
            assertEquals(model, n.currentRound().model());
        }
    }

    @Test
    void aNodeWithoutAPinnedGatewayKeyIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NodeClient.builder(broker.uri(), "f", TestNodes.credentials("node-y", false)).build());
        assertTrue(e.getMessage().contains("no gateway key"), e.getMessage());
    }

    @Test
    void usesTheGatewayKeyPinnedInItsCredentialsFile(@TempDir Path dir) throws Exception {
        Topics t = freshFleet();
        Bfp16Block model = Bfp16Block.of(0, new short[] {9});
        NodeCredentials pinned = TestNodes.credentials("node-z", true).withGateway("gw", Ed25519Keys.publicKeyOf(GATEWAY_SEED));
        Path file = dir.resolve("node-z.key");
        Files.writeString(file, pinned.credentialsFile());
        NodeCredentials read = KeyFiles.readCredentials(file);
        assertEquals("gw", read.gatewayId());
        try (MqttLink gw = gateway(); NodeClient n = NodeClient.builder(broker.uri(), t.fleet(), read).build()) {
            n.connect();
            announce(gw, t, 1, model, Digests.block(model), GATEWAY_SEED);
            assertEquals(model, n.awaitRound(1, Duration.ofSeconds(10)).model());
        }
    }

    @Test
    void awaitRoundTimesOutNamingTheLatestRound() throws Exception {
        Topics t = freshFleet();
        try (NodeClient n = node(t, new NodeListener() { })) {
            TimeoutException e = assertThrows(TimeoutException.class, () -> n.awaitRound(1, Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("no round yet"), e.getMessage());
        }
    }
}
