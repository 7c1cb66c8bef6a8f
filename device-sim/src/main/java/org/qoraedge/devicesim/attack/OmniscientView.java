package org.qoraedge.devicesim.attack;

import java.util.Arrays;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.NodeIds;

/**
 * What colluding attackers are assumed to know in a round: every honest node's update (the
 * omniscient threat model of ALIE and IPM), who the colluders are, and, when the caller gives it,
 * the server's aggregation rule (what the adaptive attacks search against). Honest updates are kept
 * in canonical node-id order, so the per-coordinate mean and standard deviation (double precision,
 * fixed summation order) are the same bits whatever order the updates were given in.
 *
 * <p>Immutable; arrays are copied in and out. Safe to share between the colluders' threads.
 */
public final class OmniscientView {
    private final String[] honestIds;
    private final float[][] honestUpdates;
    private final Bfp16Block[] honestBlocks;
    private final String[] byzantineIds;
    private final ServerRule rule;
    private final int[] honestPositions;
    private final int[] colluderPositions;
    private final double[] mean;
    private final double[] std;

    private OmniscientView(String[] honestIds, float[][] honestUpdates, String[] byzantineIds, ServerRule rule) {
        this.honestIds = honestIds;
        this.honestUpdates = honestUpdates;
        this.byzantineIds = byzantineIds;
        this.rule = rule;
        honestBlocks = new Bfp16Block[honestUpdates.length];
        for (int k = 0; k < honestBlocks.length; k++) {
            honestBlocks[k] = Bfp16.encode(honestUpdates[k]);
        }
        // Where each node's block sits in the round's canonical order of every id.
        String[] all = new String[honestIds.length + byzantineIds.length];
        System.arraycopy(honestIds, 0, all, 0, honestIds.length);
        System.arraycopy(byzantineIds, 0, all, honestIds.length, byzantineIds.length);
        int[] order = NodeIds.canonicalOrder(all);
        honestPositions = new int[honestIds.length];
        colluderPositions = new int[byzantineIds.length];
        for (int p = 0; p < order.length; p++) {
            if (order[p] < honestIds.length) {
                honestPositions[order[p]] = p;
            } else {
                colluderPositions[order[p] - honestIds.length] = p;
            }
        }
        int d = honestUpdates[0].length;
        int n = honestUpdates.length;
        mean = new double[d];
        std = new double[d];
        for (float[] u : honestUpdates) {
            for (int i = 0; i < d; i++) {
                mean[i] += u[i];
            }
        }
        for (int i = 0; i < d; i++) {
            mean[i] /= n;
        }
        for (float[] u : honestUpdates) {
            for (int i = 0; i < d; i++) {
                double dev = u[i] - mean[i];
                std[i] += dev * dev;
            }
        }
        for (int i = 0; i < d; i++) {
            std[i] = StrictMath.sqrt(std[i] / n); // population standard deviation
        }
    }

    /**
     * A view without the server's rule: what every attack but the adaptive ones needs.
     *
     * @param honestIds the honest nodes' ids, parallel to {@code honestUpdates}
     * @param honestUpdates their updates of this round (copied)
     * @param byzantineIds the colluders' ids
     * @throws AttackException if there is no honest update, the updates differ in length, or the
     *     counts disagree
     * @throws org.qoraedge.fixedpoint.InvalidNodeIdException for an invalid or duplicate id, honest
     *     and colluder ids together
     */
    public static OmniscientView of(String[] honestIds, float[][] honestUpdates, String[] byzantineIds) {
        return of(honestIds, honestUpdates, byzantineIds, null);
    }

