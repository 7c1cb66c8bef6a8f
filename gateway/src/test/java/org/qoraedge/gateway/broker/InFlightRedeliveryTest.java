package org.qoraedge.gateway.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.RawMqtt;
import org.tinylog.Logger;

/**
 * The gateway's restart, at the packet level: it received three QoS 1 updates, died before
 * acknowledging them (not yet journaled), two more were published while it was away, and it
 * reconnects to its persistent session. The broker must deliver all five again. (Moquette 0.17
 * does not: docs/BROKER.md. That is not pinned here: what Moquette does then also depends on
 * timing, as a CI run showed when it closed the connection at once, and a test must not fail on a
 * dependency's behaviour.)
 */
class InFlightRedeliveryTest {
    @Test
    void mosquittoRedeliversWhatWasInFlightWhenThePersistentSessionComesBack() throws Exception {
        MosquittoBroker.requireBinary();
        try (EmbeddedBroker b = EmbeddedBroker.start(EmbeddedBroker.options().port(0).engine(EmbeddedBroker.Engine.MOSQUITTO))) {
            assertEquals(Set.of("m1", "m2", "m3", "m4", "m5"), restartWithUpdatesInFlight(b.port()));
        }
    }

    private static Set<String> restartWithUpdatesInFlight(int port) throws IOException, InterruptedException {
        RawMqtt gateway = RawMqtt.connect(port, "inflight-gateway", false, 5000);
        gateway.subscribe("inflight/u", 1);
        try (RawMqtt node = RawMqtt.connect(port, "inflight-node", true, 5000)) {
            for (int i = 1; i <= 3; i++) {
                node.publish("inflight/u", i, "m" + i, false);
                assertEquals(RawMqtt.PUBACK, node.read().type());
            }
            for (int i = 1; i <= 3; i++) {
                assertEquals(RawMqtt.PUBLISH, gateway.read().type(), "the gateway receives m" + i);
            }
            gateway.close(); // dies before acknowledging them
            Thread.sleep(500);
            for (int i = 4; i <= 5; i++) {
                node.publish("inflight/u", i, "m" + i, false);
                assertEquals(RawMqtt.PUBACK, node.read().type(), "the broker accepts m" + i);
            }
        }
        // The restarted gateway: same client id, persistent session; Moquette resends in-flight messages after 5 s.
        Set<String> got = new TreeSet<>();
        List<RawMqtt.Packet> packets = new ArrayList<>();
        try (RawMqtt restarted = RawMqtt.connect(port, "inflight-gateway", false, 8000)) {
            while (true) {
                RawMqtt.Packet p;
                try {
                    p = restarted.read();
                } catch (SocketTimeoutException quiet) {
                    break;
                }
                packets.add(p);
                if (p.type() == RawMqtt.PUBLISH) {
                    got.add(p.payload());
                    restarted.puback(p.packetId());
                }
            }
        }
        Logger.info("after the restart the gateway received {}", packets);
        return got;
    }
}
