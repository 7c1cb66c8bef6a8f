package org.qoraedge.fixedpoint.fast;

import java.util.Arrays;
import org.qoraedge.fixedpoint.Bfp16Block;

/** {@link MantissaStore#inHeap()}: references to the immutable blocks, {@code n x d} mantissas in the heap. */
final class HeapMantissas implements MantissaStore {
    private Bfp16Block[] blocks = new Bfp16Block[16];
    private int size;

    HeapMantissas() {
    }

    @Override
    public void put(int slot, Bfp16Block block) {
        if (slot != size) {
            throw new RoundBufferException("slot " + slot + " put after " + size + " slots; slots are put in order");
        }
        if (slot == blocks.length) {
            blocks = Arrays.copyOf(blocks, 2 * slot);
        }
        blocks[slot] = block;
        size = slot + 1;
    }

    @Override
    public void read(int slot, int from, short[] dst, int dstOffset, int length) {
        blocks[slot].copyMantissas(from, dst, dstOffset, length);
    }

    @Override
    public void clear() {
        Arrays.fill(blocks, 0, size, null);
        size = 0;
    }

    @Override
    public Bfp16Block block(int slot, int exponent, int dimension) {
        return blocks[slot];
    }
}
