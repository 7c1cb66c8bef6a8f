package org.qoraedge.fixedpoint.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.BlockBytes;
import org.qoraedge.fixedpoint.UnrepresentableValueException;

class CentralNoiseTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SECRET = NoiseBitsTest.seed(100);
    private static final Bfp16Block AGGREGATE = Bfp16Block.of(-10, new int[] {1000, -2000, 0, 32767, -32767, 7, 12345, -1});

    @Test
    void roundSeedIsHmacSha256OfLabelRoundAndAggregateDigest() {
        // reference.py: hmac(secret, b"qora-edge central-dp 1" + b"\0" + int64 BE 42 + sha256(block bytes))
        assertEquals("df6556c7de2b339110a17db8e262f82a372976c0c6500b93c7b659c18f44379e",
                HEX.formatHex(CentralNoise.roundSeed(SECRET, 42, AGGREGATE)));
    }

    /**
     * central-noise-golden.txt was written by {@code reference.py --golden} (python3 integers, not this
     * code): each line a round, sigma^2, an aggregate and its noised block, so a run on any CPU compares
     * every bit. The cases cover no overflow, an overflow to one exponent more, a zero aggregate, the
     * smallest exponent, a negative round number and a large variance.
     */
    @Test
    void noisedBlocksMatchTheGoldenFile() throws IOException {
        List<String[]> cases = golden();
        assertEquals(7, cases.size());
        for (String[] c : cases) {
            long round = Long.parseLong(c[0]);
            DiscreteGaussian g = DiscreteGaussian.of(Long.parseLong(c[1]), Long.parseLong(c[2]));
            Bfp16Block aggregate = BlockBytes.read(HEX.parseHex(c[3]));
            Bfp16Block noised = CentralNoise.apply(aggregate, SECRET, round, g);
            assertEquals(c[4], HEX.formatHex(BlockBytes.write(noised)), "round " + round + ", sigma^2 " + c[1] + "/" + c[2]);
        }
    }

    @Test
    void noiseIsInUnitsOfTheAggregatesLeastSignificantBitInCoordinateOrder() {
        byte[] seed = NoiseBitsTest.seed(3);
        DiscreteGaussian g = DiscreteGaussian.of(25, 1);
        Bfp16Block aggregate = Bfp16Block.of(-20, new int[] {0, 100, -100, 5000, 0, 0, 7, -7});
        Bfp16Block noised = CentralNoise.apply(aggregate, seed, g);
        assertEquals(-20, noised.exponent());
        long[] z = new long[8];
        g.sample(new NoiseBits(seed), z);
        for (int i = 0; i < 8; i++) {
            assertEquals(aggregate.mantissa(i) + z[i], noised.mantissa(i), "coordinate " + i);
        }
        assertTrue(noised.mantissa(0) != 0 || noised.mantissa(4) != 0 || noised.mantissa(5) != 0, "no noise added: " + noised);
    }

    @Test
    void sameSecretAndRoundReplayBitForBit() {
        DiscreteGaussian g = DiscreteGaussian.of(9, 4);
        assertEquals(CentralNoise.apply(AGGREGATE, SECRET, 5, g), CentralNoise.apply(AGGREGATE, SECRET.clone(), 5, g));
    }

    @Test
    void anotherRoundAnotherAggregateOrAnotherSecretGiveOtherNoise() {
        DiscreteGaussian g = DiscreteGaussian.of(100, 1);
        Bfp16Block base = CentralNoise.apply(AGGREGATE, SECRET, 5, g);
        assertNotEquals(base, CentralNoise.apply(AGGREGATE, SECRET, 6, g));
        assertNotEquals(base, CentralNoise.apply(AGGREGATE, NoiseBitsTest.seed(101), 5, g));
        Bfp16Block other = Bfp16Block.of(-10, new int[] {1000, -2000, 0, 32767, -32767, 7, 12345, 0});
        assertNotEquals(HEX.formatHex(CentralNoise.roundSeed(SECRET, 5, AGGREGATE)),
                HEX.formatHex(CentralNoise.roundSeed(SECRET, 5, other)));
    }

    @Test
    void fittingValuesKeepTheExponentExactly() {
        Bfp16Block b = CentralNoise.encode(-3, new long[] {32767, -32767, 0, 5}, 32767);
        assertEquals(Bfp16Block.of(-3, new int[] {32767, -32767, 0, 5}), b);
    }

    @Test
    void overflowRaisesTheExponentAndRoundsHalfAwayFromZero() {
        // 40001 / 2 = 20000.5 -> 20001; -3 / 2 = -1.5 -> -2; 1 / 2 = 0.5 -> 1; -1 / 2 -> -1
        Bfp16Block b = CentralNoise.encode(-3, new long[] {40001, -3, 1, -1, 4}, 40001);
        assertEquals(Bfp16Block.of(-2, new int[] {20001, -2, 1, -1, 2}), b);
    }

    @Test
    void aPowerOfTwoMaximumIsNotClamped() {
        // Spec section 2 would give 32768 * 2^0 the exponent 0 and clamp it to 32767; here it becomes 16384 * 2^1.
        assertEquals(Bfp16Block.of(1, new int[] {-16384, 16384, 1}), CentralNoise.encode(0, new long[] {-32768, 32768, 1}, 32768));
        // 65535 / 2 rounds to 32768, which does not fit: two more, 65535 / 4 = 16383.75 -> 16384
        assertEquals(Bfp16Block.of(2, new int[] {16384, 0}), CentralNoise.encode(0, new long[] {65535, 1}, 65535));
        assertEquals(Bfp16Block.of(1, new int[] {32767}), CentralNoise.encode(0, new long[] {65534}, 65534));
    }

    @Test
    void refusesAnExponentAbove113InsteadOfClamping() {
        UnrepresentableValueException e = assertThrows(UnrepresentableValueException.class,
                () -> CentralNoise.encode(113, new long[] {32768, 0}, 32768));
        assertEquals("noised aggregate needs exponent 114 (largest noised mantissa 32768 at exponent 113); the limit is 113",
                e.getMessage());
        // and through apply: every coordinate at the largest mantissa and exponent, a variance of 10^8
        Bfp16Block top = Bfp16Block.of(113, new int[] {32767, 32767, 32767, 32767, 32767, 32767, 32767, 32767});
        assertThrows(UnrepresentableValueException.class, () -> CentralNoise.apply(top, SECRET, 1, DiscreteGaussian.of(100_000_000, 1)));
    }

    @Test
    void refusesAShortSecretAndABadSeed() {
        InvalidPrivacyParameterException e = assertThrows(InvalidPrivacyParameterException.class,
                () -> CentralNoise.roundSeed(new byte[31], 1, AGGREGATE));
        assertEquals("operator secret has 31 bytes; it must have at least 32", e.getMessage());
        assertThrows(InvalidPrivacyParameterException.class, () -> CentralNoise.apply(AGGREGATE, new byte[16], DiscreteGaussian.of(1, 1)));
    }

    @Test
    void theAggregateIsNotModified() {
        short[] before = AGGREGATE.mantissas();
        CentralNoise.apply(AGGREGATE, SECRET, 1, DiscreteGaussian.of(1, 1));
        assertArrayEquals(before, AGGREGATE.mantissas());
    }

    private static List<String[]> golden() throws IOException {
        List<String[]> cases = new ArrayList<>();
        try (InputStream in = CentralNoiseTest.class.getResourceAsStream("central-noise-golden.txt")) {
            assertTrue(in != null, "central-noise-golden.txt is missing from the test resources");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    cases.add(line.trim().split(" "));
                }
            }
        }
        return cases;
    }
}
