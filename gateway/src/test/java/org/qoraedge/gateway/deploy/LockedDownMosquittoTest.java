package org.qoraedge.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.daemon.GatewayMain;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TestNodes;
import org.qoraedge.gateway.testing.TlsFiles;
import picocli.CommandLine;

/**
 * A real Mosquitto 2.0.11 started from what {@code mosquitto-config} wrote, with clients speaking
 * MQTT 3.1.1 through Paho: the broker, not the gateway, keeps anonymous clients out, keeps each
 * node to its own topics, keeps the gateway's retained topics the gateway's, and drops a PUBLISH
 * above {@code max_packet_size} while the largest legal one passes.
 */
class LockedDownMosquittoTest {
    private static final String FLEET = "lock";
    private static final int DIMENSION = 1000;

    @TempDir
    Path tmp;

    private final List<MqttClient> clients = new ArrayList<>();
    private MosquittoBroker broker;
    private String uri;
    private Properties gatewayCredentials;
    private final Topics topics = new Topics(FLEET);
    private final NodeCredentials nodeA = TestNodes.credentials("node-a", false);
    private final NodeCredentials nodeB = TestNodes.credentials("node-b", true);
    private SocketFactory tlsSockets;

    @AfterEach
    void stop() {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnect(1000);
                }
            } catch (MqttException ignored) {
                // already gone (the broker dropped it on purpose)
            }
            try {
                c.close(true);
            } catch (MqttException ignored) {
                // closing a dropped client
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Writes a fleet (node-a, node-b), runs mosquitto-config with {@code extra} options and starts the broker from its output. */
    private Path deploy(String... extra) throws Exception {
        MosquittoBroker.requireBinary();
        Path reg = TestNodes.writeRegistry(tmp.resolve("keys.txt"), List.of(nodeA, nodeB));
        Path cfg = tmp.resolve("gateway.properties");
        Files.writeString(cfg, "fleet = " + FLEET + "\nkeys.file = " + reg.getFileName() + "\nmodel.id = m\nmodel.dimension = " + DIMENSION
                + "\naudit.maxFrames = 20\n");
        int port = MosquittoBroker.freePort();
        List<String> args = new ArrayList<>(List.of("mosquitto-config", "--config", cfg.toString(), "--out-dir", tmp.resolve("out").toString(),
                "--port", Integer.toString(port), "--persistence-dir", tmp.resolve("persist").toString()));
        args.addAll(List.of(extra));
        StringWriter err = new StringWriter();
        CommandLine cl = GatewayMain.commandLine();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());
        Files.createDirectories(tmp.resolve("persist"));
        gatewayCredentials = properties(tmp.resolve("out").resolve(MosquittoDeployment.GATEWAY_CREDENTIALS));
        Path conf = tmp.resolve("out").resolve(MosquittoDeployment.CONF);
        broker = MosquittoBroker.startFromConfig(tmp.resolve("broker"), Files.readString(conf), port);
        return conf;
    }

    private static Properties properties(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    private String password(String node) throws IOException {
        return properties(tmp.resolve("out").resolve(MosquittoDeployment.NODES_DIR).resolve(node + ".mqtt")).getProperty("password");
    }

    private MqttClient connect(String clientId, String user, String password) throws MqttException {
        MqttClient c = new MqttClient(uri, clientId, new MemoryPersistence());
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password.toCharArray());
        }
        if (tlsSockets != null) {
            o.setSocketFactory(tlsSockets);
        }
        c.connect(o);
        return c;
    }

    private MqttClient gateway() throws MqttException {
        return connect("qora-gateway-" + FLEET, gatewayCredentials.getProperty("broker.username"), gatewayCredentials.getProperty("broker.password"));
    }

    private MqttClient node(NodeCredentials n) throws MqttException, IOException {
        return connect("qora-node-" + FLEET + "-" + n.nodeId(), n.nodeId(), password(n.nodeId()));
    }

    private record Received(String topic, byte[] payload, boolean retained) {
    }

    /** Subscribes {@code c} to {@code filters} (QoS 1), checks the broker granted them, and returns what arrives. */
    private static BlockingQueue<Received> subscribe(MqttClient c, String... filters) throws MqttException {
        BlockingQueue<Received> q = new LinkedBlockingQueue<>();
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                // tests look at isConnected()
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                q.add(new Received(topic, message.getPayload(), message.isRetained()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // nothing to do
            }
        });
        int[] qos = new int[filters.length];
        Arrays.fill(qos, 1);
        IMqttToken t = c.subscribeWithResponse(filters, qos);
        for (int g : t.getGrantedQos()) {
            assertEquals(1, g, "the broker refused a subscription of " + List.of(filters));
        }
        return q;
    }

    private static void publish(MqttClient c, String topic, byte[] payload, boolean retained) throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(retained);
        c.publish(topic, m);
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertNothingMore(BlockingQueue<Received> q) throws InterruptedException {
        Received r = q.poll(300, TimeUnit.MILLISECONDS);
        assertNull(r, () -> "unexpected message on " + r.topic() + ": " + new String(r.payload(), StandardCharsets.UTF_8));
    }

    @Test
    void anonymousClientsAndWrongPasswordsAreRefused() throws Exception {
        deploy("--plain-loopback");
        uri = "tcp://127.0.0.1:" + broker.port();
        MqttSecurityException anon = assertThrows(MqttSecurityException.class, () -> connect("anon", null, null));
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, anon.getReasonCode());
        MqttSecurityException wrong = assertThrows(MqttSecurityException.class, () -> connect("wrong", "node-a", "not-its-password"));
        assertTrue(wrong.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                || wrong.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED, wrong.toString());
        // node-b's password does not open node-a's account
        assertThrows(MqttSecurityException.class, () -> connect("swap", "node-a", password("node-b")));
        // while the generated passwords (hashed by this JDK, $7$ PBKDF2-SHA512) are accepted
        assertTrue(node(nodeA).isConnected());
        assertTrue(gateway().isConnected());
    }

    @Test
    void aNodePublishesOnlyOnItsOwnTopicsAndReadsOnlyWhatIsMeantForIt() throws Exception {
        deploy("--plain-loopback");
        uri = "tcp://127.0.0.1:" + broker.port();
        BlockingQueue<Received> atGateway = subscribe(gateway(), topics.updateWildcard(), topics.birthWildcard(), topics.deathWildcard());
        MqttClient b = node(nodeB);
        BlockingQueue<Received> atB = subscribe(b, topics.reject("node-b"));
        MqttClient a = node(nodeA);

        // node-a impersonating node-b: the broker acknowledges (MQTT 3.1.1 has no way to say no) and drops
        publish(a, topics.update("node-b"), text("forged update"), false);
        publish(a, topics.birth("node-b"), text("node=node-b\nstate=online\n"), false);
        publish(a, topics.death("node-b"), text("node=node-b\nstate=offline\n"), false);
        publish(a, topics.reject("node-b"), text("forged rejection"), false);
        // its own topics pass; arriving after the forged ones proves those were dropped, not late
        Frame f = new Frame(FrameKind.UPDATE, nodeA.scheme(), FLEET, "node-a", 1, 1, "m", TestNodes.update("node-a", 1, DIMENSION, false));
        byte[] frame = f.encode(nodeA.signer());
        publish(a, topics.update("node-a"), frame, false);
        publish(a, topics.birth("node-a"), text("node=node-a\nstate=online\n"), false);
        Received first = atGateway.poll(10, TimeUnit.SECONDS);
        assertNotNull(first, "node-a's own update did not arrive");
        assertEquals(topics.update("node-a"), first.topic());
        assertArrayEquals(frame, first.payload());
        assertEquals("node-a", FrameCodec.decode(first.payload(), Frame.maxSize(DIMENSION), nodeA.verifyingKey()).nodeId());
        assertEquals(topics.birth("node-a"), atGateway.poll(10, TimeUnit.SECONDS).topic());
        assertNothingMore(atGateway);
        assertNothingMore(atB);

        // A node cannot read other nodes' updates or rejections: Mosquitto 2.0.11 grants a wildcard
        // subscription but checks the ACL again for every message it would deliver.
        MqttClient spy = node(nodeA);
        BlockingQueue<Received> atSpy = subscribeAnyway(spy, topics.updateWildcard(), topics.reject("node-b"), topics.birthWildcard());
        publish(b, topics.update("node-b"), text("node-b's update"), false);
        publish(gateway2(), topics.reject("node-b"), text("protocol=1\nreason=wrong-round\n"), false);
        assertEquals(topics.update("node-b"), atGateway.poll(10, TimeUnit.SECONDS).topic());
        assertEquals(topics.reject("node-b"), atB.poll(10, TimeUnit.SECONDS).topic());
        assertNothingMore(atSpy);
    }

    /** A second gateway-user connection (another client id: the first holds the subscription). */
    private MqttClient gateway2() throws MqttException {
        return connect("qora-gateway-" + FLEET + "-2", gatewayCredentials.getProperty("broker.username"),
                gatewayCredentials.getProperty("broker.password"));
    }

    /** Subscribes whatever the broker grants (a refused filter, 0x80, receives nothing either). */
    private static BlockingQueue<Received> subscribeAnyway(MqttClient c, String... filters) throws MqttException {
        BlockingQueue<Received> q = new LinkedBlockingQueue<>();
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                // not expected here; the assertions notice missing messages
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                q.add(new Received(topic, message.getPayload(), message.isRetained()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // nothing to do
            }
        });
        for (String f : filters) {
            try {
                c.subscribe(f, 1);
            } catch (MqttException refused) {
                assertEquals(MqttException.REASON_CODE_SUBSCRIBE_FAILED, refused.getReasonCode(), refused.toString());
            }
        }
        return q;
    }

    @Test
    void onlyTheGatewaySetsTheRetainedRoundModelAndStatus() throws Exception {
        deploy("--plain-loopback");
        uri = "tcp://127.0.0.1:" + broker.port();
        MqttClient gw = gateway();
        publish(gw, topics.round(), text("protocol=1\nround=1\n"), true);
        publish(gw, topics.model(), text("model of round 1"), true);
        publish(gw, topics.gatewayStatus(), text("protocol=1\nstate=online\n"), true);
        publish(gw, topics.audit(), text("{}"), false);
        publish(gw, topics.reject("node-a"), text("protocol=1\nreason=wrong-round\n"), false);

        MqttClient a = node(nodeA);
        for (String t : List.of(topics.round(), topics.model(), topics.gatewayStatus())) {
            publish(a, t, text("forged by node-a"), true);
            publish(a, t, new byte[0], true); // an empty retained message would clear it
            publish(a, t, text("forged by node-a, not retained"), false);
        }
        publish(a, topics.audit(), text("forged audit"), false);

        MqttClient b = node(nodeB);
        BlockingQueue<Received> atB = subscribe(b, topics.round(), topics.model(), topics.gatewayStatus());
        List<Received> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Received r = atB.poll(10, TimeUnit.SECONDS);
            assertNotNull(r, "retained messages missing: " + got);
            got.add(r);
        }
        for (Received r : got) {
            assertTrue(r.retained());
            String s = new String(r.payload(), StandardCharsets.UTF_8);
            String expected = r.topic().equals(topics.round()) ? "protocol=1\nround=1\n" : r.topic().equals(topics.model())
                    ? "model of round 1" : "protocol=1\nstate=online\n";
            assertEquals(expected, s, r.topic());
        }
        // and node-a's non-retained forgeries reach no live subscriber either
        publish(a, topics.round(), text("forged, live"), false);
        assertNothingMore(atB);
        // the gateway updates them
        publish(gw, topics.round(), text("protocol=1\nround=2\n"), true);
        Received r2 = atB.poll(10, TimeUnit.SECONDS);
        assertNotNull(r2);
        assertEquals("protocol=1\nround=2\n", new String(r2.payload(), StandardCharsets.UTF_8));
    }

    @Test
    void aPublishAboveMaxPacketSizeIsDroppedAndItsSenderDisconnectedWhileTheLargestLegalOnePasses() throws Exception {
        Path conf = deploy("--plain-loopback");
        uri = "tcp://127.0.0.1:" + broker.port();
        long limit = Files.readAllLines(conf).stream().filter(l -> l.startsWith("max_packet_size ")).mapToLong(l -> Long.parseLong(l.substring(16)))
                .findFirst().orElseThrow();
        BrokerLimits expected = BrokerLimits.of(FLEET, List.of("node-a", "node-b"), DIMENSION, 20);
        assertEquals(expected.maxPacketSize(), limit);
        assertTrue(limit >= Frame.maxUpdateSize(DIMENSION) + BrokerLimits.PUBLISH_OVERHEAD + topics.update("node-a").length());

        BlockingQueue<Received> atGateway = subscribe(gateway(), topics.updateWildcard());
        String topic = topics.update("node-a");
        // Mosquitto 2.0.11 refuses a packet when 1 + remaining length > max_packet_size; a QoS 1
        // PUBLISH's remaining length is 2 + topic + 2 (packet id) + payload.
        int atLimit = (int) (limit - 1 - 2 - topic.length() - 2);
        MqttClient a = node(nodeA);
        publish(a, topic, new byte[atLimit], false);
        Received r = atGateway.poll(10, TimeUnit.SECONDS);
        assertNotNull(r, "a PUBLISH of exactly max_packet_size did not arrive");
        assertEquals(atLimit, r.payload().length);

        MqttException dropped = assertThrows(MqttException.class, () -> publish(a, topic, new byte[atLimit + 1], false));
        assertEquals(MqttException.REASON_CODE_CONNECTION_LOST, dropped.getReasonCode(), dropped.toString());
        assertFalse(a.isConnected(), "the broker kept the client that sent an oversized packet");

        // a new connection works, and what arrives next is its message, not the oversized one
        publish(node(nodeA), topic, text("after"), false);
        Received next = atGateway.poll(10, TimeUnit.SECONDS);
        assertNotNull(next);
        assertEquals("after", new String(next.payload(), StandardCharsets.UTF_8));
        assertNothingMore(atGateway);
    }

    @Test
    void theGatewayAndTheNodeClientRunARoundUnderTheGeneratedAcl() throws Exception {
        deploy("--plain-loopback");
        uri = "tcp://127.0.0.1:" + broker.port();
        BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
        GatewayConfig cfg = GatewayConfig.builder().brokerUri(uri).fleet(FLEET)
                .keysFile(tmp.resolve("keys.txt")).aggregator(AggregatorKind.MEAN).minUpdates(2)
                .modelId("m").dimension(DIMENSION).maxRounds(2).stateDir(tmp.resolve("state"))
                .credentials(gatewayCredentials.getProperty("broker.username"), gatewayCredentials.getProperty("broker.password")).build();
        try (Gateway gw = Gateway.start(cfg,
                Gateway.Options.external().listener(reports::add))) {
            List<NodeClient> nodes = new ArrayList<>();
            try {
                for (NodeCredentials n : List.of(nodeA, nodeB)) {
                    NodeClient c = NodeClient.builder(uri, FLEET, n)
                            .credentials(n.nodeId(), password(n.nodeId()).toCharArray()).gatewayKey(gw.publicKey()).build();
                    nodes.add(c);
                    c.connect();
                }
                // node-a also tries to speak for node-b: the broker drops it, so the gateway sees no forged frame
                nodes.get(0).publishRaw(topics.update("node-b"), new byte[64]);
                for (int i = 0; i < 2; i++) {
                    NodeClient c = nodes.get(i);
                    NodeCredentials n = i == 0 ? nodeA : nodeB;
                    c.publishUpdate(c.awaitRound(1, Duration.ofSeconds(20)), TestNodes.update(n.nodeId(), 1, DIMENSION, false));
                }
                RoundReport r = reports.poll(20, TimeUnit.SECONDS);
                assertNotNull(r, "the round did not close");
                assertTrue(r.aggregated(), r.failure());
                assertEquals(List.of("node-a", "node-b"), r.acceptedIds());
                assertEquals(0, r.rejectedTotal(), r.rejectedSummary());
                // the gateway's publishes (model and announcement of round 2, audit record) passed the ACL and the size limit
                assertEquals(2, nodes.get(1).awaitRound(2, Duration.ofSeconds(20)).round());
            } finally {
                for (NodeClient c : nodes) {
                    c.close();
                }
            }
        }
    }

    @Test
    void overTlsAnonymousIsRefusedAndANodeReachesTheGateway() throws Exception {
        MosquittoBroker.requireBinary();
        TlsFiles tls = TlsFiles.create(tmp.resolve("tls"));
        deploy("--tls-cert", tls.certPem.toString(), "--tls-key", tls.keyPem.toString(), "--bind", "127.0.0.1");
        assertTrue(Files.readString(tmp.resolve("out").resolve(MosquittoDeployment.CONF)).contains("certfile " + tls.certPem));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.trustStore)) {
            trust.load(in, TlsFiles.PASSWORD);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        tlsSockets = ctx.getSocketFactory();
        uri = "ssl://127.0.0.1:" + broker.port();

        assertThrows(MqttSecurityException.class, () -> connect("anon", null, null));
        BlockingQueue<Received> atGateway = subscribe(gateway(), topics.updateWildcard());
        MqttClient a = node(nodeA);
        publish(a, topics.update("node-b"), text("forged"), false);
        publish(a, topics.update("node-a"), text("own"), false);
        Received r = atGateway.poll(10, TimeUnit.SECONDS);
        assertNotNull(r);
        assertEquals(topics.update("node-a"), r.topic());
        assertNothingMore(atGateway);
    }
}
