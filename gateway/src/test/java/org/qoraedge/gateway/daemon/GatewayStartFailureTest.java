package org.qoraedge.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.broker.EmbeddedBroker;
import org.qoraedge.gateway.ops.OpsSettings;
import org.qoraedge.gateway.round.RoundSettingsException;
import org.qoraedge.gateway.state.StateException;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.status.StatusIndicator;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TestNodes;

/** A start that fails part way closes what it had started, last first, and throws the step's failure. */
class GatewayStartFailureTest {
    @TempDir
    Path tmp;

    private GatewayConfig.Builder config(String brokerUri) throws IOException {
        return GatewayConfig.builder().brokerUri(brokerUri).fleet("fail")
                .keysFile(TestNodes.writeRegistry(tmp.resolve("keys.txt"), TestNodes.fleet("n-", 5)))
                .aggregator(AggregatorKind.KRUM).f(1).dimension(8).stateDir(tmp.resolve("state"));
    }

    /** A status indicator that records its close, and fails it when asked. */
    private static final class ClosingIndicator implements StatusIndicator {
        final List<String> events = new CopyOnWriteArrayList<>();
        private final RuntimeException closeFailure;

        ClosingIndicator(RuntimeException closeFailure) {
            this.closeFailure = closeFailure;
        }

        @Override
        public void phase(Phase phase) {
        }

        @Override
        public void attackSuspected(boolean suspected) {
        }

        @Override
        public void error(boolean error) {
        }

        @Override
        public void onButton(Runnable action) {
            events.add("button");
        }

        @Override
        public void close() {
            events.add("closed");
            if (closeFailure != null) {
                throw closeFailure;
            }
        }
    }

    /** The state directory is free again: another gateway could open it. */
    private void assertStateDirReleased() throws IOException {
        StateStore.open(tmp.resolve("state"), 0).close();
    }

    @Test
    void aConnectThatFailsClosesTheLinkIndicatorAndStateDirAndThrowsTheConnectFailure() throws Exception {
        ClosingIndicator indicator = new ClosingIndicator(null);
        GatewayConfig c = config("tcp://127.0.0.1:" + MosquittoBroker.freePort()).build();
        IOException e = assertThrows(IOException.class, () -> Gateway.start(c,
                Gateway.Options.external().indicator(indicator).connectTimeout(Duration.ofMillis(300))));
        assertTrue(e.getMessage().startsWith("could not connect to " + c.brokerUri()), e.getMessage());
        assertEquals(List.of("button", "closed"), indicator.events);
        assertStateDirReleased();
    }

    @Test
    void aFailureToCloseIsSuppressedInTheFailureOfTheStart() throws Exception {
        IllegalStateException stuck = new IllegalStateException("LED driver stuck");
        ClosingIndicator indicator = new ClosingIndicator(stuck);
        GatewayConfig c = config("tcp://127.0.0.1:" + MosquittoBroker.freePort()).build();
        IOException e = assertThrows(IOException.class, () -> Gateway.start(c,
                Gateway.Options.external().indicator(indicator).connectTimeout(Duration.ofMillis(300))));
        assertTrue(e.getMessage().startsWith("could not connect"), e.getMessage());
        assertArrayEquals(new Throwable[] {stuck}, e.getSuppressed());
        assertStateDirReleased();
    }

    @Test
    void settingsTheCoordinatorRefusesFailTheStartBeforeTheBrokerIsConnected() throws Exception {
        ClosingIndicator indicator = new ClosingIndicator(null);
        GatewayConfig c = config("tcp://127.0.0.1:" + MosquittoBroker.freePort()).f(2).build(); // Krum with f = 2 needs 7 nodes
        RoundSettingsException e = assertThrows(RoundSettingsException.class, () -> Gateway.start(c,
                Gateway.Options.external().indicator(indicator)));
        assertTrue(e.getMessage().contains("only 5 nodes have keys"), e.getMessage());
        assertEquals(List.of("closed"), indicator.events);
        assertStateDirReleased();
    }

    @Test
    void aDamagedStateFailsTheStartAndStopsTheEmbeddedBroker() throws Exception {
        ClosingIndicator indicator = new ClosingIndicator(null);
        Files.createDirectories(tmp.resolve("state"));
        Files.writeString(tmp.resolve("state").resolve(StateStore.STATE_FILE), "not a state file\n");
        int port = MosquittoBroker.freePort();
        GatewayConfig c = config("tcp://127.0.0.1:1").build();
        StateException e = assertThrows(StateException.class, () -> Gateway.start(c,
                Gateway.Options.embeddedBroker().embeddedPort(port).indicator(indicator)));
        assertTrue(e.getMessage().contains(StateStore.STATE_FILE), e.getMessage());
        assertEquals(List.of("button", "closed"), indicator.events);
        assertStateDirReleased();
        // the embedded broker let go of its port
        try (EmbeddedBroker again = EmbeddedBroker.start(EmbeddedBroker.options().port(port))) {
            assertTrue(again.uri().endsWith(":" + port), again.uri());
        }
    }

    @Test
    void anOperationsPortInUseFailsTheStartBeforeTheRoundWorkerRunsAndClosesWhatItStarted() throws Exception {
        ClosingIndicator indicator = new ClosingIndicator(null);
        int brokerPort = MosquittoBroker.freePort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            GatewayConfig c = config("tcp://127.0.0.1:1").ops(OpsSettings.localEndpoint(taken.getLocalPort())).build();
            BindException e = assertThrows(BindException.class, () -> Gateway.start(c,
                    Gateway.Options.embeddedBroker().embeddedPort(brokerPort).indicator(indicator)));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        assertEquals(List.of("button", "closed"), indicator.events);
        assertStateDirReleased();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse(t.getName().equals("qora-round-worker-fail") && t.isAlive(), "the round worker runs");
        }
        try (EmbeddedBroker again = EmbeddedBroker.start(EmbeddedBroker.options().port(brokerPort))) {
            assertTrue(again.uri().endsWith(":" + brokerPort), again.uri());
        }
    }
}
