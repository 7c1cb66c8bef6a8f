package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TestNodes;
import org.qoraedge.gateway.testing.TlsFiles;

/** The gateway and nodes over Mosquitto with TLS (ssl://, a PKCS#12 trust store) and a password file. */
class TlsAndCredentialsTest {
    @TempDir
    Path tmp;

    @Test
    void aRoundRunsOverTlsWithCredentialsAndAWrongPasswordIsRefusedAtOnce() throws Exception {
        MosquittoBroker.requireBinary();
        TlsFiles tls = TlsFiles.create(tmp.resolve("tls"));
        Path passwd = tmp.resolve("passwd");
        Process p = new ProcessBuilder("mosquitto_passwd", "-b", "-c", passwd.toString(), "qora", "s3cret")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("passwd.out").toFile()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "mosquitto_passwd failed");
        List<NodeCredentials> nodes = TestNodes.fleet("t-", 5);
        try (MosquittoBroker broker = MosquittoBroker.start(tmp.resolve("mosquitto"), "certfile " + tls.certPem + "\n"
                + "keyfile " + tls.keyPem + "\nallow_anonymous false\npassword_file " + passwd + "\n")) {
            String uri = "ssl://127.0.0.1:" + broker.port();
            BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
            GatewayConfig.Builder cfg = GatewayConfig.builder().brokerUri(uri).fleet("tls")
                    .keysFile(TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes)).aggregator(AggregatorKind.KRUM).f(1)
                    .dimension(8).maxRounds(1).stateDir(tmp.resolve("state"))
                    .trustStore(tls.trustStore, new String(TlsFiles.PASSWORD));

            IOException refused = assertThrows(IOException.class, () -> Gateway.start(cfg.credentials("qora", "wrong").build(),
                    Gateway.Options.external().connectTimeout(Duration.ofSeconds(20))));
            assertTrue(refused.getMessage().contains("refused"), refused.getMessage());

            try (Gateway gw = Gateway.start(cfg.credentials("qora", "s3cret").build(), Gateway.Options.external().listener(reports::add))) {
                List<NodeClient> clients = new ArrayList<>();
                try {
                    for (NodeCredentials c : nodes) {
                        NodeClient n = NodeClient.builder(uri, "tls", c).credentials("qora", "s3cret".toCharArray())
                                .trustStore(tls.trustStore, TlsFiles.PASSWORD).gatewayKey(gw.publicKey()).build();
                        n.connect();
                        clients.add(n);
                        n.publishUpdate(n.awaitRound(1, Duration.ofSeconds(20)), TestNodes.update(c.nodeId(), 1, 8, false));
                    }
                    RoundReport r = reports.poll(20, TimeUnit.SECONDS);
                    assertNotNull(r, "the round over TLS did not close");
                    assertEquals(5, r.acceptedIds().size());
                } finally {
                    for (NodeClient n : clients) {
                        n.close();
                    }
                }
            }
        }
    }
}
