package org.qoraedge.gateway.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;
import java.util.zip.CRC32C;

/**
 * One round's journal: the global model frame the round started from, every accepted update frame
 * (byte for byte, as received) and every rejection, appended as they happen and forced to the
 * device before the gateway acknowledges the frames (docs/STATE.md). After a crash the gateway
 * rebuilds the round from it; after the round it is kept (configurable retention) as the round's
 * frames for {@code cross-check replay}.
 *
 * <p>Layout, big-endian: {@code "QJRN"}, u16 version (1), u64 round, u16 fleet length, fleet UTF-8;
 * then entries {@code u8 type, u32 length, payload, u32 CRC32C(type, length, payload)}. Types:
 * {@code M} model frame, {@code A} accepted update frame, {@code R} rejection (UTF-8 lines: node,
 * frame round, sequence, frame digest, reason), {@code X} a restart of the gateway in this round.
 * A last entry cut short (the gateway died while appending it, so it was never acknowledged) is
 * removed on recovery; damage anywhere else is refused.
 */
public final class RoundJournal implements AutoCloseable {
    public static final int VERSION = 1;
    private static final byte[] MAGIC = {'Q', 'J', 'R', 'N'};
    public static final byte MODEL = 'M';
    public static final byte ACCEPTED = 'A';
    public static final byte REJECTED = 'R';
    public static final byte RESTART = 'X';
    private static final int MAX_ENTRY = 64 << 20;

    private final Path file;
    private final FileChannel channel;
    private boolean dirty;

