package org.qoraedge.fixedpoint.privacy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The expected values come from {@code reference.py} (test resources, same package): python3's
 * hashlib over {@code seed || int64 big-endian counter}, written from the stream's definition.
 */
class NoiseBitsTest {
    static final byte[] SEED = seed(0);

    static byte[] seed(int first) {
        byte[] s = new byte[32];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (first + i);
        }
        return s;
    }

    @Test
    void streamIsSha256OfSeedAndBigEndianCounterReadMostSignificantBitFirst() {
        NoiseBits bits = new NoiseBits(SEED);
        byte[] out = new byte[64];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) bits.nextBits(8);
        }
        // python3: hashlib.sha256(bytes(range(32)) + struct.pack(">q", 0)).hexdigest(), then counter 1
        assertEquals("a9d6e500293a88bd38cbe213d07ab71f8cb2258552072a01bdf1c40be527f4d0"
                + "6061c4386d7a1788ba52e2e8b2ee6fe6137644ec75a70bf7042cfd67a1e57bd3", HexFormat.of().formatHex(out));
    }

    @Test
    void nextBitsConcatenatesAcrossBlockBoundaries() {
        NoiseBits bits = new NoiseBits(SEED);
        bits.nextBits(63);
        bits.nextBits(63);
        bits.nextBits(63);
        bits.nextBits(63); // 252 bits used: the next 8 straddle blocks 0 and 1
        // last nibble of block 0 (0x0) then first nibble of block 1 (0x6)
        assertEquals(0x06, bits.nextBits(8));
    }

    @Test
    void uniformRejectsInsteadOfReducingModulo() {
        NoiseBits bits = new NoiseBits(SEED);
        long[] got = new long[8];
        for (int i = 0; i < got.length; i++) {
            got[i] = bits.uniform(1000);
        }
        // reference.py: 10-bit draws, values >= 1000 rejected
        assertArrayEquals(new long[] {679, 366, 320, 41, 234, 139, 846, 203}, got);
        BigInteger n = BigInteger.ONE.shiftLeft(70).add(BigInteger.valueOf(5));
        assertEquals(new BigInteger("882854343619828487663"), bits.uniform(n));
        assertEquals(new BigInteger("717606732277594962213"), bits.uniform(n));
    }

    @Test
    void longAndBigIntegerUniformDrawTheSameBits() {
        NoiseBits a = new NoiseBits(SEED);
        NoiseBits b = new NoiseBits(SEED);
        long[] ranges = {1, 2, 3, 1000, (1L << 62) + 1, Long.MAX_VALUE, 7};
        for (long n : ranges) {
            assertEquals(BigInteger.valueOf(a.uniform(n)), b.uniform(BigInteger.valueOf(n)), "n = " + n);
        }
    }

    @Test
    void uniformOfOneDrawsNoBits() {
        NoiseBits a = new NoiseBits(SEED);
        NoiseBits b = new NoiseBits(SEED);
        assertEquals(0, a.uniform(1));
        assertEquals(b.nextBits(40), a.nextBits(40));
    }

    @Test
    void uniformCoversItsRangeEvenly() {
        NoiseBits bits = new NoiseBits(seed(9));
        int[] hits = new int[6];
        for (int i = 0; i < 60_000; i++) {
            hits[(int) bits.uniform(6)]++;
        }
        for (int h : hits) {
            // binomial sd ~ 91: 6 sd
            assertTrue(Math.abs(h - 10_000) < 550, "count " + h + " for one of 6 values in 60000 draws");
        }
    }

    @Test
    void differentSeedsGiveDifferentStreams() {
        assertNotEquals(new NoiseBits(seed(0)).nextBits(63), new NoiseBits(seed(1)).nextBits(63));
    }

    @Test
    void theSeedIsCopied() {
        byte[] s = seed(0);
        NoiseBits bits = new NoiseBits(s);
        s[0] = 99;
        assertEquals(0xa9, bits.nextBits(8));
    }

    @Test
    void refusesASeedThatIsNot32Bytes() {
        InvalidPrivacyParameterException e = assertThrows(InvalidPrivacyParameterException.class, () -> new NoiseBits(new byte[31]));
        assertEquals("seed has 31 bytes; it must have exactly 32", e.getMessage());
    }

    @Test
    void refusesAnEmptyRangeAndTooManyBits() {
        NoiseBits bits = new NoiseBits(SEED);
        assertEquals("uniform range must be at least 1, got 0",
                assertThrows(InvalidPrivacyParameterException.class, () -> bits.uniform(0)).getMessage());
        assertEquals("uniform range must be at least 1, got -3",
                assertThrows(InvalidPrivacyParameterException.class, () -> bits.uniform(BigInteger.valueOf(-3))).getMessage());
        assertEquals("cannot draw 64 bits at once; the limit is [0, 63]",
                assertThrows(InvalidPrivacyParameterException.class, () -> bits.nextBits(64)).getMessage());
    }
}
