package org.qoraedge.fixedpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Bfp16BlockTest {
    @Test
    void refusesEmptyBlock() {
        InvalidBlockException e = assertThrows(InvalidBlockException.class, () -> Bfp16Block.of(0, new short[0]));
        assertTrue(e.getMessage().contains("d = 0"), e.getMessage());
    }

    @Test
    void refusesExponentOutsideRange() {
        assertTrue(assertThrows(InvalidBlockException.class, () -> Bfp16Block.of(114, new short[] {1}))
                .getMessage().contains("114"));
        assertTrue(assertThrows(InvalidBlockException.class, () -> Bfp16Block.of(-127, new short[] {1}))
                .getMessage().contains("-127"));
        assertEquals(113, Bfp16Block.of(113, new short[] {1}).exponent());
        assertEquals(-126, Bfp16Block.of(-126, new short[] {1}).exponent());
    }

    @Test
    void refusesMantissaMinus32768NamingItsIndex() {
        InvalidBlockException e = assertThrows(InvalidBlockException.class,
                () -> Bfp16Block.of(0, new short[] {1, 2, Short.MIN_VALUE}));
        assertTrue(e.getMessage().contains("mantissa 2"), e.getMessage());
        assertThrows(InvalidBlockException.class, () -> Bfp16Block.of(0, new int[] {32768}));
        assertThrows(InvalidBlockException.class, () -> Bfp16Block.of(0, new int[] {-32768}));
    }

    @Test
    void neverExposesItsArray() {
        short[] in = {1, 2, 3};
        Bfp16Block b = Bfp16Block.of(0, in);
        in[0] = 99;
        short[] out = b.mantissas();
        out[1] = 99;
        assertArrayEquals(new short[] {1, 2, 3}, b.mantissas());
    }

    @Test
    void refusesBlocksOfUnequalLength() {
        Bfp16Block a = Bfp16Block.of(0, new short[] {1, 2});
        Bfp16Block b = Bfp16Block.of(0, new short[] {1});
        assertThrows(InvalidBlockException.class, () -> Bfp16Block.commonDimension(new Bfp16Block[] {a, b}));
        assertThrows(InvalidBlockException.class, () -> Means.mean(new Bfp16Block[] {a, b}));
    }
}
