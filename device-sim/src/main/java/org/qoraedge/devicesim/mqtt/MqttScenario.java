package org.qoraedge.devicesim.mqtt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.qoraedge.devicesim.DeviceSimException;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.attack.OmniscientView;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.model.Evaluation;
import org.qoraedge.devicesim.model.Model;
import org.qoraedge.devicesim.sim.AggregatorSpec;
import org.qoraedge.devicesim.sim.Fleet;
import org.qoraedge.devicesim.sim.RoundListener;
import org.qoraedge.devicesim.sim.RoundRecord;
import org.qoraedge.devicesim.sim.SimConfig;
import org.qoraedge.devicesim.sim.SimNode;
import org.qoraedge.devicesim.sim.SimResult;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.round.RoundReport;

/**
 * The MQTT fleet: an in-process gateway (with its embedded broker, or on an external broker) and
 * one {@link NodeClient} per simulated node, each with its own connection, id and HMAC key. In
 * round r every node waits for the round's announcement and global model over MQTT; honest nodes
 * train from the model they received and publish {@code local - global}; Byzantine nodes publish
 * their attack's block. With {@code wrong-signature} each Byzantine node also publishes, before its
 * update, a frame whose signature is corrupted; the gateway must reject and count it.
 *
 * <p>A round's accuracy is the test accuracy of the global model the nodes received at the start
 * of the next round (the gateway runs {@code rounds + 1} announcements; the last is not played).
 */
public final class MqttScenario {
    /** The fleet name on the wire. */
    public static final String FLEET = "device-sim";
    /** Protocol-level attacks this runner carries out. */
    public static final List<String> PROTOCOL_ATTACKS = List.of("none", "wrong-signature");

    private static final Duration WAIT = Duration.ofSeconds(60);

    private MqttScenario() {
    }