    /**
     * As {@link #of(String[], float[][], String[])}, with the server's rule.
     *
     * @param rule the rule the server aggregates the round with, or null if the attackers do not know it
     */
    public static OmniscientView of(String[] honestIds, float[][] honestUpdates, String[] byzantineIds,
            ServerRule rule) {
        if (honestUpdates.length == 0) {
            throw new AttackException("an omniscient view needs >= 1 honest update, got none");
        }
        if (honestIds.length != honestUpdates.length) {
            throw new AttackException(honestIds.length + " honest ids for " + honestUpdates.length + " honest updates");
        }
        int d = honestUpdates[0].length;
        int[] order = NodeIds.canonicalOrder(honestIds);
        String[] ids = new String[order.length];
        float[][] ups = new float[order.length][];
        for (int k = 0; k < order.length; k++) {
            ids[k] = honestIds[order[k]];
            ups[k] = honestUpdates[order[k]].clone();
            if (ups[k].length != d) {
                throw new AttackException("honest update of " + ids[k] + " has " + ups[k].length
                        + " coordinates, others have " + d);
            }
        }
        String[] byz = byzantineIds.clone();
        if (byz.length > 0) {
            int[] bOrder = NodeIds.canonicalOrder(byz);
            String[] sorted = new String[byz.length];
            for (int k = 0; k < bOrder.length; k++) {
                sorted[k] = byzantineIds[bOrder[k]];
            }
            byz = sorted;
        }
        return new OmniscientView(ids, ups, byz, rule);
    }

    public int dimension() {
        return mean.length;
    }

    public int honestCount() {
        return honestIds.length;
    }

    public int byzantineCount() {
        return byzantineIds.length;
    }

    /** Honest plus Byzantine nodes of the round: the {@code n} of the attack papers. */
    public int totalNodes() {
        return honestIds.length + byzantineIds.length;
    }

    /** Honest ids in canonical order. */
    public List<String> honestIds() {
        return List.of(honestIds);
    }

    /** Colluder ids in canonical order. */
    public List<String> byzantineIds() {
        return List.of(byzantineIds);
    }

    /** A copy of the {@code k}-th honest update in canonical order. */
    public float[] honestUpdate(int k) {
        return honestUpdates[k].clone();
    }

    /**
     * The block the {@code k}-th honest node (canonical order) publishes: {@link Bfp16#encode} of
     * its update, what the server receives from it.
     */
    public Bfp16Block honestBlock(int k) {
        return honestBlocks[k];
    }

    /**
     * The round as the server would receive it if every colluder published {@code colluderBlock}:
     * the honest blocks and {@code byzantineCount()} copies of it, in canonical node-id order of
     * every id.
     *
     * @throws AttackException if the block's dimension is not the view's
     */
    public Bfp16Block[] roundWith(Bfp16Block colluderBlock) {
        if (colluderBlock.dimension() != dimension()) {
            throw new AttackException("a colluder block of " + colluderBlock.dimension() + " coordinates in a round of "
                    + dimension());
        }
        Bfp16Block[] round = new Bfp16Block[totalNodes()];
        for (int k = 0; k < honestBlocks.length; k++) {
            round[honestPositions[k]] = honestBlocks[k];
        }
        for (int p : colluderPositions) {
            round[p] = colluderBlock;
        }
        return round;
    }

    /** The colluders' positions in the round's canonical order ({@link #roundWith}), in colluder-id order. */
    public int[] colluderPositions() {
        return colluderPositions.clone();
    }

    /** Whether the caller gave the server's rule. */
    public boolean hasServerRule() {
        return rule != null;
    }

    /**
     * The server's aggregation rule.
     *
     * @throws AttackException if the view was built without it
     */
    public ServerRule serverRule() {
        if (rule == null) {
            throw new AttackException("this omniscient view does not include the server's aggregation rule, which an"
                    + " adaptive attack needs");
        }
        return rule;
    }

    /** Per-coordinate mean of the honest updates. */
    public double mean(int i) {
        return mean[i];
    }

    /** Per-coordinate population standard deviation of the honest updates. */
    public double std(int i) {
        return std[i];
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] std() {
        return std.clone();
    }

    @Override
    public String toString() {
        return "OmniscientView{" + honestIds.length + " honest " + Arrays.toString(honestIds) + ", colluders "
                + Arrays.toString(byzantineIds) + ", d=" + mean.length + "}";
    }
}
