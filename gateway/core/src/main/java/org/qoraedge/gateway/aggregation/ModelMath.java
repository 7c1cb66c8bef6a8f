package org.qoraedge.gateway.aggregation;

import java.math.BigInteger;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

/** Exact integer arithmetic on whole models. */
public final class ModelMath {
    /** Largest exponent gap for which a scaled mantissa still fits comfortably in a long. */
    private static final int LONG_SHIFT_LIMIT = 46;

    private ModelMath() {
    }

    /**
     * The next global model: the exact sum of {@code model} and {@code update}, coordinate by
     * coordinate, encoded by spec section 2 (docs/PROTOCOL.md, "Closing a round"). Integer only.
     *
     * @throws org.qoraedge.fixedpoint.InvalidBlockException for unequal dimensions
     * @throws IllegalArgumentException when the sum reaches 2^128, beyond any block
     */
    public static Bfp16Block add(Bfp16Block model, Bfp16Block update) {
        Bfp16Block.commonDimension(new Bfp16Block[] {model, update});
        int d = model.dimension();
        int min = Math.min(model.exponent(), update.exponent());
        int sa = model.exponent() - min;
        int sb = update.exponent() - min;
        BigInteger[] num = new BigInteger[d];
        if (sa <= LONG_SHIFT_LIMIT && sb <= LONG_SHIFT_LIMIT) {
            for (int i = 0; i < d; i++) {
                num[i] = BigInteger.valueOf(((long) model.mantissa(i) << sa) + ((long) update.mantissa(i) << sb));
            }
        } else {
            for (int i = 0; i < d; i++) {
                num[i] = BigInteger.valueOf(model.mantissa(i)).shiftLeft(sa).add(BigInteger.valueOf(update.mantissa(i)).shiftLeft(sb));
            }
        }
        return Bfp16.encodeExact(num, min, BigInteger.ONE);
    }

    /** The all-zero model of dimension {@code d} (exponent 0). */
    public static Bfp16Block zeros(int d) {
        return Bfp16Block.of(0, new short[d]);
    }
}
