package org.qoraedge.gateway.client;

import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.protocol.ProtocolException;

/**
 * Node-side top-k selection with error feedback for SPARSE UPDATE frames (docs/PROTOCOL.md
 * section 4.1). Each call to {@link #select} adds the residual the previous selections did not
 * send to the update, keeps the {@code k = max(1, ceil(density * d))} coordinates of largest
 * magnitude (ties to the lower index), quantizes them at the update's block exponent (a larger one
 * when the residual makes a value overflow 16 bits), and keeps everything
 * not sent (unselected coordinates whole, selected ones' rounding error) as the next residual.
 *
 * <p>The residual is held in {@code double}: this is the node's side, which trains in floating
 * point; the gateway only ever sees the integer frame. Java's floating point is the same on every
 * CPU, so a node's selections are reproducible. Not thread-safe: one instance per node.
 */
public final class TopKSparsifier {
    private final double density;
    private double[] residual;

    /**
     * @param density the fraction of coordinates sent each round, in {@code (0, 1]}
     * @throws ProtocolException for a density outside {@code (0, 1]} or NaN
     */
    public TopKSparsifier(double density) {
        if (!(density > 0 && density <= 1)) {
            throw new ProtocolException("density must be in (0, 1], got " + density);
        }
        this.density = density;
    }

    /** The number of coordinates sent of a block of dimension {@code d}: {@code max(1, ceil(density * d))}, at most {@code d}. */
    public static int count(double density, int dimension) {
        long k = (long) Math.ceil(density * dimension);
        return (int) Math.max(1, Math.min(dimension, k));
    }

    /** The density this sparsifier was built with. */
    public double density() {
        return density;
    }

    /** A copy of the residual carried to the next selection (real values), or an empty array before the first. */
    public double[] residual() {
        return residual == null ? new double[0] : residual.clone();
    }

    /**
     * Selects the coordinates to send of {@code update} plus the carried residual, and keeps the
     * rest as the new residual.
     *
     * @throws ProtocolException when the update's dimension differs from the previous one's
     */
    public Selection select(Bfp16Block update) {
        int d = update.dimension();
        if (residual == null) {
            residual = new double[d];
        } else if (residual.length != d) {
            throw new ProtocolException("update has " + d + " coordinates, the carried residual " + residual.length);
        }
        double scale = Math.scalb(1.0, update.exponent());
        double[] c = new double[d];
        for (int i = 0; i < d; i++) {
            c[i] = update.mantissa(i) * scale + residual[i];
        }
        int k = count(density, d);
        int[] chosen = topK(c, k);
        double max = 0;
        for (int i : chosen) {
            max = Math.max(max, Math.abs(c[i]));
        }
        int e = exponentFor(max, update.exponent());
        double unit = Math.scalb(1.0, e);
        short[] m = new short[k];
        for (int j = 0; j < k; j++) {
            m[j] = (short) Math.rint(c[chosen[j]] / unit);
        }
        double[] next = c;
        for (int j = 0; j < k; j++) {
            next[chosen[j]] = c[chosen[j]] - m[j] * unit;
        }
        residual = next;
        return new Selection(e, d, chosen, m);
    }

    /**
     * The indices of the {@code k} largest {@code |c[i]|}, ties to the lower index, in increasing
     * order. A selection by full sort of the indices: O(d log d), run once per round on the node.
     */
    static int[] topK(double[] c, int k) {
        Integer[] order = new Integer[c.length];
        for (int i = 0; i < c.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int byMagnitude = Double.compare(Math.abs(c[b]), Math.abs(c[a]));
            return byMagnitude != 0 ? byMagnitude : Integer.compare(a, b);
        });
        int[] out = new int[k];
        for (int j = 0; j < k; j++) {
            out[j] = order[j];
        }
        Arrays.sort(out);
        return out;
    }

    /**
     * The update's own exponent, or the smallest larger one at which {@code max} (the largest
     * selected magnitude, update plus residual) rounds to a mantissa of at most 32767.
     */
    private static int exponentFor(double max, int updateExponent) {
        if (max == 0) {
            return updateExponent;
        }
        int e = Math.max(updateExponent, Math.getExponent(max) - 15);
        while (Math.rint(max / Math.scalb(1.0, e)) > Bfp16Block.MAX_MANTISSA) {
            e++;
        }
        if (e > Bfp16Block.MAX_EXPONENT) {
            throw new ProtocolException("update magnitude " + max + " needs block exponent " + e + ", above "
                    + Bfp16Block.MAX_EXPONENT);
        }
        return e;
    }

    /** One round's selection: a block exponent and {@code k} increasing indices with their mantissas. Immutable. */
    public static final class Selection {
        private final int exponent;
        private final int dimension;
        private final int[] indices;
        private final short[] mantissas;

        Selection(int exponent, int dimension, int[] indices, short[] mantissas) {
            this.exponent = exponent;
            this.dimension = dimension;
            this.indices = indices;
            this.mantissas = mantissas;
        }

        public int exponent() {
            return exponent;
        }

        public int dimension() {
            return dimension;
        }

        /** A copy of the indices, strictly increasing. */
        public int[] indices() {
            return indices.clone();
        }

        /** A copy of the mantissas, one per index. */
        public short[] mantissas() {
            return mantissas.clone();
        }

        /** The dense block the gateway will build: these mantissas at these indices, zeros elsewhere. */
        public Bfp16Block densify() {
            short[] m = new short[dimension];
            for (int i = 0; i < indices.length; i++) {
                m[indices[i]] = mantissas[i];
            }
            return Bfp16Block.of(exponent, m);
        }
    }
}
