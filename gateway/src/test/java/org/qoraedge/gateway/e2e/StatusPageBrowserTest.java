package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.ops.OpsSettings;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * The status page in a real headless browser (Debian's chromium): served by a gateway running
 * rounds over Mosquitto, its script fills in the live values. Skipped without chromium, a failure
 * with CI=true. The screenshot lands in target/status-page.png (docs/status-page.png is one).
 */
class StatusPageBrowserTest {
    private static final int D = 16;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private static Path chromium() {
        for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        String message = "chromium is not installed (apt-get install -y --no-install-recommends chromium); the status page's"
                + " browser test needs it";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + " and CI=true, so this is a failure, not a skip");
        }
        Assumptions.abort(message);
        return null;
    }

    private String run(Path chromium, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + tmp.resolve("chromium-profile"), "--virtual-time-budget=4000"));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("chromium.out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(tmp.resolve("chromium.err").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish within 60 s");
        return Files.readString(out);
    }

    @Test
    void thePageShowsTheLiveRoundItsHistoryNodesAndAuditHead() throws Exception {
        Path chromium = chromium();
        List<NodeCredentials> nodes = TestNodes.fleet("node-", 5);
        Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes);
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"));
                Gateway gw = Gateway.start(GatewayConfig.builder().brokerUri(mosquitto.uri()).fleet("page").keysFile(keys)
                        .aggregator(AggregatorKind.MULTI_KRUM).f(1).modelId("m").dimension(D).deadline(WAIT)
                        .stateDir(tmp.resolve("state")).ops(OpsSettings.localEndpoint(0)).build(),
                        Gateway.Options.external().connectTimeout(WAIT))) {
            List<NodeClient> clients = new ArrayList<>();
            try {
                for (NodeCredentials c : nodes) {
                    NodeClient n = NodeClient.builder(mosquitto.uri(), "page", c).gatewayKey(gw.publicKey()).build();
                    n.connect();
                    clients.add(n);
                }
                for (long r = 1; r <= 2; r++) {
                    for (NodeClient n : clients) {
                        RoundStart s = n.awaitRound(r, WAIT);
                        n.publishUpdate(s, TestNodes.update(n.nodeId(), r, D, false));
                    }
                }
                clients.get(0).awaitRound(3, WAIT);
                // Round 3 open, with two updates in it.
                for (NodeClient n : clients.subList(0, 2)) {
                    n.publishUpdate(n.awaitRound(3, WAIT), TestNodes.update(n.nodeId(), 3, D, false));
                }
                // The nodes hear of round 3 before the gateway's status moves to it (the announcement is
                // published first): wait for the status of round 3 itself.
                long end = System.nanoTime() + WAIT.toNanos();
                while ((gw.status().round() != 3 || gw.status().accepted() != 2) && System.nanoTime() < end) {
                    Thread.sleep(20);
                }
                assertEquals(3, gw.status().round());
                assertEquals(2, gw.status().accepted());

                String url = gw.operations().url() + "/";
                String dom = run(chromium, "--dump-dom", url);
                assertTrue(dom.contains("id=\"round-number\">3<"), dom);
                assertTrue(dom.contains("id=\"round-accepted\">2<"), dom);
                assertTrue(dom.contains("id=\"total-aggregated\">2<"), dom);
                assertTrue(dom.contains("id=\"audit-head\">" + gw.coordinator().auditHead() + "<"), dom);
                assertTrue(dom.contains("class=\"ok\">healthy<"), dom);
                assertTrue(dom.contains("<td>2</td><td>aggregated</td><td>5</td>"), "round 2's row: " + dom);
                assertTrue(dom.contains("<td>node-05</td>"), dom);
                // The page keeps reading status.json (once a second, in the browser's virtual time).
                Matcher refreshes = Pattern.compile("data-refreshes=\"(\\d+)\"").matcher(dom);
                assertTrue(refreshes.find(), dom);
                assertTrue(Integer.parseInt(refreshes.group(1)) >= 2, "status.json read " + refreshes.group(1) + " time(s)");

                Path shot = Path.of("target", "status-page.png").toAbsolutePath();
                Files.createDirectories(shot.getParent());
                Files.deleteIfExists(shot);
                run(chromium, "--screenshot=" + shot, "--window-size=1100,900", "--hide-scrollbars", url);
                assertTrue(Files.size(shot) > 10_000, "screenshot " + shot + " has " + Files.size(shot) + " bytes");
            } finally {
                for (NodeClient n : clients) {
                    n.close();
                }
            }
        }
    }
}
