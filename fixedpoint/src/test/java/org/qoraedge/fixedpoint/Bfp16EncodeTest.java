package org.qoraedge.fixedpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Bfp16EncodeTest {
    static LongStream seeds() {
        return LongStream.range(1, 301);
    }

    /** Float inputs from raw bit patterns, Gaussians, powers of two and halves, as the stress families do. */
    static float[] randomInput(SplittableRandom r) {
        int d = 1 + r.nextInt(r.nextBoolean() ? 8 : 300);
        float[] x = new float[d];
        int style = r.nextInt(5);
        int k = r.nextInt(-140, 120);
        for (int i = 0; i < d; i++) {
            switch (style) {
                case 0 -> { // any finite bit pattern
                    int bits;
                    do {
                        bits = r.nextInt();
                    } while ((bits & 0x7F80_0000) == 0x7F80_0000);
                    x[i] = Float.intBitsToFloat(bits);
                }
                case 1 -> x[i] = (float) (r.nextGaussian() * Math.scalb(1.0, k));
                case 2 -> x[i] = Float.intBitsToFloat(r.nextInt(0, 0x0080_0000) | (r.nextBoolean() ? 0x8000_0000 : 0)); // subnormal
                case 3 -> x[i] = Math.scalb((float) r.nextInt(-3, 4), Math.min(k, 100)); // powers of two, zeros
                default -> x[i] = Math.scalb(r.nextInt(-1000, 1000) + 0.5f, Math.max(k / 2, -100)); // exact halves
            }
        }
        return x;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void encodeMatchesExactOracle(long seed) {
        float[] x = randomInput(new SplittableRandom(seed));
        BigDecimal[] exact = new BigDecimal[x.length];
        for (int i = 0; i < x.length; i++) {
            exact[i] = new BigDecimal(x[i]);
        }
        int[] e = new int[1];
        int[] m = Oracle.encode(exact, e);
        Bfp16Block b = Bfp16.encode(x);
        assertEquals(e[0], b.exponent(), "exponent");
        for (int i = 0; i < m.length; i++) {
            assertEquals(m[i], b.mantissa(i), "mantissa " + i);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void decodeOfEncodeIsWithinHalfAUnitOfTheLastPlace(long seed) {
        float[] x = randomInput(new SplittableRandom(seed));
        Bfp16Block b = Bfp16.encode(x);
        float[] y = Bfp16.decode(b);
        BigDecimal half = Oracle.pow2(b.exponent() - 1);
        for (int i = 0; i < x.length; i++) {
            BigDecimal err = new BigDecimal(x[i]).subtract(new BigDecimal(y[i])).abs();
            // A coordinate clamped to +-32767 (the maximum at an exact power of two, or just below one)
            // is off by at most one unit; every other coordinate by at most half a unit.
            BigDecimal bound = Math.abs(b.mantissa(i)) == 32767 ? half.add(half) : half;
            assertTrue(err.compareTo(bound) <= 0, "coordinate " + i + ": |" + x[i] + " - " + y[i] + "| > " + bound);
        }
    }

    @Test
    void roundsNegativeHalvesAwayFromZero() {
        // max 4 = 2^2 -> e = -13; 2.5 * 2^-13 units... use values that land on exact halves of the unit
        float unit = Math.scalb(1f, -13);
        Bfp16Block b = Bfp16.encode(new float[] {4f, -2.5f * unit, 2.5f * unit, -0.5f * unit, 0.5f * unit});
        assertEquals(-13, b.exponent());
        assertArrayEquals(new short[] {32767, -3, 3, -1, 1}, b.mantissas());
        assertEquals(-2, Math.round(-2.5), "Java's Math.round is not rha: that is why the encoder does not use it");
    }

    @Test
    void exactPowerOfTwoMaximumIsClamped() {
        Bfp16Block b = Bfp16.encode(new float[] {1f, -1f, 0.5f});
        assertEquals(-15, b.exponent());
        assertArrayEquals(new short[] {32767, -32767, 16384}, b.mantissas());
    }

    @Test
    void maximumOneUlpAbovePowerOfTwoTakesTheNextExponent() {
        for (int k = -125; k <= 127; k++) {
            float above = Math.nextUp(Math.scalb(1f, k));
            Bfp16Block b = Bfp16.encode(new float[] {above});
            assertEquals(Math.max(k + 1 - 15, -126), b.exponent(), "k = " + k);
        }
    }

    @Test
    void subnormalInputsGiveTheLowestExponent() {
        Bfp16Block b = Bfp16.encode(new float[] {Float.MIN_VALUE, -Float.MIN_NORMAL / 2});
        assertEquals(-126, b.exponent());
        assertArrayEquals(new short[] {0, -1}, b.mantissas()); // 2^-149 rounds to 0 units of 2^-126; 2^-127 is half: rounds to 1
    }

    @Test
    void allZeroInputHasExponentZero() {
        Bfp16Block b = Bfp16.encode(new float[] {0f, -0f});
        assertEquals(0, b.exponent());
        assertArrayEquals(new short[] {0, 0}, b.mantissas());
        assertEquals(0, Float.floatToRawIntBits(Bfp16.decode(b)[1]), "zero decodes to +0.0");
    }

    @Test
    void refusesNonFiniteInputNamingTheFirstIndex() {
        NonFiniteInputException e = assertThrows(NonFiniteInputException.class,
                () -> Bfp16.encode(new float[] {1f, Float.POSITIVE_INFINITY, Float.NaN}));
        assertEquals(1, e.index());
        assertTrue(e.getMessage().contains("coordinate 1"), e.getMessage());
        assertEquals(2, assertThrows(NonFiniteInputException.class, () -> Bfp16.encode(new float[] {0f, 0f, Float.NaN})).index());
    }

    @Test
    void refusesEmptyInput() {
        assertThrows(EmptyInputException.class, () -> Bfp16.encode(new float[0]));
    }

    @Test
    void largestFloatsEncodeAtTheTopExponent() {
        Bfp16Block b = Bfp16.encode(new float[] {Float.MAX_VALUE, -Float.MAX_VALUE});
        assertEquals(113, b.exponent());
        assertArrayEquals(new short[] {32767, -32767}, b.mantissas());
    }

    @Test
    void encodeExactRefusesValuesAbove2To128AndANonPositiveDenominatorAsUnrepresentable() {
        BigInteger[] twoTo128 = {BigInteger.ONE.shiftLeft(128)};
        assertEquals(Bfp16Block.of(113, new short[] {32767}), Bfp16.encodeExact(twoTo128, 0, BigInteger.ONE),
                "2^128 itself has c = 128: the top exponent, clamped");
        BigInteger[] above = {BigInteger.ONE.shiftLeft(128).add(BigInteger.ONE).negate(), BigInteger.ONE};
        UnrepresentableValueException e = assertThrows(UnrepresentableValueException.class,
                () -> Bfp16.encodeExact(above, 0, BigInteger.ONE));
        assertEquals("largest magnitude is above 2^128 (c = 129); no block can hold it", e.getMessage());
        assertThrows(UnrepresentableValueException.class, () -> Bfp16.encodeExact(new BigInteger[] {BigInteger.ONE}, 129,
                BigInteger.ONE));
        for (long den : new long[] {0, -3}) {
            UnrepresentableValueException d = assertThrows(UnrepresentableValueException.class,
                    () -> Bfp16.encodeExact(new BigInteger[] {BigInteger.ONE}, 0, BigInteger.valueOf(den)));
            assertEquals("denominator must be positive, got " + den, d.getMessage());
        }
        assertThrows(EmptyInputException.class, () -> Bfp16.encodeExact(new BigInteger[0], 0, BigInteger.ONE));
    }
}
