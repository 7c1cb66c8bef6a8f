package org.qoraedge.devicesim.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Readers for the IDX format of MNIST and Fashion-MNIST (big-endian; magic number
 * {@code 0x00 0x00 type dims}; one int32 per dimension; then the data). Only the unsigned-byte
 * type ({@code 0x08}) is accepted. A file starting with the gzip magic ({@code 1f 8b}) is
 * decompressed, whatever its name.
 *
 * <p>Everything is checked: magic number, dimension sizes, that the data has exactly the declared
 * length (truncated files and trailing bytes are refused), and label values.
 */
public final class IdxFiles {
    /** IDX, unsigned byte, 1 dimension. */
    public static final int LABELS_MAGIC = 0x0000_0801;
    /** IDX, unsigned byte, 3 dimensions. */
    public static final int IMAGES_MAGIC = 0x0000_0803;
    /** Largest image side accepted; guards against allocating from a corrupt header. */
    public static final int MAX_SIDE = 4096;

    private IdxFiles() {
    }

    /**
     * Reads an IDX1 label file; every label must lie in {@code [0, numClasses)}.
     *
     * @throws DatasetLoadException naming the file and what is wrong
     */
    public static int[] readLabels(Path file, int numClasses) throws DatasetLoadException {
        try (InputStream in = open(file)) {
            int magic = readInt(in, file, "magic number");
            checkMagic(file, magic, LABELS_MAGIC, "IDX unsigned-byte vector (labels)");
            int count = readInt(in, file, "label count");
            checkCount(file, count, "label count", Integer.MAX_VALUE);
            byte[] data = readExactly(in, file, count, "labels", true);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                int l = data[i] & 0xFF;
                if (l >= numClasses) {
                    throw new DatasetLoadException(file, "label " + i + " is " + l + ", outside [0, " + numClasses + ")");
                }
                labels[i] = l;
            }
            return labels;
        } catch (DatasetLoadException e) {
            throw e;
        } catch (IOException e) {
            throw wrap(file, e);
        }
    }

    /**
     * Reads an IDX3 image file.
     *
     * @throws DatasetLoadException naming the file and what is wrong
     */
    public static IdxImages readImages(Path file) throws DatasetLoadException {
        try (InputStream in = open(file)) {
            int magic = readInt(in, file, "magic number");
            checkMagic(file, magic, IMAGES_MAGIC, "IDX unsigned-byte 3-dimensional array (images)");
            int count = readInt(in, file, "image count");
            int rows = readInt(in, file, "row count");
            int cols = readInt(in, file, "column count");
            checkCount(file, rows, "row count", MAX_SIDE);
            checkCount(file, cols, "column count", MAX_SIDE);
            long total = (long) count * rows * cols;
            checkCount(file, count, "image count", Integer.MAX_VALUE);
            if (total > Integer.MAX_VALUE - 8) {
                throw new DatasetLoadException(file, count + " images of " + rows + "x" + cols + " are " + total
                        + " bytes, more than one array can hold");
            }
            byte[] pixels = readExactly(in, file, (int) total, "pixels (" + count + " images of " + rows + "x" + cols + ")", true);
            return new IdxImages(count, rows, cols, pixels);
        } catch (DatasetLoadException e) {
            throw e;
        } catch (IOException e) {
            throw wrap(file, e);
        }
    }

    private static DatasetLoadException wrap(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new DatasetLoadException(file, "file does not exist", e);
        }
        if (e instanceof ZipException) {
            return new DatasetLoadException(file, "corrupt gzip data: " + e.getMessage(), e);
        }
        return new DatasetLoadException(file, "cannot read: " + e, e);
    }

    private static InputStream open(Path file) throws IOException {
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1F && b1 == 0x8B) {
            return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        return raw;
    }

    private static void checkMagic(Path file, int magic, int expected, String what) throws DatasetLoadException {
        if (magic != expected) {
            throw new DatasetLoadException(file, String.format("magic number 0x%08X, expected 0x%08X (%s)", magic,
                    expected, what));
        }
    }

    private static void checkCount(Path file, int value, String what, int max) throws DatasetLoadException {
        if (value < 1 || value > max) {
            throw new DatasetLoadException(file, what + " is " + Integer.toUnsignedString(value) + ", must be in [1, "
                    + max + "]");
        }
    }

    private static int readInt(InputStream in, Path file, String what) throws IOException {
        byte[] b = readExactly(in, file, 4, what, false);
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    /** Reads exactly {@code n} bytes; refuses a short file (and, for data, trailing bytes). */
    private static byte[] readExactly(InputStream in, Path file, int n, String what, boolean mustEnd)
            throws IOException {
        byte[] out = new byte[n];
        int got = 0;
        while (got < n) {
            int r = in.read(out, got, n - got);
            if (r < 0) {
                throw new DatasetLoadException(file, "truncated: " + what + " needs " + n + " bytes, the file has only "
                        + got);
            }
            got += r;
        }
        if (mustEnd && in.read() >= 0) {
            throw new DatasetLoadException(file, "unexpected bytes after the " + n + " bytes of " + what);
        }
        return out;
    }
}
