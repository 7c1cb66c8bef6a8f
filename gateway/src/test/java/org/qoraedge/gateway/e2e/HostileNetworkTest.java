package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.broker.EmbeddedBroker;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SignedText;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.RawMqtt;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * What an anonymous client on the broker did to the gateway before, done again against a real
 * broker: one 50 MB PUBLISH (a daemon with 64 MiB of heap, on Mosquitto), a topic that is not
 * UTF-8 (embedded broker), a forged, rolled-back and cleared set of retained topics, and a flood
 * of frames under unregistered ids (Mosquitto). Each time, honest rounds go on aggregating.
 */
class HostileNetworkTest {
    private static final int D = 16;
    private static final String FLEET = "hostile";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Topics T = new Topics(FLEET);

    @TempDir
    Path tmp;

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 5);
    private final BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();

    private GatewayConfig config(String uri) throws Exception {
        Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes);
        return GatewayConfig.builder().brokerUri(uri).fleet(FLEET).keysFile(keys).aggregator(AggregatorKind.MULTI_KRUM).f(1)
                .modelId("m").dimension(D).deadline(WAIT).stateDir(tmp.resolve("state")).build();
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

    /** Every node trains round {@code r} from the model it was given; returns the model they started from. */
    private static Bfp16Block playRound(List<NodeClient> clients, long r) throws Exception {
        Bfp16Block model = null;
        for (NodeClient n : clients) {
            RoundStart s = n.awaitRound(r, WAIT);
            assertEquals(r, s.round(), n.nodeId() + " is in round " + s.round());
            model = s.model();
            n.publishUpdate(s, TestNodes.update(n.nodeId(), r, D, false));
        }
        return model;
    }

    private RoundReport aggregated(long r) throws InterruptedException {
        RoundReport rep = reports.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(rep, "round " + r + " did not close");
        assertEquals(r, rep.round());
        assertTrue(rep.aggregated(), "round " + r + ": " + rep.failure());
        assertEquals(5, rep.acceptedIds().size(), "every honest update of round " + r);
        return rep;
    }

    private static void closeAll(List<NodeClient> clients) {
        for (NodeClient n : clients) {
            n.close();
        }
    }

    @Test
    void aFiftyMegabytePublishDoesNotSilenceADaemonWith64MiBOfHeap() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"))) {
            Path props = tmp.resolve("gateway.properties");
            TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes);
            Files.writeString(props, "broker.uri = " + mosquitto.uri() + "\nfleet = " + FLEET + "\nkeys.file = keys.txt\n"
                    + "aggregator = multi-krum\nf = 1\nmodel.id = m\nmodel.dimension = " + D + "\nround.deadlineMillis = 30000\n"
                    + "state.dir = state\n");
            byte[] gatewayKey = Gateway.publicKey(GatewayConfig.load(props));
            Path log = tmp.resolve("gateway.log");
            Process daemon = daemon(props, log);
            List<NodeClient> clients = new ArrayList<>();
            try {
                clients = connect(mosquitto.uri(), gatewayKey);
                playRound(clients, 1);
                clients.get(0).awaitRound(2, WAIT);
                MqttClient attacker = new MqttClient(mosquitto.uri(), "attacker", new MemoryPersistence());
                MqttConnectOptions o = new MqttConnectOptions();
                o.setCleanSession(true);
                attacker.connect(o);
                byte[] huge = new byte[50 * 1024 * 1024];
                attacker.publish(T.update("node-01"), huge, 1, false); // waits for the broker's PUBACK
                attacker.disconnect();
                attacker.close();
                playRound(clients, 2);
                playRound(clients, 3);
                clients.get(0).awaitRound(4, WAIT);
                assertTrue(daemon.isAlive(), "the daemon runs");
                String out = Files.readString(log);
                out = out + "\n--- mosquitto log ---\n" + Files.readString(tmp.resolve("mosquitto").resolve("mosquitto.log"));
                assertTrue(out.contains("refused a " + (2 + T.update("node-01").length() + 2 + huge.length)
                        + "-byte PUBLISH from the broker before decoding it: oversize"), out);
                assertTrue(out.contains("round 2 aggregated: 5 of 5 expected, rejected none, dropped 0, refused before decoding 1,")
                        || out.matches("(?s).*round 2 aggregated: 5 of 5 expected, rejected [^,]*, dropped 0, refused before decoding 1,.*"),
                        "the round's log line counts the refusal: " + out);
                assertFalse(out.contains("OutOfMemoryError"), out);
                assertFalse(out.contains("died"), out);

                // The refused PUBLISH was acknowledged: a restarted daemon on the same persistent session
                // does not get it again (no poison loop), and round 4 aggregates.
                daemon.destroy();
                assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
                Path log2 = tmp.resolve("gateway-2.log");
                daemon = daemon(props, log2);
                playRound(clients, 4);
                clients.get(0).awaitRound(5, WAIT);
                String out2 = Files.readString(log2);
                assertTrue(out2.contains("round 4 aggregated"), out2);
                assertFalse(out2.contains("refused a "), "delivered again after the restart: " + out2);
            } finally {
                closeAll(clients);
                daemon.destroy();
                daemon.waitFor(30, TimeUnit.SECONDS);
                daemon.destroyForcibly();
            }
        }
    }

    private static Process daemon(Path props, Path log) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-XX:+ExitOnOutOfMemoryError", "-Dtinylog.configuration=tinylog.properties", "-cp",
                System.getProperty("java.class.path"), "org.qoraedge.gateway.daemon.GatewayMain", "run", "--config", props.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Finding 2 was made on Moquette, which forwarded a non-UTF-8 topic with U+FFFD to a wildcard
     * subscriber; that delivery itself is replayed byte for byte by MqttLinkHostileBrokerTest's
     * scripted broker. Here, against the embedded Mosquitto (which refuses such a topic), the
     * gateway must not notice. Not run on Moquette: its own reference-counting bugs (issue 961)
     * fail a test now and then whatever our code does (docs/BROKER.md).
     */
    @Test
    void aTopicThatIsNotUtf8CostsTheGatewayNothing() throws Exception {
        MosquittoBroker.requireBinary();
        EmbeddedBroker.Engine engine = EmbeddedBroker.Engine.MOSQUITTO;
        try (Gateway gw = Gateway.start(config("tcp://127.0.0.1:1"), Gateway.Options.embeddedBroker().embeddedPort(0)
                .embeddedEngine(engine).listener(reports::add))) {
            List<NodeClient> clients = connect(gw.brokerUri(), gw.publicKey());
            try {
                playRound(clients, 1);
                aggregated(1);
                byte[] prefix = ("qora/v1/" + FLEET + "/update/").getBytes(StandardCharsets.UTF_8);
                byte[] bad = Arrays.copyOf(prefix, prefix.length + 2);
                bad[prefix.length] = (byte) 0xFF;
                bad[prefix.length + 1] = (byte) 0xFE;
                byte[] ffd = ("qora/v1/" + FLEET + "/update/\uFFFD").getBytes(StandardCharsets.UTF_8);
                for (byte[] topic : new byte[][] {bad, ffd}) {
                    try (RawMqtt raw = RawMqtt.connect(gw.broker().port(), "raw-attacker", true, 5000)) {
                        raw.publishQos0(topic, "x".getBytes(StandardCharsets.UTF_8));
                        raw.alive();
                    } catch (IOException refusedByTheBroker) {
                        // Mosquitto closes the connection of a client that sends a topic that is not UTF-8
                    }
                }
                playRound(clients, 2);
                aggregated(2);
                playRound(clients, 3);
                aggregated(3);
                assertEquals(0, gw.status().rejected(), "nothing reached the round");
                assertEquals(0, gw.status().dropped());
            } finally {
                closeAll(clients);
            }
        }
    }

    @Test
    void forgedRolledBackAndClearedRetainedTopicsAreRefusedByNodesAndRestoredByTheGateway() throws Exception {
        try (Gateway gw = Gateway.start(config("tcp://127.0.0.1:1"), Gateway.Options.embeddedBroker().embeddedPort(0)
                .listener(reports::add))) {
            String uri = gw.brokerUri();
            Map<String, byte[]> round1 = new ConcurrentHashMap<>();
            try (MqttLink recorder = new MqttLink(MqttSettings.builder(uri, "recorder").build(),
                    List.of(new MqttLink.Subscription(T.round(), 1), new MqttLink.Subscription(T.model(), 1)),
                    (t, m) -> round1.putIfAbsent(t, m.getPayload()), null, null)) {
                recorder.connect();
                List<NodeClient> clients = connect(uri, gw.publicKey());
                try {
                    clients.get(0).awaitRound(1, WAIT);
                    assertEquals(2, round1.size());
                    // 1. An attacker's own key in the status, and an attacker-signed model and announcement.
                    byte[] evilSeed = new byte[32];
                    evilSeed[0] = 66;
                    FrameSigner evil = FrameSigner.ed25519(evilSeed);
                    Bfp16Block poison = Bfp16Block.of(10, new short[D]);
                    byte[] evilModel = new Frame(FrameKind.MODEL, SignatureScheme.ED25519, FLEET, "gateway", 1, 2, "m", poison)
                            .encode(evil);
                    byte[] evilRound = SignedText.sign(T.round(), new RoundAnnouncement(FLEET, 1, "m", D, Frame.maxSize(D), 0,
                            "multi-krum", "common", 1, 0, Digests.block(poison), "gateway").toMessage().toBytes(), evil);
                    byte[] evilStatus = SignedText.sign(T.gatewayStatus(), TextMessage.builder().put("protocol", 1)
                            .put("state", "online").put("gateway", "gateway").put("fleet", FLEET)
                            .put("publicKey", HexFormat.of().formatHex(Ed25519Keys.publicKeyOf(evilSeed))).build().toBytes(),
                            evil);
                    try (MqttLink attacker = new MqttLink(MqttSettings.builder(uri, "attacker").build(), List.of(), (t, m) -> { },
                            null, null)) {
                        attacker.connect();
                        attacker.publish(T.gatewayStatus(), evilStatus, 1, true).waitForCompletion(5000);
                        attacker.publish(T.model(), evilModel, 1, true).waitForCompletion(5000);
                        attacker.publish(T.round(), evilRound, 1, true).waitForCompletion(5000);
                        awaitRestored(gw, 3);
                        Bfp16Block trained = playRound(clients, 1);
                        assertEquals(gw.status().modelDigest(), Digests.block(trained), "the nodes trained on the gateway's model");
                        aggregated(1);
                        for (NodeClient n : clients) {
                            assertTrue(n.refusedMessages() >= 2, n.nodeId() + " refused the forged model and announcement");
                        }
                        // A node that connects after the attack gets the gateway's own retained topics back.
                        assertNewNodeSeesTheGatewaysRound(uri, gw, 2);

                        // 2. The genuine messages of round 1 replayed in round 2: a rollback, refused.
                        clients.get(0).awaitRound(2, WAIT);
                        long before = clients.get(1).refusedMessages();
                        attacker.publish(T.model(), round1.get(T.model()), 1, true).waitForCompletion(5000);
                        attacker.publish(T.round(), round1.get(T.round()), 1, true).waitForCompletion(5000);
                        awaitRestored(gw, 5);
                        playRound(clients, 2);
                        aggregated(2);
                        assertTrue(clients.get(1).refusedMessages() >= before + 2, "the replayed round 1 was refused as a rollback");
                        assertNewNodeSeesTheGatewaysRound(uri, gw, 3);

                        // 3. The retained topics cleared with empty payloads: restored at once.
                        attacker.publish(T.model(), new byte[0], 1, true).waitForCompletion(5000);
                        attacker.publish(T.round(), new byte[0], 1, true).waitForCompletion(5000);
                        awaitRestored(gw, 7);
                        assertNewNodeSeesTheGatewaysRound(uri, gw, 3);
                        playRound(clients, 3);
                        aggregated(3);
                    }
                } finally {
                    closeAll(clients);
                }
            }
        }
    }

    private static void awaitRestored(Gateway gw, long count) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (gw.retainedRestored() < count && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(count, gw.retainedRestored(), "overwrites restored by the gateway");
    }

    private void assertNewNodeSeesTheGatewaysRound(String uri, Gateway gw, long round) throws Exception {
        NodeCredentials late = nodes.get(4);
        try (NodeClient n = NodeClient.builder(uri, FLEET, late).clientId("late-" + round + "-" + System.nanoTime())
                .gatewayKey(gw.publicKey()).build()) {
            n.connect();
            RoundStart s = n.awaitRound(round, WAIT);
            assertEquals(round, s.round());
            assertEquals(0, n.refusedMessages(), "only the gateway's own retained messages are left");
        }
    }

    @Test
    void aFloodUnderUnregisteredIdsNeverReachesTheGateway() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"), "allow_anonymous true\nmax_queued_messages 1000\n");
                Gateway gw = Gateway.start(config(mosquitto.uri()), Gateway.Options.external().listener(reports::add))) {
            List<NodeClient> clients = connect(mosquitto.uri(), gw.publicKey());
            try {
                playRound(clients, 1);
                aggregated(1);
                clients.get(0).awaitRound(2, WAIT);
                NodeCredentials sybil = TestNodes.credentials("sybil", false);
                long t0 = System.nanoTime();
                try (RawMqtt raw = RawMqtt.connect(mosquitto.port(), "flooder", true, 5000)) {
                    for (int i = 0; i < 10_000; i++) {
                        String id = "sybil-" + i;
                        byte[] frame = new Frame(FrameKind.UPDATE, SignatureScheme.HMAC_SHA256, FLEET, id, 2, i + 1, "m",
                                TestNodes.update(id, 2, D, true)).encode(sybil.signer());
                        raw.publishQos0(T.update(id).getBytes(StandardCharsets.UTF_8), frame);
                    }
                    assertTrue(raw.alive());
                }
                System.out.printf(Locale.ROOT, "flood: 10000 frames under unregistered ids in %.2f s%n",
                        (System.nanoTime() - t0) / 1e9);
                playRound(clients, 2);
                aggregated(2);
                assertEquals(0, gw.status().rejected(), "no flooded frame reached the gateway");
                assertEquals(0, gw.status().dropped(), "and nothing was dropped");
            } finally {
                closeAll(clients);
            }
        }
    }
}
