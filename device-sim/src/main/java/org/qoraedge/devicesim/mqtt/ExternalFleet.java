package org.qoraedge.devicesim.mqtt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.attack.ProtocolAttackSpec;
import org.qoraedge.devicesim.attack.ServerRule;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.model.Evaluation;
import org.qoraedge.devicesim.model.Model;
import org.qoraedge.devicesim.sim.AggregatorSpec;
import org.qoraedge.devicesim.sim.Fleet;
import org.qoraedge.devicesim.sim.RoundRecord;
import org.qoraedge.devicesim.sim.SimConfig;
import org.qoraedge.devicesim.sim.SimNode;
import org.qoraedge.devicesim.sim.SimResult;
import org.qoraedge.devicesim.sim.UpdateChannel;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.Topics;

/**
 * A simulated fleet that joins a gateway running in another process ({@code scenario --gateway
 * external}): one {@link org.qoraedge.gateway.client.NodeClient} per node on the gateway's broker,
 * each with the credentials file the gateway's {@code keys} command wrote for it ({@code
 * DIR/node-01.key} ...), trusting only the gateway key pinned there. The nodes train and attack as
 * in {@link MqttScenario}; what the gateway did with each round (the updates it used, what it
 * refused and why, its close time) is read from the signed round records it publishes on its audit
 * topic, each checked against the pinned key.
 *
 * <p>The fleet plays the gateway's rounds as they come: simulation round 1 is the first round
 * announced after the nodes connect (the gateway may be at round 37), and each later one the next
 * round the gateway announces. Nothing here controls the gateway: its rule, deadline and quorum are
 * its own, and a round it closes without a new model is recorded as failed with the reason from its
 * record.
 */
public final class ExternalFleet {
    private static final Duration WAIT = Duration.ofSeconds(120);
    /** How long to wait for a round's record after its successor was announced. */
    private static final long RECORD_WAIT_MILLIS = 10_000;
    /** The largest round record read (a record lists at most {@code audit.maxFrames} frames). */
    private static final long MAX_RECORD_BYTES = 16L << 20;

    private ExternalFleet() {
    }

    /**
     * A run's outcome.
     *
     * @param sim the rounds in the in-process simulator's shape (accuracy on the test set of the model
     *     the nodes received after each round; {@code aggregateExponent} 0: the record does not carry it)
     * @param firstGatewayRound the gateway's number of simulation round 1
     * @param framesSent protocol-attack frames published, by attack id
     * @param rejectedByReason the gateway's refusals over the run, by reason, from its records
     * @param failedRounds rounds the gateway closed without a new model
     * @param recordsMissing rounds whose record did not arrive (the table then shows no selection for them)
     * @param recordsRefused records on the audit topic that did not verify with the pinned key
     */
    public record Result(SimResult sim, long firstGatewayRound, Map<String, Long> framesSent, Map<String, Long> rejectedByReason,
            int failedRounds, int recordsMissing, long recordsRefused) {
    }

    /** Told about each round: its record, and the gateway's failure reason ("" when it aggregated). */
    @FunctionalInterface
    public interface Listener {
        void roundDone(RoundRecord record, long gatewayRound, String failure);
    }

