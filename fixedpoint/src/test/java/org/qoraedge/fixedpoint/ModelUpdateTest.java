package org.qoraedge.fixedpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModelUpdateTest {
    @Test
    void addingZeroGivesTheSameValues() {
        Bfp16Block a = Bfp16.encode(new float[] {0.5f, -0.25f, 3f});
        assertEquals(a, ModelUpdate.add(ModelUpdate.zeros(3), a));
    }

    @Test
    void sumIsExactWhenItFitsAndEncodedBySection2() {
        Bfp16Block a = Bfp16Block.of(-2, new short[] {4, -8, 100});
        Bfp16Block b = Bfp16Block.of(0, new short[] {1, 1, -25});
        // values: 1 + 1, -2 + 1, 25 - 25
        assertEquals(Bfp16.encode(new float[] {2f, -1f, 0f}), ModelUpdate.add(a, b));
    }

    @Test
    void agreesWithAnExactBigIntegerOracleForRandomBlocksWithFarApartExponents() {
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 200; t++) {
            int d = 1 + r.nextInt(20);
            Bfp16Block a = random(r, d, -126 + r.nextInt(240));
            Bfp16Block b = random(r, d, -126 + r.nextInt(240));
            Bfp16Block want;
            try {
                want = Oracle.exactSum(a, b); // BigInteger sums, Bfp16.encodeExact
            } catch (UnrepresentableValueException e) {
                continue;
            }
            assertEquals(want, ModelUpdate.add(a, b), "case " + t);
        }
    }

    @Test
    void theLongPathAgreesWithTheOracleForEveryExponentGapItTakesAndJustBeyond() {
        SplittableRandom r = new SplittableRandom(19);
        for (int gap = 0; gap <= 50; gap++) {
            for (int t = 0; t < 40; t++) {
                int low = r.nextInt(-126, 114 - gap);
                int d = 1 + r.nextInt(40);
                Bfp16Block a = RandomBlocks.block(r, d, low + gap);
                Bfp16Block b = RandomBlocks.block(r, d, low);
                assertAgreesWithOracle(a, b, r.nextBoolean(), "gap " + gap + " case " + t);
            }
        }
    }

    /**
     * Exponents more than 46 apart take a closed form without a {@code BigInteger}: every gap up to
     * 239, mantissas at the edges (0, +-1, powers of two, +-32767) where the smaller block decides
     * the exponent (a power of two above a negative or zero low mantissa) or nothing at all.
     */
    @Test
    void theFarApartFormAgreesWithTheOracleForEveryGapAndEdgeMantissa() {
        SplittableRandom r = new SplittableRandom(23);
        for (int gap = 47; gap <= 239; gap++) {
            for (int t = 0; t < 30; t++) {
                int low = r.nextInt(-126, 114 - gap);
                int d = 1 + r.nextInt(12);
                short[] high = new short[d];
                short[] small = new short[d];
                for (int i = 0; i < d; i++) {
                    high[i] = edge(r, t % 5 == 0 ? 0.8 : 0.2);
                    small[i] = edge(r, 0.2);
                }
                Bfp16Block a = Bfp16Block.of(low + gap, high);
                Bfp16Block b = Bfp16Block.of(low, small);
                assertAgreesWithOracle(a, b, r.nextBoolean(), "gap " + gap + " case " + t);
            }
        }
    }

    /** {@code ModelUpdate.add} of the two blocks (in either order) equals the oracle's exact sum, or both refuse it. */
    private static void assertAgreesWithOracle(Bfp16Block a, Bfp16Block b, boolean swap, String what) {
        Bfp16Block model = swap ? b : a;
        Bfp16Block update = swap ? a : b;
        Bfp16Block want;
        try {
            want = Oracle.exactSum(model, update);
        } catch (UnrepresentableValueException e) {
            assertThrows(UnrepresentableValueException.class, () -> ModelUpdate.add(model, update), what);
            return;
        }
        assertEquals(want, ModelUpdate.add(model, update), what);
    }

    /** A mantissa at an edge: 0 with probability {@code zero}, else +-1, +-2^k, +-32767 or any. */
    private static short edge(SplittableRandom r, double zero) {
        if (r.nextDouble() < zero) {
            return 0;
        }
        int mag = switch (r.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 1 << r.nextInt(15);
            case 2 -> Bfp16Block.MAX_MANTISSA;
            default -> 1 + r.nextInt(Bfp16Block.MAX_MANTISSA);
        };
        return (short) (r.nextBoolean() ? mag : -mag);
    }

    @Test
    void roundsHalvesAwayFromZeroAndClampsAtTheTopOfTheRange() {
        // 32767 + 3 = 32770 units of 2^0 needs e = 1: 16385 exactly; 32767 + 2 = 32769 is 16384.5: rounds to 16385
        Bfp16Block a = Bfp16Block.of(0, new short[] {32767, 32767, -32767, -32767, 1});
        Bfp16Block b = Bfp16Block.of(0, new short[] {3, 2, -3, -2, 0});
        Bfp16Block sum = ModelUpdate.add(a, b);
        assertEquals(Bfp16Block.of(1, new short[] {16385, 16385, -16385, -16385, 1}), sum); // 0.5 rounds to 1
        assertEquals(Oracle.exactSum(a, b), sum);
        // a largest magnitude that is a power of two, 2^15 units here, keeps c = 15 and clamps to 32767
        // (spec section 2's consequence)
        Bfp16Block half = Bfp16Block.of(0, new short[] {16384, -16384});
        assertEquals(Bfp16Block.of(0, new short[] {32767, -32767}), ModelUpdate.add(half, half));
        Bfp16Block top = Bfp16Block.of(-126, new short[] {16384});
        assertEquals(Bfp16Block.of(-126, new short[] {32767}), ModelUpdate.add(top, top));
    }

    @Test
    void aSumOfZeroIsTheZeroBlockOfExponentZero() {
        Bfp16Block a = Bfp16Block.of(-40, new short[] {5, -7});
        Bfp16Block minusA = Bfp16Block.of(-40, new short[] {-5, 7});
        assertEquals(ModelUpdate.zeros(2), ModelUpdate.add(a, minusA));
        assertEquals(Bfp16Block.of(0, new short[3]), ModelUpdate.zeros(3));
    }

    @Test
    void refusesASumAbove2To128AsUnrepresentable() {
        Bfp16Block top = Bfp16Block.of(113, new short[] {1, 32767});
        UnrepresentableValueException e = assertThrows(UnrepresentableValueException.class, () -> ModelUpdate.add(top, top));
        assertEquals("largest magnitude is above 2^128 (c = 129); no block can hold it", e.getMessage());
    }

    @Test
    void refusesUnequalDimensions() {
        assertThrows(InvalidBlockException.class, () -> ModelUpdate.add(ModelUpdate.zeros(2), ModelUpdate.zeros(3)));
    }

    private static Bfp16Block random(SplittableRandom r, int d, int e) {
        short[] m = new short[d];
        for (int i = 0; i < d; i++) {
            m[i] = (short) (r.nextInt(65535) - 32767);
        }
        return Bfp16Block.of(Math.min(e, 113), m);
    }
}
