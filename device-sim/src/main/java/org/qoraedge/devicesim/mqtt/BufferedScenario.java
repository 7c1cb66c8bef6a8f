package org.qoraedge.devicesim.mqtt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.attack.OmniscientView;
import org.qoraedge.devicesim.attack.ServerRule;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.model.Evaluation;
import org.qoraedge.devicesim.model.Model;
import org.qoraedge.devicesim.sim.AggregatorSpec;
import org.qoraedge.devicesim.sim.Fleet;
import org.qoraedge.devicesim.sim.NodeSpeeds;
import org.qoraedge.devicesim.sim.RoundRecord;
import org.qoraedge.devicesim.sim.SimConfig;
import org.qoraedge.devicesim.sim.SimNode;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.aggregation.BufferedSettings;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.round.RoundReport;

/**
 * Synchronous against buffered rounds on the same fleet, over MQTT through a real gateway each:
 * nodes of heterogeneous speeds ({@link NodeSpeeds}: a seeded pace per node, some nodes many times
 * slower), accuracy against the fleet's time and against the updates the gateway received.
 *
 * <p><b>Time is virtual.</b> Each node's training takes the time {@link NodeSpeeds} gives it, in
 * virtual milliseconds; the gateway, the broker and the simulator's own computing take none. So a
 * run measures the protocol, not this machine's load, and gives the same curves on every run:
 * <ul>
 *   <li><b>Synchronous</b> ({@link MqttScenario}, reputation off): round {@code r} lasts until the
 *       slowest node has sent its update, {@link NodeSpeeds#syncRoundMillis}; every node trains from
 *       every round's model.</li>
 *   <li><b>Buffered</b> ({@code round.mode = buffered}, docs/PROTOCOL.md section 6.3): each node trains
 *       from the newest model it holds and publishes when its training time has passed; the
 *       simulator publishes updates in virtual-time order (ties by node index), one at a time, each
 *       acknowledged by the broker, and after the update that fills a buffer waits for the gateway to
 *       close it and publish the next version, which the nodes then train from. A node whose update
 *       has fallen more than {@code maxStaleness} versions behind discards it without sending
 *       ({@link NodeClient#stillTaken}) and trains again from the newest model; a node that already
 *       has an update in the buffer being collected holds its next one until that buffer closes (the
 *       gateway takes one update per node per buffer).</li>
 * </ul>
 * Byzantine nodes train (or craft) on the same clock; a colluding attack sees every honest node's
 * pending update. The buffered gateway's f is the fleet's Byzantine count (at most B), unless
 * given: Byzantine nodes need not train, so they can send first after every new version and take
 * that many seats of every buffer (docs/PROTOCOL.md section 6.3, "f of a buffer"). With f as their
 * share of the buffer instead ({@code --buffer-f}), such attackers own the buffers.
 */
public final class BufferedScenario {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private BufferedScenario() {
    }

    /**
     * How the comparison runs, besides the fleet's {@link SimConfig} (whose rounds are the
     * synchronous run's; the buffered run lasts as long in virtual time).
     *
     * @param bufferSize the gateway's {@code round.bufferSize}
     * @param maxStaleness its {@code round.maxStaleness}
     * @param serverStepShift its {@code round.serverStepShift}: a server step of {@code 2^-serverStepShift}
     * @param bufferF f given to the buffered gateway's rule; -1: the fleet's Byzantine count, at most B
     * @param bufferAggregator the buffered gateway's rule (a pipeline names its own f), or null for the fleet's rule with {@code bufferF}
     * @param speeds the nodes' training times
     * @param brokerUri an external broker, or null for the gateway's embedded one
     * @param fastByzantine Byzantine nodes send 1 virtual ms after each model they take (they need not
     *     train: the attacker that fills buffers first); false: at the fleet's speeds
     */
    public record Settings(int bufferSize, int maxStaleness, int serverStepShift, int bufferF, AggregatorSpec bufferAggregator, NodeSpeeds speeds,
            String brokerUri, boolean fastByzantine) {
        public Settings {
            new BufferedSettings(bufferSize, maxStaleness, serverStepShift); // refuses values out of range
            if (bufferF < -1) {
                throw new InvalidConfigException("the buffer's f must be >= 0 (or -1: the fleet's Byzantine count, at most B), got " + bufferF);
            }
        }
    }

