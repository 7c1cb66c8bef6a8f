package org.qoraedge.devicesim.attack;

import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Every colluder publishes the same block: exponent {@code boost} above the largest exponent of
 * the honest updates' own encodings, mantissas {@code rha(-epsilon * mean_i / 2^e)}, and with
 * {@code spike} the full mantissa +32767 on one coordinate. Built directly, not by
 * {@link Bfp16#encode}: without the spike the block is a valid but non-canonical encoding whose
 * largest mantissa is far below 2^14.
 */
final class ExponentInflationAttack implements ModelAttack {
    private final int boost;
    private final double epsilon;
    private final boolean spike;
    private final int coordinate; // -1: the last one

    ExponentInflationAttack(int boost, double epsilon, boolean spike, int coordinate) {
        if (boost < 1 || boost > 15) {
            throw new AttackException("exponent-inflation: boost must be in [1, 15], got " + boost);
        }
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new AttackException("exponent-inflation: epsilon must be >= 0 and finite, got " + epsilon);
        }
        if (coordinate < -1) {
            throw new AttackException("exponent-inflation: coordinate must be >= 0 or 'last', got " + coordinate);
        }
        this.boost = boost;
        this.epsilon = epsilon;
        this.spike = spike;
        this.coordinate = coordinate;
    }

    @Override
    public AttackKind kind() {
        return AttackKind.EXPONENT_INFLATION;
    }

    @Override
    public String spec() {
        return "exponent-inflation:boost=" + boost + ",epsilon=" + epsilon + ",spike=" + spike + ",coordinate="
                + (coordinate < 0 ? "last" : Integer.toString(coordinate));
    }

    @Override
    public boolean needsOwnUpdate() {
        return false;
    }

    /** The largest exponent among the non-zero honest updates' encodings (0 if all are zero). */
    static int maxHonestExponent(OmniscientView v) {
        int max = Integer.MIN_VALUE;
        for (int k = 0; k < v.honestCount(); k++) {
            Bfp16Block b = Bfp16.encode(v.honestUpdate(k));
            if (!b.isZero()) {
                max = Math.max(max, b.exponent());
            }
        }
        return max == Integer.MIN_VALUE ? 0 : max;
    }

    @Override
    public Bfp16Block craft(AttackContext ctx) {
        OmniscientView v = ctx.view();
        int e = Math.min(maxHonestExponent(v) + boost, Bfp16Block.MAX_EXPONENT);
        int d = v.dimension();
        int c = coordinate < 0 ? d - 1 : coordinate;
        if (spike && c >= d) {
            throw new AttackException("exponent-inflation: spike coordinate " + c + " is outside the model's " + d
                    + " coordinates");
        }
        int[] m = new int[d];
        for (int i = 0; i < d; i++) {
            double scaled = Math.scalb(-epsilon * v.mean(i), -e); // exact power-of-two scaling
            double mag = Math.floor(Math.abs(scaled) + 0.5); // round half away from zero
            int q = (int) Math.min(mag, Bfp16Block.MAX_MANTISSA);
            m[i] = scaled < 0 ? -q : q;
        }
        if (spike) {
            m[c] = Bfp16Block.MAX_MANTISSA;
        }
        return Bfp16Block.of(e, m);
    }

    @Override
    public String toString() {
        return spec();
    }
}
