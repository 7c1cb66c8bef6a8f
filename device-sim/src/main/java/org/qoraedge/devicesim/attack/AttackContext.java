package org.qoraedge.devicesim.attack;

/**
 * What one Byzantine node has when it crafts its update for a round: its id, the round, the
 * model dimension, its own update trained on its (possibly poisoned) shard when the attack needs
 * one, the omniscient view when the attack colludes, and a seed for the attack's own randomness.
 */
public final class AttackContext {
    private final String nodeId;
    private final int round;
    private final int dimension;
    private final float[] ownUpdate;
    private final OmniscientView view;
    private final long seed;

    private AttackContext(String nodeId, int round, int dimension, float[] ownUpdate, OmniscientView view, long seed) {
        this.nodeId = nodeId;
        this.round = round;
        this.dimension = dimension;
        this.ownUpdate = ownUpdate;
        this.view = view;
        this.seed = seed;
    }

    /**
     * @param ownUpdate this node's trained update (copied), or null when the attack does not need
     *     one ({@link ModelAttack#needsOwnUpdate()})
     * @param view the round's omniscient view, or null when the attack does not collude
     * @throws AttackException if {@code dimension < 1} or an update or the view has another length
     */
    public static AttackContext of(String nodeId, int round, int dimension, float[] ownUpdate, OmniscientView view,
            long seed) {
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
        return new AttackContext(nodeId, round, dimension, ownUpdate == null ? null : ownUpdate.clone(), view, seed);
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

    public long seed() {
        return seed;
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
