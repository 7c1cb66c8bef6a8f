package org.qoraedge.devicesim.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.attack.Attacks;
import org.qoraedge.devicesim.attack.ModelAttack;
import org.qoraedge.devicesim.data.Dataset;
import org.qoraedge.devicesim.model.Model;
import org.qoraedge.devicesim.model.Models;
import org.qoraedge.fixedpoint.random.SplitMix64;

/**
 * The nodes of a run, built from a {@link SimConfig} and a training set: ids
 * {@code node-01..node-N}, one shard each, and the Byzantine subset with its attack. The MQTT fleet
 * builds the same nodes from the same configuration.
 */
public final class Fleet {
    private static final long SHARD_STREAM = 0x5348415244L; // "SHARD"
    private static final long BYZANTINE_STREAM = 0x42595aL; // "BYZ"
    private static final long INIT_STREAM = 0x494E4954L; // "INIT"

    private final Model model;
    private final List<SimNode> nodes;
    private final List<String> byzantineIds;
    private final float[] initialParameters;

    private Fleet(Model model, List<SimNode> nodes, List<String> byzantineIds, float[] initialParameters) {
        this.model = model;
        this.nodes = nodes;
        this.byzantineIds = byzantineIds;
        this.initialParameters = initialParameters;
    }

    /**
     * @throws InvalidConfigException if a configured Byzantine id is not in the fleet, or the
     *     training set cannot be split into {@code nodes} shards
     */
    public static Fleet create(SimConfig cfg, Dataset train) {
        Model model = Models.create(cfg.model(), train.numFeatures(), train.numClasses());
        String[] ids = NodeIdScheme.ids(cfg.nodes());
        int[][] shards = cfg.partition().split(train, cfg.nodes(), SplitMix64.derive(cfg.seed(), SHARD_STREAM), 1);
        Set<String> byz = new HashSet<>(chooseByzantine(cfg, ids));
        ModelAttack attack = cfg.attackFree() ? null : Attacks.create(cfg.attack());
        List<SimNode> nodes = new ArrayList<>();
        List<String> byzIds = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            Dataset shard = train.subset(train.name() + "/" + ids[i], shards[i]);
            if (attack != null && byz.contains(ids[i])) {
                nodes.add(SimNode.byzantine(ids[i], i, shard, model, cfg.training(), cfg.seed(), attack));
                byzIds.add(ids[i]);
            } else {
                nodes.add(SimNode.honest(ids[i], i, shard, model, cfg.training(), cfg.seed()));
            }
        }
        return new Fleet(model, List.copyOf(nodes), List.copyOf(byzIds),
                model.initialParameters(SplitMix64.derive(cfg.seed(), INIT_STREAM)));
    }

    /**
     * The ids that will attack in a run of {@code cfg} (empty when it is attack-free), known before
     * any data is loaded; canonical order.
     */
    public static List<String> byzantineIds(SimConfig cfg) {
        return cfg.attackFree() ? List.of() : List.copyOf(chooseByzantine(cfg, NodeIdScheme.ids(cfg.nodes())));
    }

    /**
     * The ids declared Byzantine by {@code cfg} ({@code --byzantine} / {@code --byzantine-ids}),
     * even in an attack-free run (where they train honestly): the MQTT fleet's protocol-level
     * attackers when there is no model-level attack. Canonical order.
     */
    public static List<String> declaredByzantineIds(SimConfig cfg) {
        return List.copyOf(chooseByzantine(cfg, NodeIdScheme.ids(cfg.nodes())));
    }

    /**
     * The Byzantine ids: the configured ones, or {@code byzantine} ids drawn without replacement
     * from the seed, returned in canonical order.
     */
    static List<String> chooseByzantine(SimConfig cfg, String[] ids) {
        if (!cfg.byzantineIds().isEmpty()) {
            Set<String> known = new HashSet<>(Arrays.asList(ids));
            for (String b : cfg.byzantineIds()) {
                if (!known.contains(b)) {
                    throw new InvalidConfigException("Byzantine id " + b + " is not in the fleet (" + ids[0] + " .. "
                            + ids[ids.length - 1] + ")");
                }
            }
            if (new HashSet<>(cfg.byzantineIds()).size() != cfg.byzantineIds().size()) {
                throw new InvalidConfigException("Byzantine ids repeat: " + cfg.byzantineIds());
            }
            return cfg.byzantineIds().stream().sorted().toList();
        }
        int[] perm = new SplitMix64(SplitMix64.derive(cfg.seed(), BYZANTINE_STREAM)).permutation(ids.length);
        int[] chosen = Arrays.copyOf(perm, cfg.byzantine());
        Arrays.sort(chosen);
        List<String> out = new ArrayList<>();
        for (int c : chosen) {
            out.add(ids[c]);
        }
        return out;
    }

    public Model model() {
        return model;
    }

    /** Every node, in canonical id order. */
    public List<SimNode> nodes() {
        return nodes;
    }

    /** The nodes that attack, in canonical order (empty for an attack-free run). */
    public List<String> byzantineIds() {
        return byzantineIds;
    }

    /** The round-1 global model. */
    public float[] initialParameters() {
        return initialParameters.clone();
    }
}
