package org.qoraedge.gateway.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.aggregation.BufferedSettings;
import org.qoraedge.gateway.aggregation.CentralNoiseSettings;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.ByzantineFraction;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.round.CohortSettings;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * Records a real gateway's rounds for the replay fixture of cross-check: an embedded broker, a
 * gateway with a state directory that keeps every round's frames, eight nodes over MQTT (two
 * Byzantine), four Multi-Krum rounds, or four rounds of the pipeline line given as a second
 * argument, or with the second argument {@code cohort}, four rounds of the default rule that each ask
 * a cohort of five (docs/PROTOCOL.md section 6.2, {@code round.byzantineFraction = 1/5}), only the
 * drawn nodes publishing, or with the second argument {@code buffered}, four buffers of four updates of
 * the default rule in buffered mode (docs/PROTOCOL.md section 6.3, {@code round.maxStaleness = 2},
 * reputation off): two slow nodes publish updates trained from version 1 into buffers 2 and 3, and
 * one of them again in buffer 4, where it is refused as {@code stale-update}, or with the second
 * argument {@code private}, four rounds of {@code nnm(2) > centered-clip(2, 3)} with central noise
 * (docs/PRIVACY.md, {@code sigma^2 = 25/4}, the throwaway secret {@link #PRIVATE_SECRET}, written to
 * {@code DIR/central.secret}) in which four of the nodes send sparse updates (density 0.1). Writes {@code DIR/state/...}, {@code DIR/keys.txt} and {@code DIR/gateway.pub}. Run with
 * the gateway's test classpath: {@code RecordedRounds DIR [PIPELINE]}.
 */
public final class RecordedRounds {
    /** The central noise secret of the {@code private} recording: a test value, public in the fixture. */
    public static final String PRIVATE_SECRET = "7265636f7264656420726f756e64733a2061207075626c696320736563726574";

    private RecordedRounds() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int d = 1000;
        List<NodeCredentials> nodes = TestNodes.fleet("sensor-", 8);
        Path keys = TestNodes.writeRegistry(dir.resolve("keys.txt"), nodes);
        GatewayConfig.Builder b = GatewayConfig.builder().fleet("recorded").keysFile(keys).modelId("m-recorded").dimension(d)
                .deadline(Duration.ofSeconds(30)).maxRounds(4).keepFrames(-1).stateDir(dir.resolve("state"));
        boolean cohort = args.length > 1 && args[1].equals("cohort");
        boolean sparse = args.length > 1 && args[1].equals("private");
        if (args.length > 1 && args[1].equals("buffered")) {
            Properties off = new Properties();
            off.setProperty(ReputationSettings.ENABLED, "false");
            b.pipeline(PipelineSpec.parse("nnm(1) > centered-clip(1, 3)")).buffered(new BufferedSettings(4, 2))
                    .reputation(ReputationSettings.fromProperties(off));
            recordBuffered(b.build(), dir, nodes, d);
            return;
        }
        if (cohort) {
            b.cohort(CohortSettings.of(5, ByzantineFraction.parse("1/5"), f -> AggregationSettings.pipeline(
                    PipelineSpec.parse("nnm(" + f + ") > centered-clip(" + f + ", 3)"), 1)));
        } else if (sparse) {
            Path secret = dir.resolve("central.secret");
            Files.writeString(secret, PRIVATE_SECRET + "\n");
            b.pipeline(PipelineSpec.parse("nnm(2) > centered-clip(2, 3)"))
                    .centralNoise(CentralNoiseSettings.of("25/4", HexFormat.of().parseHex(PRIVATE_SECRET)));
        } else if (args.length > 1) {
            b.pipeline(PipelineSpec.parse(args[1]));
        } else {
            b.aggregator(AggregatorKind.MULTI_KRUM).f(2);
        }
        GatewayConfig cfg = b.build();
        try (Gateway gw = Gateway.start(cfg, Gateway.Options.embeddedBroker().embeddedPort(0))) {
            Files.writeString(dir.resolve("gateway.pub"), HexFormat.of().formatHex(gw.publicKey()) + "\n");
            List<NodeClient> clients = new ArrayList<>();
            for (NodeCredentials c : nodes) {
                NodeClient.Builder nb = NodeClient.builder(gw.brokerUri(), "recorded", c).gatewayKey(gw.publicKey());
                if (sparse && c.nodeId().compareTo("sensor-05") < 0) {
                    nb.density(0.1);
                }
                NodeClient n = nb.build();
                n.connect();
                clients.add(n);
            }
            for (long round = 1; round <= 4; round++) {
                for (NodeClient n : clients) {
                    RoundStart s = n.awaitRound(round, Duration.ofSeconds(30));
                    if (cohort && (s.round() != round || !n.inCohort(s))) {
                        continue; // not asked (or the next round is already announced once this one's cohort reported)
                    }
                    boolean byzantine = n.nodeId().equals("sensor-03") || n.nodeId().equals("sensor-06");
                    n.publishUpdate(s, TestNodes.update(n.nodeId(), s.round(), d, byzantine));
                }
            }
            gw.awaitFinished(Duration.ofSeconds(60));
            for (NodeClient n : clients) {
                n.close();
            }
        }
    }

    /** The buffered run (see the class comment); each buffer's updates are published once the previous buffer closed. */
    private static void recordBuffered(GatewayConfig cfg, Path dir, List<NodeCredentials> nodes, int d) throws Exception {
        try (Gateway gw = Gateway.start(cfg, Gateway.Options.embeddedBroker().embeddedPort(0))) {
            Files.writeString(dir.resolve("gateway.pub"), HexFormat.of().formatHex(gw.publicKey()) + "\n");
            Map<String, NodeClient> clients = new TreeMap<>();
            for (NodeCredentials c : nodes) {
                NodeClient n = NodeClient.builder(gw.brokerUri(), "recorded", c).gatewayKey(gw.publicKey()).build();
                n.connect();
                clients.put(c.nodeId(), n);
            }
            Duration wait = Duration.ofSeconds(30);
            RoundStart slow7 = clients.get("sensor-07").awaitRound(1, wait);
            RoundStart slow8 = clients.get("sensor-08").awaitRound(1, wait);
            String[][] fresh = {{"sensor-01", "sensor-02", "sensor-03", "sensor-04"}, {"sensor-05", "sensor-06", "sensor-01"},
                {"sensor-02", "sensor-03", "sensor-04"}, {"sensor-01", "sensor-05", "sensor-06", "sensor-08"}};
            for (int v = 1; v <= 4; v++) {
                // A slow node publishes once the buffer it is meant for is open: its old start, its new version seen.
                if (v == 2 || v == 4) {
                    clients.get("sensor-07").awaitRound(v, wait);
                    publish(clients.get("sensor-07"), slow7, d); // in buffer 4 three versions behind: stale-update
                } else if (v == 3) {
                    clients.get("sensor-08").awaitRound(v, wait);
                    publish(clients.get("sensor-08"), slow8, d);
                }
                for (String id : fresh[v - 1]) {
                    publish(clients.get(id), clients.get(id).awaitRound(v, wait), d);
                }
            }
            gw.awaitFinished(Duration.ofSeconds(60));
            for (NodeClient n : clients.values()) {
                n.close();
            }
        }
    }

    private static void publish(NodeClient n, RoundStart from, int d) throws Exception {
        boolean byzantine = n.nodeId().equals("sensor-03") || n.nodeId().equals("sensor-06");
        n.publishUpdate(from, TestNodes.update(n.nodeId(), from.round(), d, byzantine));
    }
}
