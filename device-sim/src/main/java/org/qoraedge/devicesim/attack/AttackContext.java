package org.qoraedge.devicesim.attack;

/**
 * What one Byzantine node has when it crafts its update for a round: its id, the round, the
 * model dimension, its own update trained on its (possibly poisoned) shard when the attack needs
 * one, the omniscient view when the attack colludes, a seed for the attack's own randomness in
 * this node and round, and the run's seed, for choices every colluder must make alike in every
 * round (mimic's victim).
 */
public final class AttackContext {
    private final String nodeId;
    private final int round;
    private final int dimension;
    private final float[] ownUpdate;
    private final OmniscientView view;
    private final long seed;
    private final long runSeed;

    private AttackContext(String nodeId, int round, int dimension, float[] ownUpdate, OmniscientView view, long seed,
            long runSeed) {
        this.nodeId = nodeId;
        this.round = round;
        this.dimension = dimension;
        this.ownUpdate = ownUpdate;
        this.view = view;
        this.seed = seed;
        this.runSeed = runSeed;
    }

    /**
     * @param ownUpdate this node's trained update (copied), or null when the attack does not need
     *     one ({@link ModelAttack#needsOwnUpdate()})
     * @param view the round's omniscient view, or null when the attack does not collude
     * @param seed this node's attack seed for this round
     * @param runSeed the run's seed, the same for every node and round
     * @throws AttackException if {@code dimension < 1} or an update or the view has another length
     */
    public static AttackContext of(String nodeId, int round, int dimension, float[] ownUpdate, OmniscientView view,
            long seed, long runSeed) {
        if (dimension < 1) {
            throw new AttackException("model dimension must be >= 1, got " + dimension);
        }
        if (ownUpdate != null && ownUpdate.length != dimension) {
            throw new AttackException("own update of " + nodeId + " has " + ownUpdate.length + " coordinates, round "
                    + round + " expects " + dimension);
        }
        if (view != null && view.dimension() != dimension) {
            throw new AttackException("omniscient view has " + view.dimension() + " coordinates, round " + round
                    + " expects " + dimension);
        }
        return new AttackContext(nodeId, round, dimension, ownUpdate == null ? null : ownUpdate.clone(), view, seed, runSeed);
    }

    public String nodeId() {
        return nodeId;
    }

    public int round() {
        return round;
    }

    public int dimension() {
        return dimension;
    }

    /** This node's attack seed for this round. */
    public long seed() {
        return seed;
    }

    /** The run's seed: the same for every node and round, so choices derived from it agree. */
    public long runSeed() {
        return runSeed;
    }

    public boolean hasOwnUpdate() {
        return ownUpdate != null;
    }

    /**
     * A copy of this node's own trained update.
     *
     * @throws AttackException if the caller did not supply one
     */
    public float[] ownUpdate() {
        if (ownUpdate == null) {
            throw new AttackException("node " + nodeId + ", round " + round + ": the attack needs the node's own"
                    + " trained update, none was given");
        }
        return ownUpdate.clone();
    }

    /**
     * The round's omniscient view.
     *
     * @throws AttackException if the caller did not supply one
     */
    public OmniscientView view() {
        if (view == null) {
            throw new AttackException("node " + nodeId + ", round " + round + ": the attack colludes and needs the"
                    + " omniscient view of the honest updates, none was given");
        }
        return view;
    }
}