    /**
     * One point of a curve: the model after a synchronous round or a buffer.
     *
     * @param version the round (synchronous) or the buffer's version (buffered); 0 is the initial model
     * @param virtualMillis the fleet's virtual time when the model was published
     * @param received updates the gateway had received by then (accepted or not)
     * @param accepted updates it had accepted (aggregated) by then
     * @param record the round's record (its accuracy, selection, rejections); null for the initial model
     */
    public record Point(long version, long virtualMillis, long received, long accepted, double accuracy, RoundRecord record) {
    }

    /**
     * Both runs.
     *
     * @param sync the synchronous run's points, from the initial model
     * @param buffered the buffered run's points, from the initial model
     * @param discarded buffered updates the nodes discarded as too stale
     * @param bufferF the f the buffered gateway used
     * @param syncWallMillis, bufferedWallMillis real time each run took on this machine
     */
    public record Comparison(List<Point> sync, List<Point> buffered, long discarded, int bufferF, long syncWallMillis,
            long bufferedWallMillis) {
        public Comparison {
            sync = List.copyOf(sync);
            buffered = List.copyOf(buffered);
        }
    }

    /** Told of each point as it is measured. */
    @FunctionalInterface
    public interface Listener {
        void point(String mode, Point p);
    }

    /** Runs {@code cfg} synchronously for its rounds, then buffered for as long in virtual time. */
    public static Comparison run(SimConfig cfg, TrainTest data, Settings s, Listener listener)
            throws IOException, InterruptedException {
        if (s.speeds().nodes() != cfg.nodes()) {
            throw new InvalidConfigException("the speeds are for " + s.speeds().nodes() + " nodes, the fleet has " + cfg.nodes());
        }
        int bufferF = s.bufferF() >= 0 ? s.bufferF() : Math.min(s.bufferSize(), cfg.byzantine());
        AggregatorSpec bufferRule = weightable(s.bufferAggregator() != null ? s.bufferAggregator() : cfg.aggregator(), bufferF);

        long t0 = System.nanoTime();
        List<Point> sync = new ArrayList<>();
        sync.add(new Point(0, 0, 0, 0, Double.NaN, null));
        long[] clock = {0, 0, 0};
        MqttScenario.Result syncRun = MqttScenario.run(cfg, data,
                MqttScenario.Options.defaults().reputation(false).broker(s.brokerUri()), (rec, rep) -> {
                    clock[0] += s.speeds().syncRoundMillis(rec.round() - 1);
                    clock[1] += cfg.nodes();
                    clock[2] += rep.acceptedIds().size();
                    Point p = new Point(rec.round(), clock[0], clock[1], clock[2], rec.accuracy(), rec);
                    sync.add(p);
                    listener.point("sync", p);
                });
        sync.set(0, new Point(0, 0, 0, 0, syncRun.sim().initialAccuracy(), null));
        long syncWall = (System.nanoTime() - t0) / 1_000_000;

        long t1 = System.nanoTime();
        List<Point> buffered = new ArrayList<>();
        buffered.add(sync.get(0));
        long discarded = runBuffered(cfg, data, s, bufferRule, bufferF, clock[0], buffered, listener);
        return new Comparison(sync, buffered, discarded, bufferF, syncWall, (System.nanoTime() - t1) / 1_000_000);
    }

