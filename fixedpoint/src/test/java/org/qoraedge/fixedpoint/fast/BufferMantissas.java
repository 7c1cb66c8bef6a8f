package org.qoraedge.fixedpoint.fast;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * A {@link MantissaStore} outside the heap, as the gateway's mapped scratch file is: one direct
 * buffer per slot, in the byte order given (the gateway uses the native one), written once, read a
 * tile at a time, buffers kept across {@link #clear} for the next round. Counts what it is asked, so
 * that tests can check that closing a round reads tiles and never the whole block.
 */
final class BufferMantissas implements MantissaStore {
    private final int dimension;
    private final ByteOrder order;
    private final List<ShortBuffer> slots = new ArrayList<>();
    private int size;
    private int largestRead;
    private int blocksMaterialized;

    BufferMantissas(int dimension, ByteOrder order) {
        this.dimension = dimension;
        this.order = order;
    }

    @Override
    public void put(int slot, Bfp16Block block) {
        if (slot != size) {
            throw new IllegalStateException("slot " + slot + " put after " + size);
        }
        if (slot == slots.size()) {
            slots.add(ByteBuffer.allocateDirect(2 * dimension).order(order).asShortBuffer());
        }
        short[] m = block.mantissas();
        slots.get(slot).put(0, m, 0, m.length);
        size = slot + 1;
    }

    @Override
    public synchronized void read(int slot, int from, short[] dst, int dstOffset, int length) {
        if (slot >= size) {
            throw new IllegalStateException("slot " + slot + " read, " + size + " put");
        }
        largestRead = Math.max(largestRead, length);
        slots.get(slot).get(from, dst, dstOffset, length);
    }

    @Override
    public Bfp16Block block(int slot, int exponent, int d) {
        synchronized (this) {
            blocksMaterialized++;
        }
        return MantissaStore.super.block(slot, exponent, d);
    }

    @Override
    public void clear() {
        size = 0;
    }

    /** The most mantissas one {@link #read} asked for (block materializations included). */
    synchronized int largestRead() {
        return largestRead;
    }

    /** How many times a whole slot was copied into the heap as a block. */
    synchronized int blocksMaterialized() {
        return blocksMaterialized;
    }
}
