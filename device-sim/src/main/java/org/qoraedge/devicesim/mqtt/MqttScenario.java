package org.qoraedge.devicesim.mqtt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.qoraedge.devicesim.DeviceSimException;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.attack.OmniscientView;
import org.qoraedge.devicesim.attack.ProtocolAttackSpec;
import org.qoraedge.devicesim.attack.ServerRule;
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
import org.qoraedge.devicesim.sim.UpdateChannel;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.BlockBytes;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.aggregation.CentralNoiseSettings;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.client.TopKSparsifier;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.ByzantineFraction;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.round.CohortSettings;
import org.qoraedge.gateway.round.RoundReport;

/**
 * The MQTT fleet: an in-process gateway (with its embedded broker, or on an external broker) and
 * one {@link NodeClient} per simulated node, each with its own connection, id and HMAC key. In
 * round r every node waits for the round's announcement and global model over MQTT; honest nodes
 * train from the model they received and publish {@code local - global}; Byzantine nodes publish
 * their model-level attack's block. Protocol-level attacks ({@link ProtocolAttackSpec}) are carried
 * out by the protocol attackers (the Byzantine nodes, or the first {@code protocolAttackers} of
 * them) over their own connections: forged, replayed, Sybil, malformed and flooding frames that the
 * gateway must reject and count ({@link ProtocolAttacker}).
 *
 * <p>Order on the wire: the protocol attackers publish their whole round (attack frames, update,
 * flood) before the other nodes publish, each publish waiting for the broker's acknowledgement.
 * The round cannot close before the last node's update, so every attack frame of round r reaches
 * the gateway while it collects round r and is counted in round r's report.
 *
 * <p>A round's accuracy is the test accuracy of the global model the nodes received at the start
 * of the next round (the gateway runs {@code rounds + 1} announcements; the last is not played).
 * With the gateway's reputation ledger off ({@link Options#reputation}), accuracies, selections and
 * final parameters are bit-identical to {@code InProcessSimulator}'s for the same configuration,
 * whatever the protocol attacks (rejected frames change nothing). With it on (the gateway's
 * default) the gateway bans nodes whose updates are far outside the round or who misbehave, and
 * the rounds after a ban aggregate without them.
 */
public final class MqttScenario {
    /** The fleet name on the wire. */
    public static final String FLEET = "device-sim";

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CONNECT_THREADS = 8;
    /** How long a node's first connection is retried before the run fails naming the broker. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

    private MqttScenario() {
    }

    /**
     * Runs {@code cfg} over MQTT with the protocol attacks of {@code protocolAttacks} (specs
     * separated by {@code ;}, {@code none} or {@code all}), carried out by every Byzantine node,
     * against a gateway with its default settings (reputation on).
     */
    public static Result run(SimConfig cfg, TrainTest data, String brokerUri, String protocolAttacks,
            ScenarioListener listener) throws IOException, InterruptedException {
        return run(cfg, data, Options.defaults().broker(brokerUri)
                .protocolAttacks(ProtocolAttackSpec.parseList(protocolAttacks)), listener);
    }

