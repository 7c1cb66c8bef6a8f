package org.qoraedge.fixedpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockBytesTest {
    private static final Bfp16Block BLOCK = Bfp16Block.of(-2, new short[] {1, -1, 32767, -32767, 0});

    @Test
    void writesInt32ExponentInt32DimensionThenInt16MantissasBigEndian() {
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFE, 0, 0, 0, 5, 0, 1,
            (byte) 0xFF, (byte) 0xFF, 0x7F, (byte) 0xFF, (byte) 0x80, 0x01, 0, 0}, BlockBytes.write(BLOCK));
        assertEquals(18, BlockBytes.length(5));
    }

    @Test
    void theDigestOfABlockIsTheSha256OfItsBytes() {
        assertEquals(Digests.hex(BlockBytes.write(BLOCK)), Digests.block(BLOCK));
    }

    @Test
    void blocksLongerThanAChunkAreWrittenAndDigestedWhole() throws Exception {
        SplittableRandom r = new SplittableRandom(12);
        for (int d : new int[] {1, 4095, 4096, 4097, 8192, 10_001}) {
            Bfp16Block b = RandomBlocks.block(r, d, r.nextInt(-126, 114));
            ByteBuffer expected = ByteBuffer.allocate(8 + 2 * d); // big-endian, one value at a time
            expected.putInt(b.exponent()).putInt(d);
            for (int i = 0; i < d; i++) {
                expected.putShort(b.mantissa(i));
            }
            assertArrayEquals(expected.array(), BlockBytes.write(b), "d = " + d);
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected.array())), Digests.block(b),
                    "d = " + d);
        }
    }

    @Test
    void readsBackWhatItWroteForRandomBlocks() {
        SplittableRandom r = new SplittableRandom(11);
        for (int t = 0; t < 200; t++) {
            Bfp16Block b = RandomBlocks.block(r, 1 + r.nextInt(300), r.nextInt(-126, 114));
            byte[] bytes = BlockBytes.write(b);
            assertEquals(BlockBytes.length(b.dimension()), bytes.length);
            assertEquals(b, BlockBytes.read(bytes));
        }
    }

    @Test
    void readsABlockInsideALargerArray() {
        byte[] block = BlockBytes.write(BLOCK);
        byte[] around = new byte[3 + block.length + 4];
        Arrays.fill(around, (byte) 0x55);
        System.arraycopy(block, 0, around, 3, block.length);
        assertEquals(BLOCK, BlockBytes.read(around, 3, block.length));
    }

    @Test
    void refusesFewerBytesThanTheHeader() {
        for (int n = 0; n < 8; n++) {
            byte[] shortBytes = Arrays.copyOf(BlockBytes.write(BLOCK), n);
            InvalidBlockException e = assertThrows(InvalidBlockException.class, () -> BlockBytes.read(shortBytes));
            assertTrue(e.getMessage().contains("block of " + n + " bytes is shorter than its 8-byte header"), e.getMessage());
        }
    }

    @Test
    void refusesADimensionFieldBelowOne() {
        for (int d : new int[] {0, -1, Integer.MIN_VALUE}) {
            byte[] bytes = ByteBuffer.allocate(10).putInt(0).putInt(d).putShort((short) 1).array();
            InvalidBlockException e = assertThrows(InvalidBlockException.class, () -> BlockBytes.read(bytes));
            assertTrue(e.getMessage().contains("dimension field is " + d + "; a block needs d >= 1"), e.getMessage());
        }
    }

    @Test
    void refusesALengthOtherThan8Plus2dNamingBoth() {
        byte[] good = BlockBytes.write(BLOCK);
        InvalidBlockException truncated = assertThrows(InvalidBlockException.class,
                () -> BlockBytes.read(Arrays.copyOf(good, good.length - 1)));
        assertTrue(truncated.getMessage().contains("block of dimension 5 takes 8 + 2d = 18 bytes, got 17"),
                truncated.getMessage());
        InvalidBlockException trailing = assertThrows(InvalidBlockException.class,
                () -> BlockBytes.read(Arrays.copyOf(good, good.length + 2)));
        assertTrue(trailing.getMessage().contains("got 20"), trailing.getMessage());
        // a dimension field far beyond the bytes: refused before anything is allocated for it
        byte[] huge = ByteBuffer.allocate(10).putInt(0).putInt(Integer.MAX_VALUE).putShort((short) 1).array();
        InvalidBlockException e = assertThrows(InvalidBlockException.class, () -> BlockBytes.read(huge));
        assertTrue(e.getMessage().contains("takes 8 + 2d = 4294967302 bytes, got 10"), e.getMessage());
    }

    @Test
    void refusesWhatSection1Refuses() {
        byte[] exponent = ByteBuffer.allocate(10).putInt(114).putInt(1).putShort((short) 1).array();
        assertTrue(assertThrows(InvalidBlockException.class, () -> BlockBytes.read(exponent)).getMessage()
                .contains("exponent 114 is outside [-126, 113]"));
        byte[] mantissa = ByteBuffer.allocate(12).putInt(0).putInt(2).putShort((short) 1).putShort(Short.MIN_VALUE).array();
        assertTrue(assertThrows(InvalidBlockException.class, () -> BlockBytes.read(mantissa)).getMessage()
                .contains("mantissa 1 is -32768"));
    }

    @Test
    void aRangeOutsideTheArrayIsTheCallersBugNotMalformedInput() {
        byte[] bytes = BlockBytes.write(BLOCK);
        assertThrows(IndexOutOfBoundsException.class, () -> BlockBytes.read(bytes, 1, bytes.length));
        assertThrows(IndexOutOfBoundsException.class, () -> BlockBytes.read(bytes, -1, 8));
    }
}