    /**
     * Runs {@code cfg.rounds()} of the gateway's rounds with {@code cfg}'s fleet (node ids {@code
     * node-01 ..}, data shards, Byzantine nodes and attacks).
     *
     * @param keysDir the directory of the nodes' credentials files
     * @param ruleFromGateway true: the adaptive attackers assume the rule the gateway announces;
     *     false: {@code cfg}'s aggregator and f
     * @throws InvalidConfigException for a missing or unpinned key file, keys pinning different
     *     gateways, or a model whose size is not the gateway's {@code model.dimension}
     */
    public static Result run(SimConfig cfg, TrainTest data, ExternalGateway gateway, Path keysDir,
            List<ProtocolAttackSpec> protocolAttacks, int protocolAttackers, boolean ruleFromGateway, Listener listener)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        Fleet fleet = Fleet.create(cfg, data.train());
        Model model = fleet.model();
        List<SimNode> nodes = fleet.nodes();
        List<NodeCredentials> creds = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        byte[] pinned = null;
        for (SimNode n : nodes) {
            Path file = ExternalGateway.keyFile(keysDir, n.id());
            NodeCredentials c = ExternalGateway.readKey(file);
            if (!c.nodeId().equals(n.id())) {
                throw new InvalidConfigException(file + " holds the key of " + c.nodeId() + ", not of " + n.id());
            }
            if (pinned == null) {
                pinned = c.gatewayKey();
            } else if (!Arrays.equals(pinned, c.gatewayKey())) {
                throw new InvalidConfigException(file + " pins another gateway key than " + ExternalGateway.keyFile(keysDir,
                        nodes.get(0).id()) + ": the fleet's keys come from two gateways");
            }
            creds.add(c);
            ids.add(n.id());
        }
        BrokerProbe.check(gateway.brokerUri());
        List<String> attackerIds = MqttScenario.protocolAttackers(cfg, protocolAttacks, protocolAttackers);
        Set<String> byzantine = new HashSet<>(fleet.byzantineIds());
        Topics topics = new Topics(gateway.fleet());
        Map<Long, AuditRecord> records = new ConcurrentHashMap<>();
        AtomicLong refused = new AtomicLong();
        byte[] gatewayKey = pinned;
        MqttLink.Sink onRecord = (topic, message) -> {
            try {
                AuditRecord r = AuditLog.verify(new String(message.getPayload(), StandardCharsets.UTF_8).strip(), gatewayKey);
                records.put(r.round(), r);
            } catch (RuntimeException e) {
                // Anyone the broker lets publish there can: unsigned, forged or malformed, it is refused and counted.
                refused.incrementAndGet();
            }
        };
        SecureRandom random = new SecureRandom();
        try (MqttLink audit = new MqttLink(gateway.observer("qora-fleet-audit-" + gateway.fleet() + "-" + Long.toHexString(
                random.nextLong()), MAX_RECORD_BYTES).build(), List.of(new MqttLink.Subscription(topics.audit(), 1)), onRecord,
                null, null);
                MqttScenario.NodeConnections connections = MqttScenario.NodeConnections.open(creds, attackerIds, protocolAttacks,
                        ids, random, gateway.brokerUri(), gateway.fleet(), gateway::client)) {
            audit.connect();
            connections.channel(new UpdateChannel(cfg, fleet.nodes(), model.name()));
            RoundStart first;
            try {
                first = connections.client(0).awaitRound(1, WAIT);
            } catch (TimeoutException e) {
                throw new MqttScenario.ScenarioException("no round announcement from the gateway on " + gateway.brokerUri()
                        + " for fleet " + gateway.fleet() + " within " + WAIT.toSeconds() + " s: is the gateway running with"
                        + " fleet = " + gateway.fleet() + " on this broker, and do the keys pin its key?");
            }
            RoundAnnouncement a = first.announcement();
            ExternalGateway.checkDimension(a, model, cfg.model() + " on " + cfg.dataset());
            SimConfig played = ruleFromGateway ? cfg.toBuilder().aggregator(announcedRule(a)).krumF(a.f()).build() : cfg;
            ServerRule rule = played.aggregator().serverRule(played.effectiveKrumF());
            List<RoundRecord> out = new ArrayList<>();
            Map<String, Long> rejectedByReason = new TreeMap<>();
            int failed = 0;
            int missing = 0;
            long gatewayRound = first.round();
            float[] global = Bfp16.decode(first.model());
            double initialAccuracy = model.evaluate(global, data.test()).accuracy();
            for (int k = 1; k <= cfg.rounds(); k++) {
                MqttScenario.publishRound(gatewayRound, k, fleet, rule, connections);
                RoundStart next;
                try {
                    next = connections.client(0).awaitRound(gatewayRound + 1, WAIT);
                } catch (TimeoutException e) {
                    throw new MqttScenario.ScenarioException("the gateway announced no round after " + gatewayRound + " within "
                            + WAIT.toSeconds() + " s");
                }
                global = Bfp16.decode(next.model());
                Evaluation ev = model.evaluate(global, data.test());
                AuditRecord r = awaitRecord(records, gatewayRound);
                String failure = "";
                List<String> selected = new ArrayList<>();
                int byzSelected = 0;
                Map<String, Integer> rejected = new TreeMap<>();
                double closeMillis = 0;
                if (r == null) {
                    missing++;
                } else {
                    if (!"aggregated".equals(r.outcome())) {
                        failed++;
                        failure = r.failure() == null || r.failure().isEmpty() ? r.outcome() : r.failure();
                    }
                    for (int i : r.selected()) {
                        String id = r.canonicalOrder().get(i);
                        selected.add(id);
                        if (byzantine.contains(id)) {
                            byzSelected++;
                        }
                    }
                    for (AuditRecord.FrameEntry f : r.frames()) {
                        if (!"accepted".equals(f.status())) {
                            rejected.merge(f.status(), 1, Integer::sum);
                            rejectedByReason.merge(f.status(), 1L, Long::sum);
                        }
                    }
                    closeMillis = r.timing() == null ? 0 : r.timing().closeMicros() / 1000.0;
                }
                RoundRecord rec = new RoundRecord(k, ev.accuracy(), ev.loss(), selected, byzSelected, rejected, closeMillis, 0);
                out.add(rec);
                listener.roundDone(rec, gatewayRound, r == null ? "no round record received" : failure);
                gatewayRound = next.round();
            }
            SimResult sim = new SimResult(played, model.name(), model.parameterCount(), fleet.byzantineIds(), initialAccuracy, out, 0,
                    (System.nanoTime() - start) / 1_000_000, global);
            return new Result(sim, first.round(), connections.framesSent(), rejectedByReason, failed, missing, refused.get());
        } catch (TimeoutException e) {
            throw new MqttScenario.ScenarioException(e.getMessage());
        }
    }

    /** The rule a round announcement names, in the simulator's spelling (what adaptive attackers assume). */
    static AggregatorSpec announcedRule(RoundAnnouncement a) {
        String metric = a.metric().toLowerCase(Locale.ROOT);
        switch (a.aggregator().toLowerCase(Locale.ROOT)) {
            case "mean":
                return AggregatorSpec.MEAN;
            case "krum":
                return AggregatorSpec.parse("krum-" + metric);
            case "multi-krum":
                return AggregatorSpec.parse("multikrum-" + metric + (a.m() > 0 ? ":m=" + a.m() : ""));
            default:
                return AggregatorSpec.parse(a.aggregator());
        }
    }

    private static AuditRecord awaitRecord(Map<Long, AuditRecord> records, long round) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECORD_WAIT_MILLIS);
        AuditRecord r;
        while ((r = records.remove(round)) == null && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        return r;
    }
}
