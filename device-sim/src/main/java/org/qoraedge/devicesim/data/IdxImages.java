package org.qoraedge.devicesim.data;

/**
 * The content of an IDX3 unsigned-byte file: {@code count} images of {@code rows x cols} pixels,
 * row-major, one unsigned byte per pixel. The pixel array is copied out.
 */
public final class IdxImages {
    private final int count;
    private final int rows;
    private final int cols;
    private final byte[] pixels;

    IdxImages(int count, int rows, int cols, byte[] pixels) {
        this.count = count;
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
    }

    public int count() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Pixel {@code (r, c)} of image {@code i}, in [0, 255]. */
    public int pixel(int i, int r, int c) {
        return pixels[(i * rows + r) * cols + c] & 0xFF;
    }

    /** Every pixel scaled to [0, 1] ({@code value / 255}), row-major, image after image. */
    public float[] scaledPixels() {
        float[] out = new float[pixels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (pixels[i] & 0xFF) / 255f;
        }
        return out;
    }
}
