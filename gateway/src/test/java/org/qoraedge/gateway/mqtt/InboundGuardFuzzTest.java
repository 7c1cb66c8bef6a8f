package org.qoraedge.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;

/**
 * Any bytes a broker may send, through the guard: either the connection ends with an
 * IOException, or every PUBLISH handed on is within the limit and Paho's own decoder accepts it
 * (a topic it would refuse, or a size it would allocate, never reaches it).
 */
public class InboundGuardFuzzTest {
    private static final int LIMIT = 512;

    @FuzzTest(maxDuration = "2m")
    void everyPublishTheGuardHandsOnIsOnePahoDecodesWithinTheLimit(byte[] stream) throws MqttException {
        InboundGuard guard = new InboundGuard(new ByteArrayInputStream(stream), LIMIT);
        while (true) {
            MqttPackets.Packet p;
            try {
                p = MqttPackets.read(guard);
            } catch (EOFException end) {
                return;
            } catch (IOException refused) {
                return; // the connection ends; Paho reconnects
            }
            if (p.type() != 3) {
                continue;
            }
            assertTrue(p.body().length <= LIMIT, "a PUBLISH of " + p.body().length + " bytes was handed on");
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(p.first());
            b.writeBytes(MqttPackets.remainingLength(p.body().length));
            b.writeBytes(p.body());
            MqttWireMessage.createWireMessage(b.toByteArray()); // throws IllegalArgumentException on a topic Paho refuses
        }
    }
}
