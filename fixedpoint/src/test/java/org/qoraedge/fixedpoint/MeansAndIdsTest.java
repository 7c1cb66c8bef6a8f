package org.qoraedge.fixedpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MeansAndIdsTest {
    static LongStream seeds() {
        return LongStream.range(1, 121);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void weightedMeanMatchesTheExactOracle(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 1 + r.nextInt(8);
        int d = 1 + r.nextInt(30);
        Bfp16Block[] blocks = RandomBlocks.round(r, n, d);
        long[] w = new long[n];
        for (int j = 0; j < n; j++) {
            w[j] = r.nextBoolean() ? 1 : 1 + r.nextLong(1L << 40);
        }
        Bfp16Block got = Means.weightedMean(blocks, w);
        BigDecimal total = BigDecimal.ZERO;
        for (long x : w) {
            total = total.add(BigDecimal.valueOf(x));
        }
        // The exact mean may not terminate in decimal: compare through the oracle encoder at a
        // precision far beyond what rounding to 16 bits can notice, plus an exactness check below.
        BigDecimal[] exact = new BigDecimal[d];
        for (int i = 0; i < d; i++) {
            BigDecimal s = BigDecimal.ZERO;
            for (int j = 0; j < n; j++) {
                s = s.add(Oracle.value(blocks[j], i).multiply(BigDecimal.valueOf(w[j])));
            }
            exact[i] = s.divide(total, new MathContext(400));
        }
        int[] e = new int[1];
        int[] m = Oracle.encode(exact, e);
        assertEquals(e[0], got.exponent());
        for (int i = 0; i < d; i++) {
            assertEquals(m[i], got.mantissa(i), "coordinate " + i);
        }
    }

    @Test
    void meanOfNegativeHalvesRoundsAwayFromZero() {
        // mean of 3 and -6 units at e = -15 ... pick values whose mean is an exact half of the result unit
        Bfp16Block a = Bfp16Block.of(0, new short[] {32767, -3});
        Bfp16Block b = Bfp16Block.of(0, new short[] {32767, 0});
        Bfp16Block mean = Means.mean(new Bfp16Block[] {a, b});
        assertEquals(0, mean.exponent());
        assertArrayEquals(new short[] {32767, -2}, mean.mantissas()); // -1.5 -> -2
    }

    @Test
    void refusesWeightsBelowOne() {
        Bfp16Block[] b = {Bfp16Block.of(0, new short[] {1}), Bfp16Block.of(0, new short[] {2})};
        InvalidWeightException e = assertThrows(InvalidWeightException.class, () -> Means.weightedMean(b, new long[] {1, 0}));
        assertTrue(e.getMessage().contains("weight 1 is 0"), e.getMessage());
        assertThrows(InvalidWeightException.class, () -> Means.weightedMean(b, new long[] {-1, 1}));
        assertThrows(InvalidWeightException.class, () -> Means.weightedMean(b, new long[] {1}));
        assertThrows(EmptyInputException.class, () -> Means.mean(new Bfp16Block[0]));
    }

    @Test
    void canonicalOrderIsUnsignedUtf8NotUtf16() {
        String fullwidthA = "\uff21";         // U+FF21: EF BC A1
        String emoji = "\ud83d\ude00";        // U+1F600: F0 9F 98 80
        assertTrue(emoji.compareTo(fullwidthA) < 0, "String.compareTo puts the surrogate first");
        assertArrayEquals(new int[] {1, 0}, NodeIds.canonicalOrder(new String[] {emoji, fullwidthA}));
        assertArrayEquals(new int[] {1, 0}, NodeIds.canonicalOrder(new String[] {"node-9", "node-10"}));
        assertArrayEquals(new int[] {1, 0}, NodeIds.canonicalOrder(new String[] {"ab", "a"}), "a proper prefix first");
        assertArrayEquals(new int[] {0, 1}, NodeIds.canonicalOrder(new String[] {"z", "\u00e9"}), "unsigned bytes: C3 after 7A");
    }

    @Test
    void refusesDuplicateAndInvalidIds() {
        InvalidNodeIdException dup = assertThrows(InvalidNodeIdException.class,
                () -> NodeIds.canonicalOrder(new String[] {"a", "b", "a"}));
        assertTrue(dup.getMessage().contains("indices 0 and 2"), dup.getMessage());
        assertThrows(InvalidNodeIdException.class, () -> NodeIds.canonicalOrder(new String[] {""}));
        assertThrows(InvalidNodeIdException.class, () -> NodeIds.canonicalOrder(new String[] {"x\ud800"}));
        assertThrows(InvalidNodeIdException.class, () -> NodeIds.canonicalOrder(new String[] {"tab\there"}));
        assertThrows(InvalidNodeIdException.class, () -> NodeIds.fromUtf8(new byte[] {(byte) 0xC0, (byte) 0xAF}));
        assertThrows(InvalidNodeIdException.class, () -> NodeIds.fromUtf8(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
        assertEquals("\u00e9", NodeIds.fromUtf8("\u00e9".getBytes(StandardCharsets.UTF_8)));
        // no normalization: precomposed and decomposed e-acute are two ids
        assertEquals(2, NodeIds.canonicalOrder(new String[] {"\u00e9", "e\u0301"}).length);
    }

    @Test
    void blockDigestCoversTheSection7Layout() {
        byte[] bytes = BlockBytes.write(Bfp16Block.of(-2, new short[] {1, -1}));
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE, 0, 0, 0, 2, 0, 1, (byte) 0xFF, (byte) 0xFF}, bytes);
    }
}
