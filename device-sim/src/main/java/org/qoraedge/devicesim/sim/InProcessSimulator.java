package org.qoraedge.devicesim.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.attack.OmniscientView;
import org.qoraedge.devicesim.attack.RuleOutcome;
import org.qoraedge.devicesim.attack.ServerRule;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.model.Evaluation;
import org.qoraedge.devicesim.model.Model;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.krum.Krum;

/**
 * Federated rounds in one process, no MQTT: what the tests and the matrix's fast path use, and
 * what the MQTT fleet mirrors. Each round:
 * <ol>
 *   <li>every honest node trains from the global model (in parallel on {@code threads} threads;
 *       each node's training is sequential, so the result does not depend on the thread count);</li>
 *   <li>for colluding attacks, the honest updates form the round's {@link OmniscientView}, which
 *       also carries the server's rule ({@link AggregatorSpec#serverRule});</li>
 *   <li>honest updates are encoded with {@link Bfp16#encode}, Byzantine nodes craft their blocks;</li>
 *   <li>blocks are put in canonical node-id order and aggregated by fixedpoint (exact mean, Krum or
 *       Multi-Krum under COMMON or PAIRWISE) through that same rule;</li>
 *   <li>the new global model is the gateway's: the exact integer sum of the global block and the
 *       aggregate, re-encoded as one BFP-16 block (server learning rate 1); its decoded values are
 *       evaluated on the test set and are what the nodes train from in the next round.</li>
 * </ol>
 * Everything except the timings is a deterministic function of the configuration and the data,
 * and bit-identical to what the MQTT fleet ({@code MqttScenario}) computes through a real gateway
 * for the same configuration (the initial model too is encoded as a block first, as the gateway
 * receives it). Keeping the global model in float32 instead would drift from the gateway's by the
 * quantisation of each round's re-encoding (seen in the fifth digit of the test loss after a few
 * rounds).
 */
public final class InProcessSimulator {
    private InProcessSimulator() {
    }

    /** Runs {@code cfg} on {@code data}, telling {@code listener} about each round. */
    public static SimResult run(SimConfig cfg, TrainTest data, RoundListener listener) {
        long start = System.nanoTime();
        Fleet fleet = Fleet.create(cfg, data.train());
        Model model = fleet.model();
        List<SimNode> nodes = fleet.nodes();
        int n = nodes.size();
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = nodes.get(i).id();
        }
        int[] canonical = NodeIds.canonicalOrder(ids);
        Set<String> byzantine = new HashSet<>(fleet.byzantineIds());
        int f = cfg.effectiveKrumF();
        if (cfg.aggregator().rule() == AggregatorSpec.Rule.KRUM) {
            Krum.checkQuorum(n, f);
        } else if (cfg.aggregator().rule() == AggregatorSpec.Rule.MULTI_KRUM) {
            Krum.checkSelectionSize(n, f, cfg.aggregator().selectionSize(n, f));
        } else if (cfg.aggregator().rule() == AggregatorSpec.Rule.PIPELINE && n < cfg.aggregator().pipeline().minimumUpdates()) {
            throw new InvalidConfigException(cfg.aggregator().id() + " needs " + cfg.aggregator().pipeline().minimumUpdates()
                    + " updates per round, the fleet has " + n + " nodes");
        }
        // Centered clipping's reference: the previous round's aggregate (robust spec section 6), null before the first.
        Bfp16Block[] previousAggregate = new Bfp16Block[1];
        ServerRule rule = cfg.aggregator().serverRule(f, () -> previousAggregate[0]);

