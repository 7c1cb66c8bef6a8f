package org.qoraedge.devicesim.sim;

import java.util.Objects;
import org.qoraedge.devicesim.attack.AttackContext;
import org.qoraedge.devicesim.attack.ModelAttack;
import org.qoraedge.devicesim.attack.OmniscientView;
import org.qoraedge.devicesim.data.Dataset;
import org.qoraedge.devicesim.data.InvalidDatasetException;
import org.qoraedge.devicesim.model.Model;
import org.qoraedge.devicesim.train.LocalTraining;
import org.qoraedge.devicesim.train.TrainingConfig;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.random.SplitMix64;

/**
 * One simulated node: its id, its data shard, the model and training settings, and, for a
 * Byzantine node, its attack. What it computes in a round depends only on the global parameters,
 * the round number and the run seed, so the in-process simulator and an MQTT fleet that builds
 * the same nodes publish the same blocks.
 *
 * <p>Immutable; {@link #trainUpdate} and {@link #publish} may run concurrently for different nodes
 * (and for different rounds of the same node).
 */
public final class SimNode {
    private static final long TRAIN_STREAM = 0x545241494EL; // "TRAIN"
    private static final long ATTACK_STREAM = 0x41545441434BL; // "ATTACK"

    private final String id;
    private final int index;
    private final Dataset shard;
    private final Dataset trainingShard;
    private final Model model;
    private final TrainingConfig training;
    private final long runSeed;
    private final ModelAttack attack;

    private SimNode(String id, int index, Dataset shard, Model model, TrainingConfig training, long runSeed,
            ModelAttack attack) {
        if (shard.size() == 0) {
            throw new InvalidDatasetException("node " + id + " has an empty shard");
        }
        this.id = id;
        this.index = index;
        this.shard = shard;
        this.trainingShard = attack == null ? shard : attack.poisonShard(shard);
        this.model = model;
        this.training = training;
        this.runSeed = runSeed;
        this.attack = attack;
    }

    /** An honest node; {@code index} is its position in the fleet (it names its random streams). */
    public static SimNode honest(String id, int index, Dataset shard, Model model, TrainingConfig training, long runSeed) {
        return new SimNode(id, index, shard, model, training, runSeed, null);
    }

    /** A Byzantine node that applies {@code attack} every round. */
    public static SimNode byzantine(String id, int index, Dataset shard, Model model, TrainingConfig training,
            long runSeed, ModelAttack attack) {
        return new SimNode(id, index, shard, model, training, runSeed, Objects.requireNonNull(attack, "attack"));
    }

    public String id() {
        return id;
    }

    public int index() {
        return index;
    }

    public boolean isByzantine() {
        return attack != null;
    }

    /** The attack, or null for an honest node. */
    public ModelAttack attack() {
        return attack;
    }

    /** The node's own data (unpoisoned). */
    public Dataset shard() {
        return shard;
    }

    public Model model() {
        return model;
    }

    /** True when {@link #publish} needs the round's omniscient view (a colluding attacker). */
    public boolean needsView() {
        return attack != null && attack.kind().colluding();
    }

    /**
     * Local training from {@code global} for round {@code round}: the update {@code local - global}
     * (on the poisoned shard for a data-poisoning attacker). Deterministic in (node index, round,
     * run seed, inputs).
     */
    public float[] trainUpdate(float[] global, int round) {
        return LocalTraining.update(model, global, trainingShard, training,
                SplitMix64.derive(runSeed, TRAIN_STREAM, index, round));
    }

    /**
     * The block this node publishes in round {@code round}: an honest node's encoded update, or the
     * attack's crafted block.
     *
     * @param view the round's omniscient view; required when {@link #needsView()}, ignored otherwise
     */
    public Bfp16Block publish(float[] global, int round, OmniscientView view) {
        if (attack == null) {
            return Bfp16.encode(trainUpdate(global, round));
        }
        float[] own = attack.needsOwnUpdate() ? trainUpdate(global, round) : null;
        AttackContext ctx = AttackContext.of(id, round, model.parameterCount(), own, needsView() ? view : null,
                SplitMix64.derive(runSeed, ATTACK_STREAM, index, round), runSeed);
        return attack.craft(ctx);
    }

    @Override
    public String toString() {
        return "SimNode{" + id + (attack == null ? ", honest" : ", " + attack.spec()) + ", " + shard.size() + " samples}";
    }
}