    /**
     * Runs {@code cfg} over MQTT.
     *
     * @param brokerUri an external broker ({@code tcp://host:port}), or null for the gateway's embedded broker
     * @param protocolAttack {@code none} or {@code wrong-signature} (Byzantine nodes only)
     * @param listener told about each round, with the gateway's report
     */
    public static Result run(SimConfig cfg, TrainTest data, String brokerUri, String protocolAttack,
            ScenarioListener listener) throws IOException, InterruptedException {
        if (!PROTOCOL_ATTACKS.contains(protocolAttack)) {
            throw new InvalidConfigException("unknown protocol attack '" + protocolAttack + "'; known: "
                    + String.join(", ", PROTOCOL_ATTACKS));
        }
        long start = System.nanoTime();
        Fleet fleet = Fleet.create(cfg, data.train());
        Model model = fleet.model();
        List<SimNode> nodes = fleet.nodes();
        Set<String> byzantine = new HashSet<>(fleet.byzantineIds());
        float[] initial = fleet.initialParameters();
        double initialAccuracy = model.evaluate(initial, data.test()).accuracy();
        int d = initial.length;
        String modelId = "device-sim-" + model.name();

        Path tmp = Files.createTempDirectory("device-sim-scenario");
        List<NodeClient> clients = new ArrayList<>();
        BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
        try {
            SecureRandom random = new SecureRandom();
            List<NodeCredentials> creds = new ArrayList<>();
            StringBuilder registry = new StringBuilder("# device-sim scenario\n");
            List<String> expected = new ArrayList<>();
            for (SimNode node : nodes) {
                byte[] key = new byte[32];
                random.nextBytes(key);
                NodeCredentials c = NodeCredentials.hmac(node.id(), key);
                creds.add(c);
                registry.append(c.registryLine()).append('\n');
                expected.add(node.id());
            }
            Path keys = Files.writeString(tmp.resolve("keys.txt"), registry.toString(), StandardCharsets.UTF_8);
            Path initialModel = tmp.resolve("initial.model");
            Files.write(initialModel, modelBytes(Bfp16.encode(initial)));

            AggregatorSpec agg = cfg.aggregator();
            GatewayConfig.Builder gc = GatewayConfig.builder()
                    .brokerUri(brokerUri != null ? brokerUri : "tcp://127.0.0.1:1")
                    .fleet(FLEET).keysFile(keys).expected(expected).modelId(modelId).dimension(d)
                    .initialModel(initialModel).deadline(WAIT).maxRounds(cfg.rounds() + 1L)
                    .stateDir(tmp.resolve("state"));
            switch (agg.rule()) {
                case MEAN:
                    gc.aggregator(AggregatorKind.MEAN).f(cfg.effectiveKrumF());
                    break;
                case KRUM:
                    gc.aggregator(AggregatorKind.KRUM).metric(agg.metric()).f(cfg.effectiveKrumF());
                    break;
                default:
                    gc.aggregator(AggregatorKind.MULTI_KRUM).metric(agg.metric()).f(cfg.effectiveKrumF()).m(agg.m());
                    break;
            }
            Gateway.Options options = (brokerUri == null ? Gateway.Options.embeddedBroker().embeddedPort(0)
                    : Gateway.Options.external()).listener(reports::add);
            try (Gateway gw = Gateway.start(gc.build(), options)) {
                String uri = brokerUri != null ? brokerUri : gw.brokerUri();
                try {
                for (NodeCredentials c : creds) {
                    NodeClient n = NodeClient.builder(uri, FLEET, c).gatewayKey(gw.publicKey())
                            .connectTimeout(Duration.ofSeconds(15)).build();
                    clients.add(n);
                    n.connect();
                }
                List<RoundRecord> records = new ArrayList<>();
                List<RoundReport> gatewayReports = new ArrayList<>();
                float[] global = initial;
                for (int round = 1; round <= cfg.rounds(); round++) {
                    RoundStart[] starts = new RoundStart[nodes.size()];
                    float[][] received = new float[nodes.size()][];
                    for (int i = 0; i < nodes.size(); i++) {
                        starts[i] = awaitRound(clients.get(i), round);
                        received[i] = Bfp16.decode(starts[i].model());
                    }
                    // Honest nodes train from the model each received.
                    float[][] updates = new float[nodes.size()][];
                    List<String> honestIds = new ArrayList<>();
                    List<float[]> honestUpdates = new ArrayList<>();
                    for (int i = 0; i < nodes.size(); i++) {
                        SimNode node = nodes.get(i);
                        if (!node.isByzantine()) {
                            updates[i] = node.trainUpdate(received[i], round);
                            honestIds.add(node.id());
                            honestUpdates.add(updates[i]);
                        }
                    }
                    OmniscientView view = nodes.stream().anyMatch(SimNode::needsView)
                            ? OmniscientView.of(honestIds.toArray(new String[0]),
                            honestUpdates.toArray(new float[0][]), fleet.byzantineIds().toArray(new String[0])) : null;
                    for (int i = 0; i < nodes.size(); i++) {
                        SimNode node = nodes.get(i);
                        NodeClient client = clients.get(i);
                        Bfp16Block block = node.isByzantine() ? node.publish(received[i], round, view) : Bfp16.encode(updates[i]);
                        if (node.isByzantine() && protocolAttack.equals("wrong-signature")) {
                            byte[] frame = client.encodeUpdate(round, starts[i].announcement().modelId(), block);
                            frame[frame.length - 1] ^= 0x01;
                            client.publishRaw(client.topics().update(node.id()), frame);
                        }
                        client.publishUpdate(starts[i], block);
                    }
                    RoundReport report = reports.poll(WAIT.toMillis() + 10_000, TimeUnit.MILLISECONDS);
                    if (report == null) {
                        throw new ScenarioException("round " + round + " did not close within " + WAIT.toSeconds() + " s");
                    }
                    if (report.round() != round) {
                        throw new ScenarioException("expected the gateway's report of round " + round + ", got " + report.round());
                    }
                    gatewayReports.add(report);
                    // The global model the gateway published after this round, as the nodes receive it.
                    RoundStart next = awaitRound(clients.get(0), round + 1);
                    global = Bfp16.decode(next.model());
                    Evaluation ev = model.evaluate(global, data.test());
                    List<String> selected = new ArrayList<>();
                    int byzSelected = 0;
                    int exponent = 0;
                    if (report.aggregated() && report.result() != null) {
                        for (String id : report.result().selectedIds()) {
                            selected.add(id);
                            if (byzantine.contains(id)) {
                                byzSelected++;
                            }
                        }
                        exponent = report.result().aggregate().exponent();
                    }
                    Map<String, Integer> rejected = new TreeMap<>();
                    for (Map.Entry<RejectReason, Long> e : report.rejected().entrySet()) {
                        rejected.put(e.getKey().wireName(), e.getValue().intValue());
                    }
                    RoundRecord rec = new RoundRecord(round, ev.accuracy(), ev.loss(), selected, byzSelected, rejected,
                            report.closeNanos() / 1e6, exponent);
                    records.add(rec);
                    listener.roundDone(rec, report);
                }
                SimResult sim = new SimResult(cfg, model.name(), model.parameterCount(), fleet.byzantineIds(),
                        initialAccuracy, records, 0, (System.nanoTime() - start) / 1_000_000, global);
                long rejectedTotal = gatewayReports.stream().mapToLong(RoundReport::rejectedTotal).sum();
                return new Result(sim, uri, brokerUri == null, protocolAttack, rejectedTotal);
                } finally {
                    closeAll(clients);
                }
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ScenarioException(e.getMessage());
        } finally {
            closeAll(clients);
            deleteTree(tmp);
        }
    }

    /** Disconnects the nodes (before the gateway and its broker stop); idempotent. */
    private static void closeAll(List<NodeClient> clients) {
        for (NodeClient n : clients) {
            try {
                n.close();
            } catch (RuntimeException ignored) {
                // closing is best effort
            }
        }
        clients.clear();
    }

    private static RoundStart awaitRound(NodeClient client, long round)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        return client.awaitRound(round, WAIT);
    }

    /** The spec's section 7 layout: int32 BE exponent, int32 BE dimension, d int16 BE mantissas. */
    static byte[] modelBytes(Bfp16Block b) {
        ByteBuffer buf = ByteBuffer.allocate(8 + 2 * b.dimension()).order(ByteOrder.BIG_ENDIAN);
        buf.putInt(b.exponent()).putInt(b.dimension());
        for (int i = 0; i < b.dimension(); i++) {
            buf.putShort(b.mantissa(i));
        }
        return buf.array();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a temporary directory; best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Told about each closed round. */
    @FunctionalInterface
    public interface ScenarioListener {
        void roundDone(RoundRecord record, RoundReport gatewayReport);

        static ScenarioListener of(RoundListener l) {
            return (rec, rep) -> l.roundDone(rec);
        }
    }

    /**
     * A scenario's outcome.
     *
     * @param sim the per-round records, in the in-process simulator's shape
     * @param brokerUri the broker the fleet used
     * @param embeddedBroker true when it was the gateway's embedded broker
     * @param protocolAttack the protocol-level attack carried out
     * @param rejectedTotal rejections over all rounds
     */
    public record Result(SimResult sim, String brokerUri, boolean embeddedBroker, String protocolAttack, long rejectedTotal) {
    }

    /** A round did not complete. */
    public static final class ScenarioException extends DeviceSimException {
        private static final long serialVersionUID = 1L;

        public ScenarioException(String message) {
            super(message);
        }
    }
}