    /**
     * The buffered run under {@code bufferRule} (a pipeline, {@link #weightable}) with {@code bufferF}, until the
     * fleet's virtual clock passes {@code horizonMillis}; returns the updates discarded as stale.
     */
    private static long runBuffered(SimConfig cfg, TrainTest data, Settings s, AggregatorSpec bufferRule, int bufferF,
            long horizonMillis,
            List<Point> points, Listener listener) throws IOException, InterruptedException {
        Fleet fleet = Fleet.create(cfg, data.train());
        Model model = fleet.model();
        List<SimNode> nodes = fleet.nodes();
        Set<String> byzantine = new HashSet<>(fleet.byzantineIds());
        Bfp16Block initialBlock = Bfp16.encode(fleet.initialParameters());
        SimConfig gatewayCfg = cfg.toBuilder().krumF(bufferF).aggregator(bufferRule).build();
        ServerRule rule = bufferRule.serverRule(bufferF);
        Path tmp = Files.createTempDirectory("device-sim-buffered");
        try {
            SecureRandom random = new SecureRandom();
            MqttScenario.Provisioned p = MqttScenario.Provisioned.write(nodes, initialBlock, tmp, random);
            GatewayConfig gc = MqttScenario.gatewayConfigBuilder(gatewayCfg, MqttScenario.Options.defaults().reputation(false)
                    .broker(s.brokerUri()), p.keys(), p.expected(), p.initialModel(), "device-sim-" + model.name(),
                    initialBlock.dimension(), tmp.resolve("state"))
                    .buffered(new BufferedSettings(s.bufferSize(), s.maxStaleness(), s.serverStepShift()))
                    .deadline(WAIT).maxRounds(0).build();
            BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
            Gateway.Options go = (s.brokerUri() == null ? Gateway.Options.embeddedBroker().embeddedPort(0)
                    : Gateway.Options.external()).listener(reports::add);
            try (Gateway gw = Gateway.start(gc, go);
                    MqttScenario.NodeConnections connections = MqttScenario.NodeConnections.open(
                            s.brokerUri() != null ? s.brokerUri() : gw.brokerUri(), gw.publicKey(), p.creds(), List.of(), List.of(),
                            p.expected(), random)) {
                return new Clock(fleet, rule, connections, s, reports, byzantine, model, data, points, listener)
                        .run(horizonMillis);
            }
        } catch (TimeoutException e) {
            throw new MqttScenario.ScenarioException(e.getMessage());
        } finally {
            MqttScenario.deleteTree(tmp);
        }
    }

    /**
     * {@code spec} as a pipeline: the gateway weights updates (by staleness) only through a pipeline
     * (docs/PROTOCOL.md section 6.3), so the mean and Multi-Krum become their one-stage pipelines
     * with {@code f}, the same rule.
     */
    static AggregatorSpec weightable(AggregatorSpec spec, int f) {
        return switch (spec.rule()) {
            case PIPELINE -> spec;
            case MEAN -> AggregatorSpec.pipeline("mean");
            case MULTI_KRUM -> AggregatorSpec.pipeline("multi-krum(" + f + ", " + (spec.m() > 0 ? String.valueOf(spec.m()) : "auto")
                    + ", " + spec.metric().name().toLowerCase(Locale.ROOT) + ")");
            case KRUM -> throw new InvalidConfigException("buffered rounds need a rule that averages (the staleness weights need"
                    + " one): use mean, Multi-Krum or a pipeline ending in one, not " + spec.id());
        };
    }

    /** The buffered run's event loop on the virtual clock. */
    private static final class Clock {
        private final List<SimNode> nodes;
        private final ServerRule rule;
        private final MqttScenario.NodeConnections connections;
        private final Settings s;
        private final BlockingQueue<RoundReport> reports;
        private final Set<String> byzantine;
        private final List<String> byzantineIds;
        private final Model model;
        private final TrainTest data;
        private final List<Point> points;
        private final Listener listener;
        private final int n;
        /** What each node trained from, its pending update (honest: the float update) and when it is ready. */
        private final RoundStart[] from;
        private final float[][] pending;
        private final long[] readyAt;
        private final long[] updatesTrained;
        /** The version of the buffer each node last sent an update into (0: none). */
        private final long[] sentInto;

        Clock(Fleet fleet, ServerRule rule, MqttScenario.NodeConnections connections, Settings s,
                BlockingQueue<RoundReport> reports, Set<String> byzantine, Model model, TrainTest data, List<Point> points,
                Listener listener) {
            this.nodes = fleet.nodes();
            this.rule = rule;
            this.connections = connections;
            this.s = s;
            this.reports = reports;
            this.byzantine = byzantine;
            this.byzantineIds = fleet.byzantineIds();
            this.model = model;
            this.data = data;
            this.points = points;
            this.listener = listener;
            this.n = nodes.size();
            this.from = new RoundStart[n];
            this.pending = new float[n][];
            this.readyAt = new long[n];
            this.updatesTrained = new long[n];
            this.sentInto = new long[n];
        }

