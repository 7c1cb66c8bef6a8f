package org.qoraedge.devicesim.mqtt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qoraedge.gateway.mqtt.PahoReceivePath;

/**
 * The simulated nodes read each round's model with the gateway's bulk-reading Paho decoder: device-sim
 * lists the gateway before Paho, so the gateway's {@code CountingInputStream} is the one loaded.
 */
class ReceivePathTest {
    @Test
    void simulatedNodesDecodePacketsInBulk() {
        assertTrue(PahoReceivePath.bulk(), PahoReceivePath.describe());
    }
}
