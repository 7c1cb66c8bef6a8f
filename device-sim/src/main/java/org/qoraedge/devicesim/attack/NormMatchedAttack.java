package org.qoraedge.devicesim.attack;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Every colluder publishes a harmful direction rescaled to the honest updates' median L2 norm, so
 * that two-sided norm screening ranks it among the honest norms and keeps it.
 *
 * <p>The target {@code T}: each honest node's block (what the server receives, {@link Bfp16#encode}
 * of its update) has the exact norm {@code 2^e * sqrt(S)} with {@code S = sum m_i^2}; the blocks
 * are ranked by the exact value {@code 4^e * S} (then by canonical position), and {@code T} is the
 * middle norm for an odd count, the mean of the two middle norms for an even one (double
 * precision). The direction {@code v}: {@code -mean} of the honest updates ({@code negated-mean},
 * IPM's direction) or {@code -own} update ({@code negated-own}). The target vector is
 * {@code x = (T / ||v||) * v} in double precision.
 *
 * <p>The block is built from {@code x} directly, not through float32: its exponent {@code e} is
 * the smallest for which every {@code rha(x_i / 2^e)} fits in 15 bits ({@link Bfp16#encode}'s
 * exponent, or one above it when rounding would carry the largest mantissa to 32768), no mantissa
 * is clamped, and each mantissa is {@code rha(x_i / 2^e)}. So {@code |m_i 2^e - x_i| <= 2^(e-1)}
 * per coordinate and {@code | ||B|| - T | <= 2^(e-1) * sqrt(d)}, up to the double rounding of
 * {@code T} and {@code ||v||} (relative error below {@code 1e-12}).
 */
final class NormMatchedAttack implements ModelAttack {
    /** The harmful direction whose length is matched. */
    enum Direction {
        NEGATED_MEAN, NEGATED_OWN;

        String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Direction of(String s) {
            for (Direction d : values()) {
                if (d.id().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return d;
                }
            }
            throw new AttackException("norm-matched: direction must be negated-mean or negated-own, got '" + s + "'");
        }
    }

    private final Direction direction;

    NormMatchedAttack(Direction direction) {
        this.direction = direction;
    }

    @Override
    public AttackKind kind() {
        return AttackKind.NORM_MATCHED;
    }

    @Override
    public String spec() {
        return "norm-matched:direction=" + direction.id();
    }

    @Override
    public boolean needsOwnUpdate() {
        return direction == Direction.NEGATED_OWN;
    }

    /** The exact L2 norm of a block, {@code 2^e * sqrt(sum m_i^2)}, rounded to double. */
    static double norm(Bfp16Block b) {
        return Math.scalb(StrictMath.sqrt((double) sumOfSquares(b)), b.exponent());
    }

    private static long sumOfSquares(Bfp16Block b) {
        long s = 0;
        for (int i = 0, d = b.dimension(); i < d; i++) {
            long m = b.mantissa(i);
            s += m * m; // < 2^30 per term: exact for any d below 2^33
        }
        return s;
    }

    /** The honest blocks' median norm {@code T} (see the class comment). */
    static double medianHonestNorm(OmniscientView v) {
        int h = v.honestCount();
        Bfp16Block[] blocks = new Bfp16Block[h];
        int minExp = Integer.MAX_VALUE;
        for (int k = 0; k < h; k++) {
            blocks[k] = v.honestBlock(k);
            minExp = Math.min(minExp, blocks[k].exponent());
        }
        // Exact squared norms on a common scale: S_k * 4^(e_k - minExp).
        BigInteger[] q = new BigInteger[h];
        Integer[] order = new Integer[h];
        for (int k = 0; k < h; k++) {
            q[k] = BigInteger.valueOf(sumOfSquares(blocks[k])).shiftLeft(2 * (blocks[k].exponent() - minExp));
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> {
            int c = q[a].compareTo(q[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        if (h % 2 == 1) {
            return norm(blocks[order[h / 2]]);
        }
        return (norm(blocks[order[h / 2 - 1]]) + norm(blocks[order[h / 2]])) / 2;
    }

    @Override
    public Bfp16Block craft(AttackContext ctx) {
        OmniscientView v = ctx.view();
        int d = v.dimension();
        double[] dir = new double[d];
        if (direction == Direction.NEGATED_MEAN) {
            for (int i = 0; i < d; i++) {
                dir[i] = -v.mean(i);
            }
        } else {
            float[] own = ctx.ownUpdate();
            for (int i = 0; i < d; i++) {
                dir[i] = -own[i];
            }
        }
        double sq = 0;
        for (double x : dir) {
            sq += x * x;
        }
        double length = StrictMath.sqrt(sq);
        if (!(length > 0) || Double.isInfinite(length)) {
            throw new AttackException(spec() + " at node " + ctx.nodeId() + ", round " + ctx.round()
                    + ": the direction has length " + length + "; it cannot be rescaled");
        }
        double scale = medianHonestNorm(v) / length;
        for (int i = 0; i < d; i++) {
            dir[i] *= scale;
        }
        return nearestBlock(dir);
    }

    /**
     * The block whose values are the round-half-away-from-zero of {@code x} at the smallest
     * exponent that needs no clamping (see the class comment); the zero block ({@code e = 0}) for a
     * zero vector.
     *
     * @throws AttackException if a value is not finite or too large for any block exponent
     */
    static Bfp16Block nearestBlock(double[] x) {
        double maxAbs = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new AttackException("coordinate " + i + " is " + x[i] + "; a block holds finite values only");
            }
            maxAbs = Math.max(maxAbs, Math.abs(x[i]));
        }
        if (maxAbs == 0) {
            return Bfp16Block.of(0, new int[x.length]);
        }
        // maxAbs * 2^-e in [2^14, 2^15) for e = getExponent - 14; one more when it rounds to 2^15.
        int e = Math.getExponent(maxAbs) - 14;
        if (rha(Math.scalb(maxAbs, -e)) > Bfp16Block.MAX_MANTISSA) {
            e++;
        }
        e = Math.max(e, Bfp16Block.MIN_EXPONENT);
        if (e > Bfp16Block.MAX_EXPONENT) {
            throw new AttackException("largest value " + maxAbs + " needs block exponent " + e + ", above "
                    + Bfp16Block.MAX_EXPONENT);
        }
        int[] m = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            double scaled = Math.scalb(x[i], -e); // exact: a power-of-two scaling within double's range
            long mag = rha(scaled);
            m[i] = (int) (scaled < 0 ? -mag : mag);
        }
        return Bfp16Block.of(e, m);
    }

    /** Round half away from zero of {@code |s|}; exact for {@code |s| < 2^52}. */
    private static long rha(double s) {
        return (long) Math.floor(Math.abs(s) + 0.5);
    }

    @Override
    public String toString() {
        return spec();
    }
}