        long run(long horizonMillis) throws IOException, InterruptedException, TimeoutException {
            long version = 1;
            long received = 0;
            long accepted = 0;
            long discarded = 0;
            int inBuffer = 0;
            for (int i = 0; i < n; i++) {
                train(i, version, 0);
            }
            List<Integer> held = new ArrayList<>();
            while (true) {
                int i = next();
                long now = readyAt[i];
                if (now > horizonMillis) {
                    return discarded;
                }
                // The node holds every version published by now (the clock waits for each), so what it
                // decides does not depend on how fast the announcements travel.
                NodeClient client = connections.client(i);
                MqttScenario.awaitRound(client, version);
                if (!client.stillTaken(from[i])) {
                    discarded++;
                    train(i, version, now);
                    continue;
                }
                if (sentInto[i] == version) {
                    readyAt[i] = Long.MAX_VALUE;
                    held.add(i);
                    continue;
                }
                client.publishUpdate(from[i], block(i));
                sentInto[i] = version;
                received++;
                inBuffer++;
                if (inBuffer == s.bufferSize()) {
                    RoundReport report = reports.poll(WAIT.toMillis() + 10_000, TimeUnit.MILLISECONDS);
                    if (report == null || report.round() != version || !report.aggregated()) {
                        throw new MqttScenario.ScenarioException("buffer " + version + " did not close with a new model: "
                                + (report == null ? "no report within " + WAIT.toSeconds() + " s"
                                : "report of " + report.round() + (report.aggregated() ? "" : ", failed: " + report.failure())
                                        + ", refused " + report.rejectedSummary()));
                    }
                    if (report.acceptedIds().size() != s.bufferSize()) {
                        throw new MqttScenario.ScenarioException("buffer " + version + " closed with " + report.acceptedIds().size()
                                + " updates, not " + s.bufferSize() + (report.deadlineReached() ? ", at its deadline" : "")
                                + "; refused: " + report.rejectedSummary());
                    }
                    accepted += report.acceptedIds().size();
                    RoundStart next = MqttScenario.awaitRound(connections.client(0), version + 1);
                    Evaluation ev = model.evaluate(Bfp16.decode(next.model()), data.test());
                    RoundRecord rec = MqttScenario.record((int) version, ev, report, byzantine);
                    Point pt = new Point(version, now, received, accepted, ev.accuracy(), rec);
                    points.add(pt);
                    listener.point("buffered", pt);
                    version++;
                    inBuffer = 0;
                    for (int h : held) {
                        readyAt[h] = now;
                    }
                    held.clear();
                }
                train(i, version, now);
            }
        }

        /** The node whose update is ready first (ties: the lower index). */
        private int next() {
            int best = 0;
            for (int i = 1; i < n; i++) {
                if (readyAt[i] < readyAt[best]) {
                    best = i;
                }
            }
            return best;
        }

        /** Node {@code i} takes the newest model it holds (at least {@code version}) and trains its next update from {@code now}. */
        private void train(int i, long version, long now) throws InterruptedException, TimeoutException {
            from[i] = MqttScenario.awaitRound(connections.client(i), version);
            long k = updatesTrained[i]++;
            SimNode node = nodes.get(i);
            // An honest node's update (or a Byzantine node's own, for attacks that need it) is computed
            // now; a Byzantine block is crafted when it is sent, from what the honest nodes then hold.
            pending[i] = node.isByzantine() ? null : node.trainUpdate(Bfp16.decode(from[i].model()), (int) k + 1);
            readyAt[i] = now + (s.fastByzantine() && node.isByzantine() ? 1 : s.speeds().delayMillis(i, k));
        }

        private Bfp16Block block(int i) {
            SimNode node = nodes.get(i);
            if (!node.isByzantine()) {
                return Bfp16.encode(pending[i]);
            }
            OmniscientView view = null;
            if (node.needsView()) {
                List<String> ids = new ArrayList<>();
                List<float[]> updates = new ArrayList<>();
                for (int j = 0; j < n; j++) {
                    if (pending[j] != null) {
                        ids.add(nodes.get(j).id());
                        updates.add(pending[j]);
                    }
                }
                view = OmniscientView.of(ids.toArray(new String[0]), updates.toArray(new float[0][]),
                        byzantineIds.toArray(new String[0]), rule);
            }
            return node.publish(Bfp16.decode(from[i].model()), (int) updatesTrained[i], view);
        }
    }
}