        // The global model lives as a BFP-16 block, as on the gateway: the initial parameters are
        // encoded once, and each round's new model is the exact integer sum of the old block and
        // the aggregate, re-encoded (fixedpoint's ModelUpdate.add). Nodes train from its decoded values.
        Bfp16Block globalBlock = Bfp16.encode(fleet.initialParameters());
        float[] global = Bfp16.decode(globalBlock);
        double initialAccuracy = model.evaluate(global, data.test()).accuracy();
        List<RoundRecord> records = new ArrayList<>();
        UpdateChannel channel = new UpdateChannel(cfg, nodes, model.name());
        int diverged = 0;
        ExecutorService pool = cfg.threads() > 1 ? Executors.newFixedThreadPool(cfg.threads(), r -> {
            Thread t = new Thread(r, "device-sim-trainer");
            t.setDaemon(true);
            return t;
        }) : null;
        try {
            for (int round = 1; round <= cfg.rounds(); round++) {
                float[][] updates = trainHonest(nodes, global, round, pool);
                if (!allFinite(updates)) {
                    diverged = round;
                    break;
                }
                channel.privatize(updates, round);
                OmniscientView view = null;
                if (nodes.stream().anyMatch(SimNode::needsView)) {
                    view = honestView(nodes, updates, fleet.byzantineIds(), rule);
                }
                Bfp16Block[] published = publish(nodes, updates, global, round, view, pool);
                long updateBytes = channel.send(published);

                long t0 = System.nanoTime();
                Bfp16Block[] blocks = new Bfp16Block[n];
                for (int k = 0; k < n; k++) {
                    blocks[k] = published[canonical[k]];
                }
                RuleOutcome outcome = rule.apply(blocks);
                Bfp16Block aggregate = outcome.aggregate();
                int[] selectedIdx = outcome.used();
                globalBlock = ModelUpdate.add(globalBlock, aggregate);
                previousAggregate[0] = aggregate;
                global = Bfp16.decode(globalBlock);
                double closeMillis = (System.nanoTime() - t0) / 1e6;

                List<String> selected = new ArrayList<>();
                int byzSelected = 0;
                for (int k : selectedIdx) {
                    String id = ids[canonical[k]];
                    selected.add(id);
                    if (byzantine.contains(id)) {
                        byzSelected++;
                    }
                }
                Evaluation ev = model.evaluate(global, data.test());
                RoundRecord rec = new RoundRecord(round, ev.accuracy(), ev.loss(), selected, byzSelected, Map.of(),
                        closeMillis, aggregate.exponent(), updateBytes);
                records.add(rec);
                listener.roundDone(rec);
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return new SimResult(cfg, model.name(), model.parameterCount(), fleet.byzantineIds(), initialAccuracy, records,
                diverged, (System.nanoTime() - start) / 1_000_000, global);
    }

    /** Honest nodes' updates at their node index; null for Byzantine nodes. */
    private static float[][] trainHonest(List<SimNode> nodes, float[] global, int round, ExecutorService pool) {
        float[][] out = new float[nodes.size()][];
        if (pool == null) {
            for (int i = 0; i < out.length; i++) {
                if (!nodes.get(i).isByzantine()) {
                    out[i] = nodes.get(i).trainUpdate(global, round);
                }
            }
            return out;
        }
        List<Future<float[]>> futures = new ArrayList<>();
        for (SimNode node : nodes) {
            futures.add(node.isByzantine() ? null : pool.submit(() -> node.trainUpdate(global, round)));
        }
        for (int i = 0; i < out.length; i++) {
            if (futures.get(i) != null) {
                out[i] = await(futures.get(i));
            }
        }
        return out;
    }

    private static Bfp16Block[] publish(List<SimNode> nodes, float[][] honestUpdates, float[] global, int round,
            OmniscientView view, ExecutorService pool) {
        Bfp16Block[] out = new Bfp16Block[nodes.size()];
        List<Future<Bfp16Block>> futures = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            SimNode node = nodes.get(i);
            if (!node.isByzantine()) {
                out[i] = Bfp16.encode(honestUpdates[i]);
                futures.add(null);
            } else if (pool == null) {
                out[i] = node.publish(global, round, view);
                futures.add(null);
            } else {
                futures.add(pool.submit(() -> node.publish(global, round, view)));
            }
        }
        for (int i = 0; i < out.length; i++) {
            if (futures.get(i) != null) {
                out[i] = await(futures.get(i));
            }
        }
        return out;
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while nodes were training", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            if (c instanceof Error) {
                throw (Error) c;
            }
            throw new IllegalStateException(c);
        }
    }

    private static OmniscientView honestView(List<SimNode> nodes, float[][] updates, List<String> byzantineIds,
            ServerRule rule) {
        List<String> ids = new ArrayList<>();
        List<float[]> ups = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (!nodes.get(i).isByzantine()) {
                ids.add(nodes.get(i).id());
                ups.add(updates[i]);
            }
        }
        return OmniscientView.of(ids.toArray(new String[0]), ups.toArray(new float[0][]),
                byzantineIds.toArray(new String[0]), rule);
    }

    private static boolean allFinite(float[][] updates) {
        for (float[] u : updates) {
            if (u == null) {
                continue;
            }
            for (float x : u) {
                if (!Float.isFinite(x)) {
                    return false;
                }
            }
        }
        return true;
    }
}