    private RoundJournal(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** One entry. */
    public record Entry(byte type, byte[] payload) {
        public Entry {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /**
     * A rejection entry: five UTF-8 lines. Written by {@link #rejected(Rejection)} and read back with
     * {@link #parse}, so that the format has one writer and one reader.
     *
     * @param node the node id of the update topic
     * @param frameRound the frame's round (-1 when its header could not be parsed)
     * @param sequence the frame's sequence (-1 when unparsed)
     * @param frameDigest SHA-256 (hex) of the whole payload
     * @param reason the rejection reason's wire name
     */
    public record Rejection(String node, long frameRound, long sequence, String frameDigest, String reason) {
        byte[] toBytes() {
            return (node + "\n" + frameRound + "\n" + sequence + "\n" + frameDigest + "\n" + reason)
                    .getBytes(StandardCharsets.UTF_8);
        }

        /**
         * Reads a rejection entry of {@code file}.
         *
         * @throws StateException when it does not have five lines or a number does not parse
         */
        public static Rejection parse(Path file, Entry e) {
            if (e.type() != REJECTED) {
                throw new StateException(file + ": entry of type " + (e.type() & 0xff) + " read as a rejection");
            }
            String[] f = e.text().split("\n", -1);
            if (f.length != 5) {
                throw new StateException(file + ": a rejection entry has " + f.length + " fields, not 5");
            }
            return new Rejection(f[0], number(file, "frame round", f[1]), number(file, "sequence", f[2]), f[3], f[4]);
        }

        private static long number(Path file, String field, String text) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException x) {
                throw new StateException(file + ": a rejection entry's " + field + " is not a number: "
                        + (text.length() > 40 ? text.substring(0, 40) + "..." : text));
            }
        }
    }

    /** A journal read back: header fields, entries, and the torn tail cut off (bytes, 0 when none). */
    public record Contents(long round, String fleet, List<Entry> entries, long tornBytes) {
        public Contents {
            entries = entries instanceof LazyEntries ? entries : List.copyOf(entries);
        }
    }

    /** Creates a journal (replacing any file there) with its header and the round's model frame, forced. */
    public static RoundJournal create(Path file, String fleet, long round, byte[] modelFrame) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        RoundJournal j = new RoundJournal(file, ch);
        try {
            byte[] f = fleet.getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = ByteBuffer.allocate(4 + 2 + 8 + 2 + f.length).order(ByteOrder.BIG_ENDIAN);
            h.put(MAGIC).putShort((short) VERSION).putLong(round).putShort((short) f.length).put(f).flip();
            j.writeFully(h);
            j.append(MODEL, modelFrame);
            j.sync();
            AtomicFiles.syncDirectory(file.toAbsolutePath().getParent());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return j;
    }

    /**
     * Reads a journal for recovery: checks it is for {@code fleet} and {@code round}, cuts off a
     * torn last entry, and returns its contents together with the journal opened for appending.
     */
    public static RoundJournal reopen(Path file, String fleet, long round, List<Contents> out) throws IOException {
        Contents c = scan(file, true); // its entries are read one at a time, as the caller restores them
        if (!c.fleet().equals(fleet) || c.round() != round) {
            throw new StateException(file + " is the journal of fleet " + c.fleet() + " round " + c.round()
                    + "; the state expects fleet " + fleet + " round " + round);
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        if (c.tornBytes() > 0) {
            ch.truncate(ch.size() - c.tornBytes());
            ch.force(true);
        }
        ch.position(ch.size());
        out.add(c);
        return new RoundJournal(file, ch);
    }

    /**
     * The round in a journal's header, read without the rest of the file (to index journals).
     *
     * @throws StateException when the file does not start with a journal header
     */
    public static long roundOf(Path file) throws IOException {
        byte[] h = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(h, 0, h.length);
        }
        checkMagic(file, h, n);
        return ByteBuffer.wrap(h, 6, 8).order(ByteOrder.BIG_ENDIAN).getLong();
    }

    private static void checkMagic(Path file, byte[] h, int n) {
        if (n < 16 || h[0] != MAGIC[0] || h[1] != MAGIC[1] || h[2] != MAGIC[2] || h[3] != MAGIC[3]) {
            throw new StateException(file + " is not a round journal (no QJRN header)");
        }
    }

    /**
     * Reads a journal. With {@code allowTorn} a last entry cut short or failing its checksum is
     * reported in {@link Contents#tornBytes()}; without, it is refused. Every entry is read into the
     * heap ({@link #reopen} reads them one at a time instead).
     */
    public static Contents read(Path file, boolean allowTorn) throws IOException {
        Contents lazy = scan(file, allowTorn);
        return new Contents(lazy.round(), lazy.fleet(), List.copyOf(lazy.entries()), lazy.tornBytes());
    }

    /**
     * Checks a journal entry by entry, streaming (its header, every entry's length, type and
     * checksum), without holding more than a small buffer: the returned contents' entries are read
     * from the file when asked for, one at a time ({@link LazyEntries}), so that recovering a round
     * of {@code n} frames of {@code 2 d} bytes does not need them all in the heap at once.
     */
    static Contents scan(Path file, boolean allowTorn) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            byte[] h = new byte[16];
            int n = (int) Math.min(size, 16);
            readFully(ch, ByteBuffer.wrap(h, 0, n), 0);
            checkMagic(file, h, n);
            ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.BIG_ENDIAN);
            int version = Short.toUnsignedInt(b.getShort(4));
            if (version != VERSION) {
                throw new StateException(file + " is a round journal of version " + version + "; this gateway reads version " + VERSION);
            }
            long round = b.getLong(6);
            int fl = Short.toUnsignedInt(b.getShort(14));
            if (size - 16 < fl) {
                throw new StateException(file + ": header cut short");
            }
            byte[] f = new byte[fl];
            readFully(ch, ByteBuffer.wrap(f), 16);
            String fleet = new String(f, StandardCharsets.UTF_8);
            LazyEntries.Builder entries = new LazyEntries.Builder(file);
            ByteBuffer head = ByteBuffer.allocate(9).order(ByteOrder.BIG_ENDIAN);
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
            long pos = 16 + fl;
            while (pos < size) {
                long start = pos;
                String problem = null;
                int len = -1;
                if (size - start < 9) {
                    problem = "entry header cut short";
                } else {
                    head.clear().limit(5);
                    readFully(ch, head, start);
                    byte type = head.get(0);
                    len = head.getInt(1);
                    if (len < 0 || len > MAX_ENTRY) {
                        problem = "entry length " + len + " out of range";
                    } else if (size - start - 5 < len + 4L) {
                        problem = "entry of " + len + " bytes cut short";
                    } else {
                        CRC32C c = new CRC32C();
                        c.update(head.array(), 0, 5);
                        for (long p = start + 5, end = start + 5 + len; p < end;) {
                            chunk.clear().limit((int) Math.min(chunk.capacity(), end - p));
                            readFully(ch, chunk, p);
                            c.update(chunk.array(), 0, chunk.limit());
                            p += chunk.limit();
                        }
                        head.clear().limit(4);
                        readFully(ch, head, start + 5 + len);
                        if ((int) c.getValue() != head.getInt(0)) {
                            problem = "entry checksum mismatch";
                        } else if (type != MODEL && type != ACCEPTED && type != REJECTED && type != RESTART) {
                            problem = "unknown entry type " + (type & 0xff);
                        } else {
                            entries.add(start, type, len);
                            pos = start + 9 + len;
                            continue;
                        }
                    }
                }
                // The damage is at the tail when no complete valid entry could start after start: a torn
                // append leaves a prefix of one entry, whose declared length runs to or past the end of the file.
                boolean last = size - start < 9 || len < 0 || start + 9 + len >= size;
                if (allowTorn && last) {
                    return new Contents(round, fleet, entries.build(), size - start);
                }
                throw new StateException(file + ": " + problem + " at offset " + start
                        + (last ? " (a torn last entry)" : " with more data after it: the journal is damaged"));
            }
            return new Contents(round, fleet, entries.build(), 0);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, p);
            if (r < 0) {
                throw new IOException("journal ended at byte " + p + " while reading it");
            }
            p += r;
        }
    }

    /**
     * The entries of a journal {@link #scan scanned} without keeping their payloads: each is read
     * from the file (and its checksum checked again) when asked for. Immutable; the file must not be
     * changed before the entries are read (the gateway reads them at once, before appending).
     */
    static final class LazyEntries extends AbstractList<Entry> implements RandomAccess {
        private final Path file;
        private final long[] offsets;
        private final byte[] types;
        private final int[] lengths;

        private LazyEntries(Path file, long[] offsets, byte[] types, int[] lengths) {
            this.file = file;
            this.offsets = offsets;
            this.types = types;
            this.lengths = lengths;
        }

        @Override
        public int size() {
            return offsets.length;
        }

        @Override
        public Entry get(int i) {
            byte[] entry = new byte[9 + lengths[i]];
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                readFully(ch, ByteBuffer.wrap(entry), offsets[i]);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read entry " + i + " of " + file + " again: " + e.getMessage(), e);
            }
            CRC32C c = new CRC32C();
            c.update(entry, 0, 5 + lengths[i]);
            ByteBuffer b = ByteBuffer.wrap(entry).order(ByteOrder.BIG_ENDIAN);
            if (b.get(0) != types[i] || b.getInt(1) != lengths[i] || (int) c.getValue() != b.getInt(5 + lengths[i])) {
                throw new StateException(file + ": entry " + i + " at offset " + offsets[i] + " changed after the journal was read");
            }
            return new Entry(types[i], Arrays.copyOfRange(entry, 5, 5 + lengths[i]));
        }

        /** Collects the entries' positions while scanning. */
        static final class Builder {
            private final Path file;
            private long[] offsets = new long[16];
            private byte[] types = new byte[16];
            private int[] lengths = new int[16];
            private int size;

            Builder(Path file) {
                this.file = file;
            }

            void add(long offset, byte type, int length) {
                if (size == offsets.length) {
                    offsets = Arrays.copyOf(offsets, 2 * size);
                    types = Arrays.copyOf(types, 2 * size);
                    lengths = Arrays.copyOf(lengths, 2 * size);
                }
                offsets[size] = offset;
                types[size] = type;
                lengths[size] = length;
                size++;
            }

            LazyEntries build() {
                return new LazyEntries(file, Arrays.copyOf(offsets, size), Arrays.copyOf(types, size), Arrays.copyOf(lengths, size));
            }
        }
    }

    /** Appends an accepted update frame (not forced: call {@link #sync()} before acknowledging). */
    public void accepted(byte[] frame) throws IOException {
        append(ACCEPTED, frame);
    }

    /** Appends a rejection. */
    public void rejected(Rejection r) throws IOException {
        append(REJECTED, r.toBytes());
    }

    /** Appends a rejection given by its fields. */
    public void rejected(String node, long frameRound, long sequence, String frameDigest, String reason) throws IOException {
        rejected(new Rejection(node, frameRound, sequence, frameDigest, reason));
    }

    /** Appends a restart marker and forces it. */
    public void restarted() throws IOException {
        append(RESTART, new byte[0]);
        sync();
    }

    /**
     * Writes one entry from the payload itself (a gathering write of header, payload and checksum):
     * no copy of a frame of {@code 2 d} bytes is made in the heap.
     */
    private void append(byte type, byte[] payload) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5).order(ByteOrder.BIG_ENDIAN);
        head.put(type).putInt(payload.length);
        CRC32C c = new CRC32C();
        c.update(head.array(), 0, 5);
        c.update(payload, 0, payload.length);
        head.flip();
        ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt((int) c.getValue()).flip();
        ByteBuffer[] entry = {head, ByteBuffer.wrap(payload), tail};
        while (tail.hasRemaining()) {
            channel.write(entry);
        }
        dirty = true;
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** Forces what was appended to the device; a no-op when nothing was. */
    public void sync() throws IOException {
        if (dirty) {
            channel.force(false);
            dirty = false;
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) {
            return; // closed by an interrupt: what was forced is on the device, the rest was never acknowledged
        }
        try {
            sync();
        } finally {
            channel.close();
        }
    }
}
