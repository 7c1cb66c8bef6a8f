package org.qoraedge.devicesim.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFilesTest {
    @TempDir
    Path dir;

    /** Three 2x3 images with pixels 0..17 scaled by 15, and labels 7, 0, 9. */
    static final int COUNT = 3;
    static final int ROWS = 2;
    static final int COLS = 3;
    static final int[] LABELS = {7, 0, 9};

    static byte[] imagesBytes(int magic, int count, int rows, int cols, int pixelBytes) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < pixelBytes; i++) {
            out.writeByte((i * 15) & 0xFF);
        }
        return b.toByteArray();
    }

    static byte[] labelsBytes(int magic, int count, int[] labels) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(magic);
        out.writeInt(count);
        for (int l : labels) {
            out.writeByte(l);
        }
        return b.toByteArray();
    }

    Path gz(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(content);
        }
        return p;
    }

    Path validImages() throws IOException {
        return gz("images.gz", imagesBytes(IdxFiles.IMAGES_MAGIC, COUNT, ROWS, COLS, COUNT * ROWS * COLS));
    }

    Path validLabels() throws IOException {
        return gz("labels.gz", labelsBytes(IdxFiles.LABELS_MAGIC, COUNT, LABELS));
    }

    @Test
    void readsAValidGzippedPairWithPixelsScaledToUnitInterval() throws Exception {
        Dataset d = FashionMnist.loadPair("tiny", validImages(), validLabels());
        assertEquals(COUNT, d.size());
        assertEquals(ROWS * COLS, d.numFeatures());
        assertEquals(10, d.numClasses());
        assertArrayEquals(LABELS, d.labels());
        for (int i = 0; i < COUNT; i++) {
            for (int j = 0; j < ROWS * COLS; j++) {
                int raw = ((i * ROWS * COLS + j) * 15) & 0xFF;
                assertEquals(raw / 255f, d.feature(i, j), 0f);
                assertTrue(d.feature(i, j) >= 0f && d.feature(i, j) <= 1f);
            }
        }
        IdxImages img = IdxFiles.readImages(validImages());
        assertEquals(ROWS, img.rows());
        assertEquals(COLS, img.cols());
        assertEquals((4 * 15) & 0xFF, img.pixel(0, 1, 1));
    }

    @Test
    void readsUncompressedFilesToo() throws Exception {
        Path p = dir.resolve("labels-plain");
        Files.write(p, labelsBytes(IdxFiles.LABELS_MAGIC, COUNT, LABELS));
        assertArrayEquals(LABELS, IdxFiles.readLabels(p, 10));
    }

    @Test
    void rejectsWrongMagicNamingFileAndValue() throws Exception {
        // a label file given where images are expected
        Path labels = validLabels();
        DatasetLoadException e = assertThrows(DatasetLoadException.class, () -> IdxFiles.readImages(labels));
        assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("magic number 0x00000801, expected 0x00000803"), e.getMessage());
        assertEquals(labels, e.file());
        Path images = validImages();
        DatasetLoadException e2 = assertThrows(DatasetLoadException.class, () -> IdxFiles.readLabels(images, 10));
        assertTrue(e2.getMessage().contains("magic number 0x00000803, expected 0x00000801"), e2.getMessage());
    }

    @Test
    void rejectsTruncatedPixelData() throws Exception {
        Path p = gz("short.gz", imagesBytes(IdxFiles.IMAGES_MAGIC, COUNT, ROWS, COLS, COUNT * ROWS * COLS - 5));
        DatasetLoadException e = assertThrows(DatasetLoadException.class, () -> IdxFiles.readImages(p));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("needs 18 bytes, the file has only 13"), e.getMessage());
    }

    @Test
    void rejectsTruncatedHeader() throws Exception {
        byte[] full = imagesBytes(IdxFiles.IMAGES_MAGIC, COUNT, ROWS, COLS, 0);
        Path p = gz("header.gz", Arrays.copyOf(full, 10));
        DatasetLoadException e = assertThrows(DatasetLoadException.class, () -> IdxFiles.readImages(p));
        assertTrue(e.getMessage().contains("truncated: row count needs 4 bytes"), e.getMessage());
    }

    @Test
    void rejectsTruncatedGzipStream() throws Exception {
        Path good = validImages();
        byte[] gzBytes = Files.readAllBytes(good);
        Path p = dir.resolve("cut.gz");
        Files.write(p, Arrays.copyOf(gzBytes, gzBytes.length - 12));
        DatasetLoadException e = assertThrows(DatasetLoadException.class, () -> IdxFiles.readImages(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
    }

    @Test
    void rejectsTrailingBytes() throws Exception {
        Path p = gz("long.gz", imagesBytes(IdxFiles.IMAGES_MAGIC, COUNT, ROWS, COLS, COUNT * ROWS * COLS + 1));
        DatasetLoadException e = assertThrows(DatasetLoadException.class, () -> IdxFiles.readImages(p));
        assertTrue(e.getMessage().contains("unexpected bytes after"), e.getMessage());
    }

    @Test
    void rejectsCountMismatchBetweenImagesAndLabels() throws Exception {
        Path images = validImages();
        Path labels = gz("two-labels.gz", labelsBytes(IdxFiles.LABELS_MAGIC, 2, new int[] {1, 2}));
        DatasetLoadException e = assertThrows(DatasetLoadException.class,
                () -> FashionMnist.loadPair("tiny", images, labels));
        assertEquals(labels, e.file());
        assertTrue(e.getMessage().contains("has 2 labels, but images.gz has 3 images"), e.getMessage());
    }

    @Test
    void rejectsLabelOutsideTheClasses() throws Exception {
        Path labels = gz("bad-label.gz", labelsBytes(IdxFiles.LABELS_MAGIC, 3, new int[] {1, 10, 2}));
        DatasetLoadException e = assertThrows(DatasetLoadException.class, () -> IdxFiles.readLabels(labels, 10));
        assertTrue(e.getMessage().contains("label 1 is 10, outside [0, 10)"), e.getMessage());
    }

    @Test
    void rejectsZeroOrAbsurdDimensions() throws Exception {
        Path zero = gz("zero.gz", imagesBytes(IdxFiles.IMAGES_MAGIC, 0, ROWS, COLS, 0));
        assertTrue(assertThrows(DatasetLoadException.class, () -> IdxFiles.readImages(zero)).getMessage()
                .contains("image count is 0"));
        Path huge = gz("huge.gz", imagesBytes(IdxFiles.IMAGES_MAGIC, 1, 100_000, 28, 0));
        assertTrue(assertThrows(DatasetLoadException.class, () -> IdxFiles.readImages(huge)).getMessage()
                .contains("row count is 100000, must be in [1, 4096]"));
    }

    @Test
    void missingFilesSayWhichAndHowToGetThem() {
        DatasetLoadException e = assertThrows(DatasetLoadException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains(FashionMnist.TRAIN_IMAGES), e.getMessage());
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
        assertThrows(DatasetLoadException.class, () -> IdxFiles.readLabels(dir.resolve("nope.gz"), 10));
    }
}
