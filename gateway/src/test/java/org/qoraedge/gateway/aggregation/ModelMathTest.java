package org.qoraedge.gateway.aggregation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.InvalidBlockException;

class ModelMathTest {
    @Test
    void addingZeroGivesTheSameValues() {
        Bfp16Block a = Bfp16.encode(new float[] {0.5f, -0.25f, 3f});
        assertEquals(a, ModelMath.add(ModelMath.zeros(3), a));
    }

    @Test
    void sumIsExactWhenItFitsAndEncodedBySection2() {
        Bfp16Block a = Bfp16Block.of(-2, new short[] {4, -8, 100});
        Bfp16Block b = Bfp16Block.of(0, new short[] {1, 1, -25});
        // values: 1 + 1, -2 + 1, 25 - 25
        assertEquals(Bfp16.encode(new float[] {2f, -1f, 0f}), ModelMath.add(a, b));
    }

    @Test
    void agreesWithAnExactBigIntegerOracleForRandomBlocksWithFarApartExponents() {
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 200; t++) {
            int d = 1 + r.nextInt(20);
            Bfp16Block a = random(r, d, -126 + r.nextInt(240));
            Bfp16Block b = random(r, d, -126 + r.nextInt(240));
            int min = Math.min(a.exponent(), b.exponent());
            BigInteger[] num = new BigInteger[d];
            for (int i = 0; i < d; i++) {
                num[i] = BigInteger.valueOf(a.mantissa(i)).shiftLeft(a.exponent() - min)
                        .add(BigInteger.valueOf(b.mantissa(i)).shiftLeft(b.exponent() - min));
            }
            Bfp16Block want;
            try {
                want = Bfp16.encodeExact(num, min, BigInteger.ONE);
            } catch (IllegalArgumentException e) {
                continue;
            }
            assertEquals(want, ModelMath.add(a, b), "case " + t);
        }
    }

    @Test
    void refusesUnequalDimensions() {
        assertThrows(InvalidBlockException.class, () -> ModelMath.add(ModelMath.zeros(2), ModelMath.zeros(3)));
    }

    private static Bfp16Block random(SplittableRandom r, int d, int e) {
        short[] m = new short[d];
        for (int i = 0; i < d; i++) {
            m[i] = (short) (r.nextInt(65535) - 32767);
        }
        return Bfp16Block.of(Math.min(e, 113), m);
    }
}
