package org.qoraedge.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Test;

/**
 * A real Paho client behind the link, over real sockets, against a broker played by the test
 * that drops the first connection and then serves every later one. Paho 1.2.5 queues a PUBACK
 * given to it while disconnected; its next connection's sender loop then stops before sending
 * CONNECT and the connect waits for ever (the broker, here, would see a silent socket). The link
 * must never queue such a PUBACK itself, and must get out of the stall when one is queued anyway.
 */
class MqttLinkStalledConnectTest {
    /** What the scripted broker saw on each connection: "CONNECT", or "silent" when the client closed it, or 60 s passed, without one. */
    private final List<String> connections = new CopyOnWriteArrayList<>();

    @Test
    void aConnectThatPahoWouldLeaveWaitingForEverIsAbandonedAndANewClientConnects() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                MqttLink link = new MqttLink(settings(server, "stall-test"), List.of(), (t, m) -> { }, null, null)) {
            CompletableFuture<Socket> first = serve(server);
            link.connect();
            first.get(5, TimeUnit.SECONDS).close();
            awaitTrue(() -> !link.isConnected(), Duration.ofSeconds(10), "the link saw the connection drop");
            Thread.sleep(200); // Paho has emptied its queues for the lost connection
            link.pahoClient().messageArrivedComplete(7, 1); // a PUBACK queued while disconnected

            awaitTrue(link::isConnected, Duration.ofSeconds(25), "the link connected again");
            assertEquals(1, link.abandonedConnects(), "the stalled attempt was abandoned once");
            assertEquals(1, link.replacedClients(), "with its Paho client");
            assertTrue(link.stuckLibraryThreads() >= 1, "the thread Paho left waiting is counted: " + link.stuckLibraryThreads());
            assertEquals("silent", connections.get(1), "Paho's stalled attempt never sent CONNECT: " + connections);
            assertEquals("CONNECT", connections.get(connections.size() - 1), connections.toString());
        }
    }

    @Test
    void anAckWhileDisconnectedIsNotQueuedSoTheReconnectDoesNotStall() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                MqttLink link = new MqttLink(settings(server, "ack-test"), List.of(), (t, m) -> { }, null, null)) {
            CompletableFuture<Socket> first = serve(server);
            link.connect();
            first.get(5, TimeUnit.SECONDS).close();
            awaitTrue(() -> !link.isConnected(), Duration.ofSeconds(10), "the link saw the connection drop");
            Thread.sleep(200);
            MqttMessage received = new MqttMessage(new byte[] {1});
            received.setQos(1);
            received.setId(7);
            link.ack(received);
            assertEquals(1, link.acksWhileDisconnected());

            awaitTrue(link::isConnected, Duration.ofSeconds(10), "the link connected again");
            assertEquals(0, link.abandonedConnects());
            assertEquals(List.of("CONNECT", "CONNECT"), connections);
        }
    }

    /** What a node does when a publish stays unacknowledged on a connection Paho says is up. */
    @Test
    void restartReplacesAConnectedClientWithANewOneThatConnects() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                MqttLink link = new MqttLink(settings(server, "restart-test"), List.of(), (t, m) -> { }, null, null)) {
            serve(server);
            link.connect();
            MqttAsyncClient first = link.pahoClient();
            link.restart("the test asks for it");
            awaitTrue(() -> link.replacedClients() == 1 && link.isConnected(), Duration.ofSeconds(10), "a new client connected");
            assertTrue(first != link.pahoClient(), "a new Paho client");
            assertTrue(!first.isConnected(), "the old one is disconnected");
            assertEquals(List.of("CONNECT", "CONNECT"), connections);
        }
    }

    private static MqttSettings settings(ServerSocket server, String clientId) {
        return MqttSettings.builder("tcp://127.0.0.1:" + server.getLocalPort(), clientId).manualAcks(true).cleanSession(false)
                .build();
    }

    /**
     * Serves connections in the background: CONNACK to each CONNECT, PINGRESP to each PINGREQ.
     *
     * @return the first connection once accepted (the test drops it)
     */
    private CompletableFuture<Socket> serve(ServerSocket server) {
        CompletableFuture<Socket> first = new CompletableFuture<>();
        Thread broker = new Thread(() -> {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                first.complete(s);
                Thread conn = new Thread(() -> session(s), "scripted-broker-session");
                conn.setDaemon(true);
                conn.start();
            }
        }, "scripted-broker");
        broker.setDaemon(true);
        broker.start();
        return first;
    }

    private void session(Socket s) {
        int index;
        synchronized (connections) {
            index = connections.size();
            connections.add("silent");
        }
        try (s) {
            s.setSoTimeout(60_000); // longer than the test waits: like a real broker, slow to drop a silent socket
            InputStream in = s.getInputStream();
            MqttPackets.Packet connect = MqttPackets.read(in);
            if (connect.type() != 1) {
                connections.set(index, "type " + connect.type());
                return;
            }
            connections.set(index, "CONNECT");
            s.setSoTimeout(0);
            s.getOutputStream().write(MqttPackets.connack());
            while (true) {
                MqttPackets.Packet p = MqttPackets.read(in);
                if (p.type() == 12) {
                    s.getOutputStream().write(new byte[] {(byte) 0xD0, 0x00});
                } else if (p.type() == 14) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            // nothing came: stays "silent"
        } catch (IOException e) {
            // closed by the client or by the test
        }
    }

    private static void awaitTrue(BooleanSupplier condition, Duration max, String what) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting until " + what);
            Thread.sleep(20);
        }
    }
}