    /**
     * Runs {@code cfg} over MQTT.
     *
     * @param listener told about each round, with the gateway's report
     * @throws InvalidConfigException when protocol attacks are asked for but there is no Byzantine
     *     node, or more protocol attackers than Byzantine nodes
     */
    public static Result run(SimConfig cfg, TrainTest data, Options opts, ScenarioListener listener)
            throws IOException, InterruptedException {
        String brokerUri = opts.brokerUri();
        if (brokerUri != null) {
            BrokerProbe.check(brokerUri);
        }
        List<ProtocolAttackSpec> protocolAttacks = opts.protocolAttacks();
        int protocolAttackers = opts.protocolAttackers();
        List<String> attackerIds = protocolAttackers(cfg, protocolAttacks, protocolAttackers);
        long start = System.nanoTime();
        Fleet fleet = Fleet.create(cfg, data.train());
        Model model = fleet.model();
        List<SimNode> nodes = fleet.nodes();
        Set<String> byzantine = new HashSet<>(fleet.byzantineIds());
        float[] initial = fleet.initialParameters();
        // The gateway starts from the block of the initial parameters; nodes receive its values.
        Bfp16Block initialBlock = Bfp16.encode(initial);
        double initialAccuracy = model.evaluate(Bfp16.decode(initialBlock), data.test()).accuracy();
        int d = initial.length;
        String modelId = "device-sim-" + model.name();
        // What adaptive attackers are told of the gateway's rule: the declared f. With reputation on,
        // each ban lowers the gateway's f by one (bansLowerF); the attackers' model then keeps the
        // declared f.
        ServerRule rule = cfg.aggregator().serverRule(cfg.effectiveKrumF());

        Path tmp = Files.createTempDirectory("device-sim-scenario");
        try {
            SecureRandom random = new SecureRandom();
            Provisioned p = Provisioned.write(nodes, initialBlock, tmp, random);
            List<NodeCredentials> creds = p.creds();
            List<String> expected = p.expected();
            GatewayConfig gatewayConfig = gatewayConfig(cfg, opts, p.keys(), expected, p.initialModel(), modelId, d,
                    tmp.resolve("state"));
            BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
            Gateway.Options gatewayOptions = (brokerUri == null ? Gateway.Options.embeddedBroker().embeddedPort(0)
                    : Gateway.Options.external()).listener(reports::add);
            try (Gateway gw = Gateway.start(gatewayConfig, gatewayOptions);
                    NodeConnections connections = NodeConnections.open(brokerUri != null ? brokerUri : gw.brokerUri(), gw.publicKey(),
                            creds, attackerIds, protocolAttacks, expected, random)) {
                connections.channel(new UpdateChannel(cfg, nodes, model.name()));
                List<RoundRecord> records = new ArrayList<>();
                List<RoundReport> gatewayReports = new ArrayList<>();
                float[] global = Bfp16.decode(initialBlock);
                long seats = 0;
                long byzantineSeats = 0;
                for (int round = 1; round <= cfg.rounds(); round++) {
                    List<String> cohort = new ArrayList<>();
                    RoundReport report = playRound(round, fleet, rule, connections, reports, cohort);
                    seats += cohort.size();
                    byzantineSeats += cohort.stream().filter(byzantine::contains).count();
                    gatewayReports.add(report);
                    // The global model the gateway published after this round, as the nodes receive it.
                    RoundStart next = awaitRound(connections.client(0), round + 1);
                    global = Bfp16.decode(next.model());
                    RoundRecord rec = record(round, model.evaluate(global, data.test()), report, byzantine);
                    records.add(rec);
                    listener.roundDone(rec, report);
                }
                SimResult sim = new SimResult(cfg, model.name(), model.parameterCount(), fleet.byzantineIds(),
                        initialAccuracy, records, 0, (System.nanoTime() - start) / 1_000_000, global);
                Map<String, Long> rejectedByReason = new TreeMap<>();
                for (RoundReport rep : gatewayReports) {
                    for (Map.Entry<RejectReason, Long> e : rep.rejected().entrySet()) {
                        rejectedByReason.merge(e.getKey().wireName(), e.getValue(), Long::sum);
                    }
                }
                long rejectedTotal = gatewayReports.stream().mapToLong(RoundReport::rejectedTotal).sum();
                return new Result(sim, connections.brokerUri(), brokerUri == null, opts.reputation(), protocolAttacks, attackerIds,
                        connections.framesSent(), rejectedByReason, rejectedTotal, gatewayReports, seats, byzantineSeats);
            }
        } catch (TimeoutException e) {
            throw new ScenarioException(e.getMessage());
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * What a scenario's gateway and nodes start from: a fresh HMAC key per node, the gateway's key
     * registry and its initial model file.
     *
     * @param creds the nodes' credentials, in the fleet's order
     * @param keys the registry file
     * @param expected the node ids, in the fleet's order
     * @param initialModel the initial model file
     */
    record Provisioned(List<NodeCredentials> creds, Path keys, List<String> expected, Path initialModel) {
        static Provisioned write(List<SimNode> nodes, Bfp16Block initialBlock, Path dir, SecureRandom random) throws IOException {
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
            Path keys = Files.writeString(dir.resolve("keys.txt"), registry.toString(), StandardCharsets.UTF_8);
            Path initialModel = dir.resolve("initial.model");
            Files.write(initialModel, BlockBytes.write(initialBlock));
            return new Provisioned(List.copyOf(creds), keys, List.copyOf(expected), initialModel);
        }
    }

    /** The gateway's configuration: the scenario's fleet, keys, initial model and aggregator. */
    private static GatewayConfig gatewayConfig(SimConfig cfg, Options opts, Path keys, List<String> expected, Path initialModel,
            String modelId, int d, Path stateDir) {
        return gatewayConfigBuilder(cfg, opts, keys, expected, initialModel, modelId, d, stateDir).build();
    }

    /** As {@link #gatewayConfig}, still a builder ({@link BufferedScenario} adds its mode). */
    static GatewayConfig.Builder gatewayConfigBuilder(SimConfig cfg, Options opts, Path keys, List<String> expected,
            Path initialModel, String modelId, int d, Path stateDir) {
        String brokerUri = opts.brokerUri();
        AggregatorSpec agg = cfg.aggregator();
        GatewayConfig.Builder gc = GatewayConfig.builder()
                .brokerUri(brokerUri != null ? brokerUri : "tcp://127.0.0.1:1")
                .fleet(FLEET).keysFile(keys).expected(expected).modelId(modelId).dimension(d)
                .initialModel(initialModel).deadline(WAIT).maxRounds(cfg.rounds() + 1L)
                .stateDir(stateDir).bansLowerF(opts.bansLowerF());
        if (!opts.reputation()) {
            Properties off = new Properties();
            off.setProperty(ReputationSettings.ENABLED, "false");
            gc.reputation(ReputationSettings.fromProperties(off));
        } else if (opts.weighting()) {
            Properties on = new Properties();
            on.setProperty(ReputationSettings.WEIGHTING, "true");
            gc.reputation(ReputationSettings.fromProperties(on));
        }
        if (opts.cohort() > 0) {
            gc.cohort(cohort(cfg, opts.cohort()));
        }
        if (opts.maxNonZero() > 0) {
            gc.maxNonZero(opts.maxNonZero());
        }
        if (opts.centralSigma2() != null) {
            try {
                gc.centralNoise(CentralNoiseSettings.of(opts.centralSigma2(), simulationSecret(cfg.seed())));
            } catch (FixedPointException e) {
                throw new InvalidConfigException("--central-sigma2: " + e.getMessage());
            }
        }
        switch (agg.rule()) {
            case MEAN:
                gc.aggregator(AggregatorKind.MEAN).f(cfg.effectiveKrumF());
                break;
            case KRUM:
                gc.aggregator(AggregatorKind.KRUM).metric(agg.metric()).f(cfg.effectiveKrumF());
                break;
            case PIPELINE:
                gc.pipeline(agg.pipeline());
                break;
            default:
                gc.aggregator(AggregatorKind.MULTI_KRUM).metric(agg.metric()).f(cfg.effectiveKrumF()).m(agg.m());
                break;
        }
        return gc;
    }

    /**
     * The gateway's cohort of {@code k}: a pipeline keeps the f of its line; Krum, Multi-Krum and the
     * mean take the fleet's Byzantine share of the cohort ({@code byzantine / nodes} as the declared
     * fraction, so 15 of 50 and K = 10 give f = 3).
     */
    private static CohortSettings cohort(SimConfig cfg, int k) {
        AggregatorSpec agg = cfg.aggregator();
        if (k > cfg.nodes()) {
            throw new InvalidConfigException("--cohort " + k + " is larger than the fleet (" + cfg.nodes() + " nodes)");
        }
        if (agg.rule() == AggregatorSpec.Rule.PIPELINE) {
            return CohortSettings.of(k);
        }
        ByzantineFraction fraction = new ByzantineFraction(cfg.byzantine(), cfg.nodes());
        return CohortSettings.of(k, fraction, f -> switch (agg.rule()) {
            case MEAN -> new AggregationSettings(AggregatorKind.MEAN, Metric.COMMON, f, 0, 1);
            case KRUM -> new AggregationSettings(AggregatorKind.KRUM, agg.metric(), f, 0, 1);
            default -> new AggregationSettings(AggregatorKind.MULTI_KRUM, agg.metric(), f, agg.m(), 1);
        });
    }

    /**
     * Plays round {@code round}: every node waits for the round and its model; honest nodes train
     * from the model they received, Byzantine ones build their attack's block; the protocol
     * attackers publish first (see the class comment), then the others.
     *
     * @return the gateway's report of the round
     * @throws ScenarioException when the round does not close in time, or the report is of another round
     */
    private static RoundReport playRound(int round, Fleet fleet, ServerRule rule, NodeConnections connections,
            BlockingQueue<RoundReport> reports, List<String> cohort)
            throws IOException, InterruptedException, TimeoutException {
        List<String> drawn = publishRound(round, round, fleet, rule, connections);
        if (drawn != null) {
            cohort.addAll(drawn);
        }
        RoundReport report = reports.poll(WAIT.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        if (report == null) {
            throw new ScenarioException("round " + round + " did not close within " + WAIT.toSeconds() + " s");
        }
        if (report.round() != round) {
            throw new ScenarioException("expected the gateway's report of round " + round + ", got " + report.round());
        }
        return report;
    }

    /**
     * Every node waits for gateway round {@code gatewayRound} (or a later one) and its model; honest
     * nodes train from the model each received, Byzantine ones build their attack's block (both
     * seeded by the simulation's round {@code simRound}); the protocol attackers publish first, then
     * the others, each update for the round its node received. In a round that draws a cohort
     * (docs/PROTOCOL.md section 6.2) honest nodes outside it neither train nor publish; Byzantine nodes
     * outside it publish anyway, before the others (the gateway refuses them as {@code not-in-cohort}).
     *
     * @return the round's cohort as its announcement names it, null when the round asks every node
     */
    static List<String> publishRound(long gatewayRound, int simRound, Fleet fleet, ServerRule rule, NodeConnections connections)
            throws IOException, InterruptedException, TimeoutException {
        int round = simRound;
        List<SimNode> nodes = fleet.nodes();
        RoundStart[] starts = new RoundStart[nodes.size()];
        float[][] received = new float[nodes.size()][];
        boolean[] asked = new boolean[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            starts[i] = awaitRound(connections.client(i), gatewayRound);
            received[i] = Bfp16.decode(starts[i].model());
            asked[i] = connections.client(i).inCohort(starts[i]);
        }
        // Honest nodes the round asks train from the model each received (with local DP, their updates clipped and noised).
        float[][] updates = new float[nodes.size()][];
        for (int i = 0; i < nodes.size(); i++) {
            SimNode node = nodes.get(i);
            if (!node.isByzantine() && asked[i]) {
                updates[i] = node.trainUpdate(received[i], round);
            }
        }
        if (connections.channel() != null) {
            connections.channel().privatize(updates, round);
        }
        List<String> honestIds = new ArrayList<>();
        List<float[]> honestUpdates = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (updates[i] != null) {
                honestIds.add(nodes.get(i).id());
                honestUpdates.add(updates[i]);
            }
        }
        // The colluders see the round as it is: the honest updates it asked for, and those of them it asked.
        Set<String> askedIds = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (asked[i]) {
                askedIds.add(nodes.get(i).id());
            }
        }
        List<String> colluders = new ArrayList<>(fleet.byzantineIds());
        colluders.retainAll(askedIds);
        OmniscientView view = nodes.stream().anyMatch(SimNode::needsView) && !colluders.isEmpty()
                ? OmniscientView.of(honestIds.toArray(new String[0]),
                honestUpdates.toArray(new float[0][]), colluders.toArray(new String[0]), rule) : null;
        // Byzantine nodes the round did not ask first (so that their frames reach this round), then the nodes it asked.
        for (boolean membersPass : new boolean[] {false, true}) {
            for (int i : connections.publishingOrder()) {
                SimNode node = nodes.get(i);
                if (asked[i] != membersPass || (!asked[i] && !node.isByzantine())) {
                    continue;
                }
                // A Byzantine node the round did not ask sends a zero update: the gateway refuses it before reading the block.
                Bfp16Block block = !asked[i] ? Bfp16.encode(new float[received[i].length])
                        : node.isByzantine() ? node.publish(received[i], round, view) : Bfp16.encode(updates[i]);
                ProtocolAttacker attacker = connections.attacker(i);
                if (attacker != null) {
                    attacker.playRound(starts[i], block);
                } else {
                    connections.publishUpdate(i, starts[i], block, asked[i]);
                }
            }
        }
        return nodes.isEmpty() ? null : starts[0].announcement().cohort();
    }

    /** A round's record: the accuracy of the model it produced, and what the gateway selected and rejected. */
    static RoundRecord record(int round, Evaluation ev, RoundReport report, Set<String> byzantine) {
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
        return new RoundRecord(round, ev.accuracy(), ev.loss(), selected, byzSelected, rejected,
                report.closeNanos() / 1e6, exponent);
    }

    /**
     * The nodes that carry out {@code attacks} ({@code count} of the declared Byzantine nodes, -1
     * for all), canonical order; none when there are no attacks.
     *
     * @throws InvalidConfigException when there is no Byzantine node, or fewer than {@code count}
     */
    public static List<String> protocolAttackers(SimConfig cfg, List<ProtocolAttackSpec> attacks, int count) {
        if (attacks.isEmpty()) {
            return List.of();
        }
        List<String> byz = Fleet.declaredByzantineIds(cfg);
        if (byz.isEmpty()) {
            throw new InvalidConfigException("protocol attacks " + attacks.stream().map(a -> a.kind().id()).toList()
                    + " need Byzantine nodes to carry them out; --byzantine is 0");
        }
        if (count > byz.size()) {
            throw new InvalidConfigException(count + " protocol attackers asked for, but only " + byz.size()
                    + " nodes are Byzantine");
        }
        if (count == 0 || count < -1) {
            throw new InvalidConfigException("protocol attackers must be >= 1 (or all), got " + count);
        }
        return count < 0 ? byz : List.copyOf(byz.subList(0, count));
    }

    /**
     * Connects every client, several at a time: one connection (CONNECT, three subscriptions, the
     * birth message) takes a few hundred milliseconds on a loaded machine, most of it waiting.
     */
    private static void connectAll(List<NodeClient> clients) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(CONNECT_THREADS, clients.size()), r -> {
            Thread t = new Thread(r, "device-sim-connect");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> done = new ArrayList<>();
            for (NodeClient n : clients) {
                done.add(pool.submit(() -> {
                    n.connect();
                    return null;
                }));
            }
            for (Future<?> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException) {
                        throw (IOException) c;
                    }
                    if (c instanceof RuntimeException) {
                        throw (RuntimeException) c;
                    }
                    throw new IOException("a node could not connect: " + c, c);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The nodes' MQTT connections: one connected {@link NodeClient} per node (in the fleet's
     * order), and the protocol attackers with their raw connections. Closed before the gateway and
     * its broker stop.
     */
    static final class NodeConnections implements AutoCloseable {
        private final String brokerUri;
        private final List<NodeClient> clients = new ArrayList<>();
        private final ProtocolAttacker[] attackers;
        private final List<Integer> order = new ArrayList<>();
        private UpdateChannel channel;

        private NodeConnections(String brokerUri, int nodes) {
            this.brokerUri = brokerUri;
            this.attackers = new ProtocolAttacker[nodes];
        }

        /**
         * Connects a client per node of {@code creds}, trusting {@code gatewayKey}, and gives the
         * nodes of {@code attackerIds} their protocol attacker; on failure closes what it opened.
         */
        static NodeConnections open(String brokerUri, byte[] gatewayKey, List<NodeCredentials> creds, List<String> attackerIds,
                List<ProtocolAttackSpec> attacks, List<String> expected, SecureRandom random) throws IOException, InterruptedException {
            return open(creds, attackerIds, attacks, expected, random, brokerUri, FLEET,
                    cred -> NodeClient.builder(brokerUri, FLEET, cred).gatewayKey(gatewayKey));
        }

        /**
         * As above, each node's client built by {@code clients} (broker, fleet, pinned key,
         * credentials and TLS options of an external gateway's fleet).
         */
        static NodeConnections open(List<NodeCredentials> creds, List<String> attackerIds, List<ProtocolAttackSpec> attacks,
                List<String> expected, SecureRandom random, String brokerUri, String fleet,
                Function<NodeCredentials, NodeClient.Builder> clients) throws IOException, InterruptedException {
            NodeConnections c = new NodeConnections(brokerUri, creds.size());
            try {
                for (NodeCredentials cred : creds) {
                    c.clients.add(clients.apply(cred).connectTimeout(CONNECT_TIMEOUT).build());
                }
                connectAll(c.clients);
                // Protocol attackers first, then the others (see the class comment).
                for (int i = 0; i < creds.size(); i++) {
                    String id = creds.get(i).nodeId();
                    if (attackerIds.contains(id)) {
                        RawPublisher raw = new RawPublisher(brokerUri, "qora-attacker-" + fleet + "-" + id);
                        c.attackers[i] = new ProtocolAttacker(attacks, c.clients.get(i), raw, creds.get(i), expected, random);
                        c.order.add(i);
                    }
                }
                for (int i = 0; i < creds.size(); i++) {
                    if (c.attackers[i] == null) {
                        c.order.add(i);
                    }
                }
                return c;
            } catch (Throwable t) {
                try {
                    c.close();
                } catch (RuntimeException e) {
                    t.addSuppressed(e);
                }
                throw t;
            }
        }

        String brokerUri() {
            return brokerUri;
        }

        NodeClient client(int node) {
            return clients.get(node);
        }

        /**
         * Sends the nodes' updates through {@code c} from now on: local DP on the honest updates and
         * sparse frames at the run's densities, as the in-process simulator (null: dense, no DP).
         */
        NodeConnections channel(UpdateChannel c) {
            this.channel = c;
            return this;
        }

        /** The channel the updates go through, or null. */
        UpdateChannel channel() {
            return channel;
        }

        /**
         * Publishes node {@code node}'s update for the round {@code start} announced: dense, or at the
         * channel's density as a SPARSE UPDATE frame built by the node's client (a node the round did
         * not ask sends it dense: the gateway refuses it before reading the block).
         */
        void publishUpdate(int node, RoundStart start, Bfp16Block block, boolean asked) throws IOException {
            NodeClient client = clients.get(node);
            TopKSparsifier.Selection sel = channel != null && asked ? channel.select(node, block) : null;
            if (sel == null) {
                client.publishUpdate(start, block);
            } else {
                client.publishSparseUpdate(start, sel);
            }
        }

        /** The node's protocol attacker, or null for a node that only publishes its update. */
        ProtocolAttacker attacker(int node) {
            return attackers[node];
        }

        /** Node indices in the order they publish: protocol attackers first. */
        List<Integer> publishingOrder() {
            return order;
        }

        /** Attack frames published so far, by attack id. */
        Map<String, Long> framesSent() {
            Map<String, Long> sent = new TreeMap<>();
            for (ProtocolAttacker a : attackers) {
                if (a != null) {
                    a.sent().forEach((k, v) -> sent.merge(k.id(), v, Long::sum));
                }
            }
            return sent;
        }

        /** Closes the attackers' connections, then the clients' (each client even if an attacker's close fails). */
        @Override
        public void close() {
            try {
                for (ProtocolAttacker a : attackers) {
                    if (a != null) {
                        a.close();
                    }
                }
            } finally {
                closeAll(clients);
            }
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

    static RoundStart awaitRound(NodeClient client, long round)
            throws InterruptedException, TimeoutException {
        return client.awaitRound(round, WAIT);
    }

    static void deleteTree(Path root) {
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

    /**
     * How a scenario runs, besides its {@link SimConfig}.
     *
     * @param brokerUri an external broker ({@code tcp://host:port}), or null for the gateway's embedded broker
     * @param protocolAttacks protocol-level attacks (may be empty)
     * @param protocolAttackers how many of the Byzantine nodes (the first, canonical order) carry
     *     them out; -1 for all. With no model-level attack the declared Byzantine nodes
     *     ({@link Fleet#declaredByzantineIds}) train honestly and attack only on the wire.
     * @param reputation the gateway's reputation ledger (docs/REPUTATION.md; on by default, as in
     *     the gateway): nodes far outside the round or caught misbehaving lose score and are banned
     *     below the threshold, after which their frames are refused as {@code banned} and rounds
     *     close without them. Off, the gateway aggregates exactly what the in-process simulator
     *     does (which has no reputation), and every protocol attack keeps its own reason.
     * @param bansLowerF the gateway's {@code round.bansLowerF}: each banned node lowers the round's f
     *     (default true, as in the gateway); false keeps f as declared
     * @param weighting the gateway's {@code reputation.weighting} (only with reputation on): each
     *     update weighted by its node's reputation in the rule's averaging step (docs/REPUTATION.md
     *     section 7)
     * @param cohort the gateway's {@code round.cohort} (docs/PROTOCOL.md section 6.2): each round asks
     *     only this many nodes, drawn by the protocol's rule; 0 asks every node. For Krum, Multi-Krum and
     *     the mean the round's f is the fleet's Byzantine share of the cohort ({@code round.byzantineFraction
     *     = byzantine / nodes}); a pipeline keeps the f its line gives. Honest nodes outside the cohort
     *     neither train nor publish; Byzantine ones publish anyway (first), and are refused as
     *     {@code not-in-cohort}.
     */
    public record Options(String brokerUri, List<ProtocolAttackSpec> protocolAttacks, int protocolAttackers,
            boolean reputation, boolean bansLowerF, boolean weighting, int cohort, int maxNonZero, String centralSigma2) {
        public Options {
            protocolAttacks = List.copyOf(protocolAttacks);
            if (cohort < 0) {
                throw new InvalidConfigException("--cohort must be >= 1 (or 0: every node), got " + cohort);
            }
            if (maxNonZero < 0) {
                throw new InvalidConfigException("--max-non-zero must be >= 1 (or 0: no bound), got " + maxNonZero);
            }
        }

        /** Options without a cohort. */
        public Options(String brokerUri, List<ProtocolAttackSpec> protocolAttacks, int protocolAttackers, boolean reputation,
                boolean bansLowerF, boolean weighting) {
            this(brokerUri, protocolAttacks, protocolAttackers, reputation, bansLowerF, weighting, 0, 0, null);
        }

        /** Embedded broker, no protocol attack, all Byzantine nodes as attackers, reputation on, every node asked. */
        public static Options defaults() {
            return new Options(null, List.of(), -1, true, true, false, 0, 0, null);
        }

        /** Each round asks a cohort of {@code k} nodes (0: every node). */
        public Options cohort(int k) {
            return new Options(brokerUri, protocolAttacks, protocolAttackers, reputation, bansLowerF, weighting, k, maxNonZero, centralSigma2);
        }

        /** The gateway refuses updates with more than {@code k} non-zero coordinates ({@code round.maxNonZero}; 0: no bound). */
        public Options maxNonZero(int k) {
            return new Options(brokerUri, protocolAttacks, protocolAttackers, reputation, bansLowerF, weighting, cohort, k, centralSigma2);
        }

        /**
         * The gateway adds central noise of variance {@code sigma2} ({@code p/q} or {@code p}, in the
         * aggregate's LSB^2; docs/PRIVACY.md) to every aggregate, with a secret derived from the run's
         * seed ({@link #simulationSecret}); null: none.
         */
        public Options centralSigma2(String sigma2) {
            return new Options(brokerUri, protocolAttacks, protocolAttackers, reputation, bansLowerF, weighting, cohort, maxNonZero,
                    sigma2);
        }

        public Options broker(String uri) {
            return new Options(uri, protocolAttacks, protocolAttackers, reputation, bansLowerF, weighting, cohort, maxNonZero, centralSigma2);
        }

        public Options protocolAttacks(List<ProtocolAttackSpec> v) {
            return new Options(brokerUri, v, protocolAttackers, reputation, bansLowerF, weighting, cohort, maxNonZero, centralSigma2);
        }

        public Options protocolAttackers(int v) {
            return new Options(brokerUri, protocolAttacks, v, reputation, bansLowerF, weighting, cohort, maxNonZero, centralSigma2);
        }

        public Options reputation(boolean v) {
            return new Options(brokerUri, protocolAttacks, protocolAttackers, v, bansLowerF, weighting, cohort, maxNonZero, centralSigma2);
        }

        public Options bansLowerF(boolean v) {
            return new Options(brokerUri, protocolAttacks, protocolAttackers, reputation, v, weighting, cohort, maxNonZero, centralSigma2);
        }

        public Options weighting(boolean v) {
            return new Options(brokerUri, protocolAttacks, protocolAttackers, reputation, bansLowerF, v, cohort, maxNonZero, centralSigma2);
        }
    }

    /**
     * The central noise secret of a simulation with seed {@code seed}: SHA-256 of
     * {@code "device-sim central noise " + seed}. Derived, not drawn, so that a run repeats bit for
     * bit; a deployed gateway's secret is random and kept secret (docs/PRIVACY.md).
     */
    static byte[] simulationSecret(long seed) {
        return Digests.sha256().digest(("device-sim central noise " + seed).getBytes(StandardCharsets.US_ASCII));
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
     * @param reputation whether the gateway's reputation ledger (and its bans) was on
     * @param protocolAttacks the protocol-level attacks carried out
     * @param protocolAttackers the nodes that carried them out, canonical order
     * @param framesSent attack frames published over all rounds, by attack id (genuine updates not counted)
     * @param rejectedByReason the gateway's rejections over all rounds, by reason
     * @param rejectedTotal rejections over all rounds
     * @param gatewayReports the gateway's report of each round (a round that failed closed, for
     *     instance below Krum's quorum once nodes are banned, has {@code aggregated() == false} and
     *     its {@code failure()})
     * @param cohortSeats with a cohort: the seats of every round's cohort, summed (0 without one)
     * @param byzantineCohortSeats of those, the seats Byzantine nodes held
     */
    public record Result(SimResult sim, String brokerUri, boolean embeddedBroker, boolean reputation,
            List<ProtocolAttackSpec> protocolAttacks,
            List<String> protocolAttackers, Map<String, Long> framesSent, Map<String, Long> rejectedByReason,
            long rejectedTotal, List<RoundReport> gatewayReports, long cohortSeats, long byzantineCohortSeats) {
        public Result {
            gatewayReports = List.copyOf(gatewayReports);
            protocolAttacks = List.copyOf(protocolAttacks);
            protocolAttackers = List.copyOf(protocolAttackers);
            framesSent = Collections.unmodifiableMap(new TreeMap<>(framesSent));
            rejectedByReason = Collections.unmodifiableMap(new TreeMap<>(rejectedByReason));
        }

        /** Rounds the gateway closed without a new model. */
        public long failedRounds() {
            return gatewayReports.stream().filter(r -> !r.aggregated()).count();
        }
    }

    /** A round did not complete. */
    public static final class ScenarioException extends DeviceSimException {
        private static final long serialVersionUID = 1L;

        public ScenarioException(String message) {
            super(message);
        }
    }
}
