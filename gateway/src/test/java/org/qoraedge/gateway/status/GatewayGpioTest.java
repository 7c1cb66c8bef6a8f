package org.qoraedge.gateway.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * A real gateway (embedded broker, nodes over MQTT) driving the Pi4J indicator on Pi4J's mock
 * platform: the pins follow the gateway's states, the attack LED lights after a round with a
 * rejected frame, and the button closes the round.
 */
class GatewayGpioTest {
    private static final int IDLE = 17;
    private static final int COLLECTING = 27;
    private static final int AGGREGATING = 22;
    private static final int ATTACK = 23;
    private static final int ERROR = 24;
    private static final int BUTTON = 5;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @Test
    void theLedsFollowTheRoundsAndTheButtonClosesTheRound() throws Exception {
        List<NodeCredentials> nodes = TestNodes.fleet("node-", 6);
        GpioSettings gpio = MockGpio.settings(GpioSettings.BUTTON, "" + BUTTON, GpioSettings.BUTTON_ACTION, "close-round");
        Context context = MockGpio.context();
        Pi4jStatusIndicator indicator = new Pi4jStatusIndicator(context, gpio);
        Map<Integer, DigitalOutput> pins = MockGpio.outputs(context);
        var button = MockGpio.input(context, BUTTON);
        button.mockState(DigitalState.HIGH);
        GatewayConfig cfg = GatewayConfig.builder().fleet("gpio").keysFile(TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes))
                .aggregator(AggregatorKind.MULTI_KRUM).f(1).modelId("m").dimension(64).deadline(Duration.ofMinutes(5)).gpio(gpio)
                .stateDir(tmp.resolve("state")).build();
        BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
        List<NodeClient> clients = new ArrayList<>();
        try (Gateway gw = Gateway.start(cfg, Gateway.Options.embeddedBroker().embeddedPort(0).indicator(indicator)
                .listener(reports::add))) {
            await(() -> lit(pins).equals(List.of(COLLECTING)), "round 1 collecting: only the collecting LED", pins);
            for (NodeCredentials c : nodes.subList(0, 5)) {
                NodeClient n = NodeClient.builder(gw.brokerUri(), "gpio", c).gatewayKey(gw.publicKey()).build();
                n.connect();
                clients.add(n);
            }
            // Five of six report; one frame arrives with a forged signature (node-06's id, another key).
            for (NodeClient n : clients) {
                RoundStart s = n.awaitRound(1, WAIT);
                n.publishUpdate(s, TestNodes.update(n.nodeId(), 1, 64, false));
            }
            NodeClient forger = NodeClient.builder(gw.brokerUri(), "gpio", TestNodes.credentials("node-06", false)) // HMAC: node-06 is registered with Ed25519
                    .clientId("forger").gatewayKey(gw.publicKey()).build();
            forger.connect();
            clients.add(forger);
            RoundStart s = forger.awaitRound(1, WAIT);
            forger.publishUpdate(s, TestNodes.update("node-06", 1, 64, false));
            await(() -> gw.status().accepted() == 5 && gw.status().rejected() == 1, "5 accepted, 1 rejected", pins);
            assertTrue(reports.isEmpty(), "the round waits for node-06 (deadline 5 min)");
            // The operator presses the button: the round closes with the five.
            button.mockState(DigitalState.LOW);
            button.mockState(DigitalState.HIGH);
            RoundReport r = reports.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(r, "the button closed round 1");
            assertTrue(r.aggregated(), r.failure());
            assertEquals(5, r.acceptedIds().size());
            assertEquals(1L, r.rejected().get(RejectReason.BAD_SIGNATURE));
            // Round 2 collecting, with the attack LED lit after a round with a rejection; no error.
            await(() -> lit(pins).equals(List.of(COLLECTING, ATTACK)), "round 2 collecting, attack suspected", pins);
            assertFalse(MockGpio.high(pins, ERROR));
        } finally {
            for (NodeClient n : clients) {
                n.close();
            }
        }
        // The gateway closed its indicator: every output off.
        assertEquals(List.of(), lit(pins));
    }

    private static List<Integer> lit(Map<Integer, DigitalOutput> pins) {
        List<Integer> on = new ArrayList<>();
        for (int p : new int[] {IDLE, COLLECTING, AGGREGATING, ATTACK, ERROR}) {
            if (MockGpio.high(pins, p)) {
                on.add(p);
            }
        }
        return on;
    }

    private static void await(BooleanSupplier c, String what, Map<Integer, DigitalOutput> pins) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what + "; lit: " + lit(pins));
            }
            Thread.sleep(10);
        }
    }
}
