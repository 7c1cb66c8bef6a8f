package org.qoraedge.gateway.aggregation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.fast.MantissaStore;

/**
 * The round's mantissas outside the heap: a scratch file that the round buffer writes each accepted
 * block into (slot {@code s} at byte {@code 2 d s}, native byte order) and reads back through
 * memory-mapped views, a tile at a time. Mapped files count neither against {@code -Xmx} nor against
 * {@code MaxDirectMemorySize}, so the gateway's heap holds the round's dot products, not its
 * {@code n x d} mantissas: the operating system's page cache holds them, and may write them to the
 * disk and drop them when memory is short.
 *
 * <p>Why a scratch file and not the round's journal, where the frames' big-endian mantissas already
 * sit: the journal exists only with a state directory, and the buffer must not depend on one; its
 * frames are appended byte for byte as received, at offsets that depend on identifier lengths, and
 * forced before each acknowledgement, while the journal is truncated on recovery, closed before the
 * commit and then kept or deleted by retention; binding mapped views to that lifecycle would couple
 * crash recovery and frame retention to the buffer. The scratch costs one unforced write per update
 * ({@code 2 d} bytes into the page cache, nothing forced), and nothing in it is needed after a
 * crash: recovery rebuilds the buffer from the journal as before.
 *
 * <p>The file is created in the given directory (the state directory, so on the disk that holds the
 * journal) and opened with {@code DELETE_ON_CLOSE}: on Linux that unlinks it at once, so no file is
 * left behind however the gateway ends, and its blocks are freed when the process exits. It is
 * reused round after round (its mapped views too: one per slot, created the first time a round
 * reaches that slot), so the disk and address space used are those of the largest round. Blocks
 * are written with {@link FileChannel#write(ByteBuffer, long)} from a small heap buffer, not
 * through a writable mapping, so that a full disk is an {@link UncheckedIOException} from
 * {@link #put} (the update is then not taken) instead of a fault on a mapped page.
 *
 * <p>An interrupt of the writing thread closes the channel ({@link java.nio.channels.FileChannel} is
 * interruptible): {@link #put} then fails with a {@link java.nio.channels.ClosedByInterruptException}
 * as the cause, which the round worker reads as the stop it was asked for, and the next
 * {@link #lease()} opens a new scratch file.
 *
 * <p>One round at a time: {@link #lease()} hands out the store for a new round and revokes the
 * previous round's lease, whose later use is refused. Used by one round worker; {@link #read} may
 * run on its helper threads (absolute reads of mapped views that do not change afterwards).
 */
final class ScratchMantissas {
    /** Bytes written per call: a heap staging buffer, no large temporary direct buffer. */
    private static final int WRITE_BYTES = 1 << 16;

    private final Path dir;
    private final int dimension;
    private final ByteBuffer staging = ByteBuffer.allocate(WRITE_BYTES).order(ByteOrder.nativeOrder());
    private final short[] scratch = new short[WRITE_BYTES / 2];
    private final List<ShortBuffer> views = new ArrayList<>();
    private FileChannel channel;
    private int size;
    private long generation;

    /**
     * @param dir where the scratch file is created, when the first block arrives
     * @param dimension the coordinates of every block
     */
    ScratchMantissas(Path dir, int dimension) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
        }
        this.dir = dir;
        this.dimension = dimension;
    }

    int dimension() {
        return dimension;
    }

    /** The store for a new round: empty, and the previous round's lease revoked. */
    MantissaStore lease() {
        long g = ++generation;
        size = 0;
        if (channel != null && !channel.isOpen()) {
            // an interrupt closed it during a write (the worker was stopped): the next round starts a new file
            channel = null;
            views.clear();
        }
        return new MantissaStore() {
            @Override
            public void put(int slot, Bfp16Block block) {
                check(g);
                ScratchMantissas.this.put(slot, block);
            }

            @Override
            public void read(int slot, int from, short[] dst, int dstOffset, int length) {
                check(g);
                ScratchMantissas.this.read(slot, from, dst, dstOffset, length);
            }

            @Override
            public void clear() {
                check(g);
                size = 0;
            }
        };
    }

    private void check(long g) {
        if (g != generation) {
            throw new IllegalStateException("this round's scratch mantissas were handed to a later round (lease " + g
                    + ", current " + generation + ")");
        }
    }

    private void put(int slot, Bfp16Block block) {
        if (slot != size) {
            throw new IllegalStateException("slot " + slot + " put after " + size + " slots; slots are put in order");
        }
        if (block.dimension() != dimension) {
            throw new IllegalArgumentException("block of " + block.dimension() + " coordinates in a store of " + dimension);
        }
        long base = 2L * dimension * slot;
        try {
            FileChannel ch = channel();
            int chunk = scratch.length;
            for (int from = 0; from < dimension; from += chunk) {
                int len = Math.min(chunk, dimension - from);
                block.copyMantissas(from, scratch, 0, len);
                staging.clear();
                staging.asShortBuffer().put(scratch, 0, len);
                staging.limit(2 * len);
                long pos = base + 2L * from;
                while (staging.hasRemaining()) {
                    pos += ch.write(staging, pos);
                }
            }
            if (slot == views.size()) {
                views.add(ch.map(FileChannel.MapMode.READ_ONLY, base, 2L * dimension).order(ByteOrder.nativeOrder())
                        .asShortBuffer());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep update " + slot + " (" + 2L * dimension + " bytes) in the scratch file in "
                    + dir + ": " + e.getMessage(), e);
        }
        size = slot + 1;
    }

    private void read(int slot, int from, short[] dst, int dstOffset, int length) {
        if (slot < 0 || slot >= size) {
            throw new IllegalStateException("slot " + slot + " read; " + size + " slots were put");
        }
        views.get(slot).get(from, dst, dstOffset, length);
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            Files.createDirectories(dir);
            Path file = Files.createTempFile(dir, "round-", ".scratch");
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        }
        return channel;
    }
}
