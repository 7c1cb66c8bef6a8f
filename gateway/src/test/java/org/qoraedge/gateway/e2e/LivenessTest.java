package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.broker.EmbeddedBroker;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.testing.TestNodes;

/** Birth on connect, death by Will, and the gateway's retained status. */
class LivenessTest {
    @TempDir
    Path tmp;

    @Test
    void nodesAnnounceBirthAndTheBrokerPublishesTheirDeathAndTheGatewayStatusIsRetained() throws Exception {
        List<NodeCredentials> nodes = TestNodes.fleet("n-", 5);
        Topics topics = new Topics("live");
        GatewayConfig cfg = GatewayConfig.builder().fleet("live").keysFile(TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes))
                .dimension(4).stateDir(tmp.resolve("state")).build();
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.options().port(0))) {
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            try (MqttLink observer = new MqttLink(MqttSettings.builder(broker.uri(), "observer").build(),
                    List.of(new MqttLink.Subscription(topics.birthWildcard(), 1), new MqttLink.Subscription(topics.deathWildcard(), 1),
                            new MqttLink.Subscription(topics.gatewayStatus(), 1)),
                    (topic, msg) -> seen.add(topic + " " + TextMessage.parse(msg.getPayload()).get("state")), null, null)) {
                observer.connect();
                Gateway gw = Gateway.start(new GatewayConfig.Builder().brokerUri(broker.uri()).fleet("live")
                        .keysFile(cfg.keysFile()).dimension(4).stateDir(cfg.stateDir()).build(), Gateway.Options.external());
                assertEquals(topics.gatewayStatus() + " online", poll(seen));
                NodeClient node = NodeClient.builder(broker.uri(), "live", nodes.get(0)).gatewayKey(gw.publicKey()).build();
                node.connect();
                assertEquals(topics.birth("n-01") + " online", poll(seen));
                node.crash();
                assertEquals(topics.death("n-01") + " offline", poll(seen));
                gw.close();
                assertEquals(topics.gatewayStatus() + " offline", poll(seen));
            }
            // A late subscriber still reads the retained offline status.
            BlockingQueue<String> late = new LinkedBlockingQueue<>();
            try (MqttLink observer = new MqttLink(MqttSettings.builder(broker.uri(), "late").build(),
                    List.of(new MqttLink.Subscription(topics.gatewayStatus(), 1)),
                    (topic, msg) -> late.add(TextMessage.parse(msg.getPayload()).get("state")), null, null)) {
                observer.connect();
                assertEquals("offline", poll(late));
            }
        }
    }

    private static String poll(BlockingQueue<String> q) throws InterruptedException {
        String s = q.poll(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(s, "nothing arrived within 10 s");
        return s;
    }
}
