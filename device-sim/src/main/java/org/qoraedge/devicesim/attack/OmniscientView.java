package org.qoraedge.devicesim.attack;

import java.util.Arrays;
import java.util.List;
import org.qoraedge.fixedpoint.NodeIds;

/**
 * What colluding attackers are assumed to know in a round: every honest node's update (the
 * omniscient threat model of ALIE and IPM), and who the colluders are. Honest updates are kept in
 * canonical node-id order, so the per-coordinate mean and standard deviation (double precision,
 * fixed summation order) are the same bits whatever order the updates were given in.
 *
 * <p>Immutable; arrays are copied in and out. Safe to share between the colluders' threads.
 */
public final class OmniscientView {
    private final String[] honestIds;
    private final float[][] honestUpdates;
    private final String[] byzantineIds;
    private final double[] mean;
    private final double[] std;

    private OmniscientView(String[] honestIds, float[][] honestUpdates, String[] byzantineIds) {
        this.honestIds = honestIds;
        this.honestUpdates = honestUpdates;
        this.byzantineIds = byzantineIds;
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
     * @param honestIds the honest nodes' ids, parallel to {@code honestUpdates}
     * @param honestUpdates their updates of this round (copied)
     * @param byzantineIds the colluders' ids
     * @throws AttackException if there is no honest update, the updates differ in length, or the
     *     counts disagree
     * @throws org.qoraedge.fixedpoint.InvalidNodeIdException for an invalid or duplicate id
     */
    public static OmniscientView of(String[] honestIds, float[][] honestUpdates, String[] byzantineIds) {
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
        return new OmniscientView(ids, ups, byz);
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
