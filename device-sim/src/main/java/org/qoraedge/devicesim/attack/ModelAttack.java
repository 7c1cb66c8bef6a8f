package org.qoraedge.devicesim.attack;

import org.qoraedge.devicesim.data.Dataset;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * A model-level attack a Byzantine node applies each round. The node's round, in order:
 * <ol>
 *   <li>train on {@link #poisonShard(Dataset)} of its shard, if {@link #needsOwnUpdate()};</li>
 *   <li>if {@link AttackKind#colluding()}, wait for the round's {@link OmniscientView};</li>
 *   <li>publish {@link #craft(AttackContext)}.</li>
 * </ol>
 * Implementations are immutable (a memo that cannot change a result aside) and may be shared by
 * every Byzantine node and thread; all randomness comes from {@link AttackContext#seed()} and
 * {@link AttackContext#runSeed()}.
 */
public interface ModelAttack {
    AttackKind kind();

    /** The spec that rebuilds this attack with {@link Attacks#create}, every parameter explicit. */
    String spec();

    /** Whether {@link #craft} reads the node's own trained update. */
    boolean needsOwnUpdate();

    /** The shard the node trains on (the identity except for data poisoning). */
    default Dataset poisonShard(Dataset shard) {
        return shard;
    }

    /**
     * The block this node publishes this round.
     *
     * @throws AttackException if the context lacks what the attack needs
     */
    Bfp16Block craft(AttackContext ctx);
}
