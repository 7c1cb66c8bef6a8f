package org.qoraedge.fixedpoint.fast;

import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * Where a {@link RoundBuffer} keeps the mantissas of its blocks between their arrival and the
 * round's close: {@link #inHeap()} keeps references to the (immutable) blocks themselves; a caller
 * that must not hold {@code n x d} mantissas in its heap supplies its own store (the gateway maps a
 * scratch file). The buffer keeps each slot's exponent, sum of squares and dot products itself; the
 * store holds only mantissas, and is read a tile of coordinates at a time.
 *
 * <p>Contract: {@link #put} is called once per slot and round, slots {@code 0, 1, 2, ...} in order,
 * on the buffer's owning thread; {@link #read} may be called from several of the buffer's helper
 * threads at once, for slots already put, and must then return exactly what was put (no rounding,
 * no conversion: the results of the buffer are bit for bit those of the blocks); {@link #clear}
 * forgets every slot (the buffer's next round). A store serves one buffer at a time.
 *
 * <p>Errors: a store that cannot keep a block (a full disk) throws an unchecked exception from
 * {@link #put}; the buffer then has not taken the block.
 */
public interface MantissaStore {
    /**
     * Keeps {@code block}'s mantissas as slot {@code slot}'s.
     *
     * @param slot the buffer's next slot: {@code 0} after {@link #clear}, then {@code 1, 2, ...}
     */
    void put(int slot, Bfp16Block block);

    /**
     * Copies {@code length} mantissas of slot {@code slot}, from coordinate {@code from}, into
     * {@code dst} at {@code dstOffset}.
     */
    void read(int slot, int from, short[] dst, int dstOffset, int length);

    /** Forgets every slot, keeping whatever memory or file the store holds, for the next round. */
    void clear();

    /**
     * Slot {@code slot} as a block with {@code exponent}: its mantissas copied into the heap
     * ({@code dimension} shorts) unless the store already holds the block itself.
     */
    default Bfp16Block block(int slot, int exponent, int dimension) {
        short[] m = new short[dimension];
        read(slot, 0, m, 0, dimension);
        return Bfp16Block.of(exponent, m);
    }

    /** A store that keeps references to the blocks themselves: {@code n x d} mantissas in the heap. */
    static MantissaStore inHeap() {
        return new HeapMantissas();
    }
}
