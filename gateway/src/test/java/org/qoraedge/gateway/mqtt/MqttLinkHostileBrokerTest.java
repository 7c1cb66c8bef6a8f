package org.qoraedge.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A real Paho client behind the link, connected over a real socket to a broker played by the test
 * that sends what killed Paho's receiver thread before: a 50 MB PUBLISH, a topic that is not
 * UTF-8, and the U+FFFD topic Moquette forwards for one. The link refuses and acknowledges each
 * (so a broker would not deliver it again), stays connected, and delivers the next message.
 */
class MqttLinkHostileBrokerTest {
    @Test
    void survivesPacketsThatKilledPahosReceiverAndAcknowledgesThem() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Set<Integer> pubacks = ConcurrentHashMap.newKeySet();
            AtomicReference<Throwable> brokerFailure = new AtomicReference<>();
            CountDownLatch allAcked = new CountDownLatch(1);
            Thread broker = new Thread(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    MqttPackets.read(in); // CONNECT
                    out.write(MqttPackets.connack());
                    MqttPackets.Packet sub = MqttPackets.read(in);
                    out.write(MqttPackets.suback(sub));
                    byte[] topic = "qora/v1/demo/update/node-01".getBytes(StandardCharsets.UTF_8);
                    long big = 50L * 1024 * 1024;
                    out.write(MqttPackets.publishHead(topic, 1, 1, big));
                    MqttPackets.writeFiller(out, big);
                    out.write(MqttPackets.publish(new byte[] {'q', '/', (byte) 0xFF}, 1, 2, "x".getBytes(StandardCharsets.UTF_8)));
                    out.write(MqttPackets.publish("qora/v1/demo/update/\uFFFD", 1, 3, "x".getBytes(StandardCharsets.UTF_8)));
                    out.write(MqttPackets.publish("qora/v1/demo/update/node-02", 1, 4, "honest".getBytes(StandardCharsets.UTF_8)));
                    out.flush();
                    while (pubacks.size() < 4) {
                        MqttPackets.Packet p = MqttPackets.read(in);
                        if (p.type() == 4) {
                            pubacks.add(p.packetId());
                        } else if (p.type() == 12) {
                            out.write(new byte[] {(byte) 0xD0, 0x00});
                        }
                    }
                    allAcked.countDown();
                    MqttPackets.read(in); // DISCONNECT at close
                } catch (Exception e) {
                    if (allAcked.getCount() > 0) {
                        brokerFailure.set(e);
                    }
                }
            }, "scripted-broker");
            broker.setDaemon(true);
            broker.start();

            List<String> delivered = new CopyOnWriteArrayList<>();
            List<String> refusals = new CopyOnWriteArrayList<>();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            MqttSettings settings = MqttSettings.builder("tcp://127.0.0.1:" + server.getLocalPort(), "hostile-test")
                    .manualAcks(true).maxInboundPublishBytes(MqttSettings.publishBytesFor(1 << 20)).build();
            MqttLink[] holder = new MqttLink[1];
            try (MqttLink link = new MqttLink(settings, List.of(new MqttLink.Subscription("qora/v1/demo/update/+", 1)),
                    (t, m) -> {
                        delivered.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8));
                        holder[0].ack(m);
                    }, null, null, new MqttLink.Events() {
                        @Override
                        public void refused(String reason, long bytes) {
                            refusals.add(reason + " " + bytes);
                        }

                        @Override
                        public boolean libraryFailed(String thread, Throwable failure) {
                            failures.add(failure);
                            return false;
                        }
                    })) {
                holder[0] = link;
                link.connect();
                assertTrue(allAcked.await(60, TimeUnit.SECONDS), "PUBACKs seen: " + pubacks + ", broker: " + brokerFailure.get());
                assertEquals(Set.of(1, 2, 3, 4), pubacks);
                assertEquals(List.of("qora/v1/demo/update/node-02 honest"), delivered);
                assertEquals(List.of("oversize " + (2 + 27 + 2 + 50L * 1024 * 1024), "bad-topic 8", "bad-topic 28"), refusals);
                assertEquals(3, link.refusedCount());
                assertTrue(link.isConnected());
                assertEquals(List.of(), failures);
                assertTrue(receiverRunsInTheLinksPool("hostile-test"), "Paho's receiver runs on the link's guarded executor");
                link.close(Duration.ofSeconds(1));
            }
        }
    }

    private static boolean receiverRunsInTheLinksPool(String clientId) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("MQTT Rec: " + clientId)) {
                return PahoExecutor.isLibraryThreadOf(t, clientId);
            }
        }
        return false;
    }
}
