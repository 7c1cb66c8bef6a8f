package org.qoraedge.devicesim.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qoraedge.devicesim.InvalidConfigException;

/**
 * The data one node trains on, named on the command line: {@code synthetic} (the built-in sensor
 * stream), {@code fashion-mnist} (Debian's files), {@code csv:FILE} (one sample per line: numeric
 * features, then an integer class label {@code >= 0}; an optional first line of column names), or
 * {@code idx:IMAGES,LABELS} (an IDX image file and its label file, pixels scaled to [0, 1]).
 *
 * <p>A node holds one shard of it: {@code --shard K/N} takes the K-th of N IID shards drawn from the
 * seed (the whole set for {@code 1/1}); every tenth sample of the shard (indices 9, 19, ...) is held
 * out as the node's own test set, on which it reports the accuracy of each global model it receives.
 */
public final class LocalData {
    private LocalData() {
    }

    /**
     * Loads {@code spec} and returns shard {@code k} of {@code n} (1-based), split into the node's
     * training and held-out samples.
     *
     * @param numClasses the number of classes the gateway's model has, for {@code csv:} and {@code idx:} (whose files
     *     do not say it); ignored for the built-in sets
     * @throws InvalidConfigException for an unknown spec or a bad shard
     * @throws DatasetLoadException naming the file and what is wrong in it
     */
    public static TrainTest load(String spec, Path fashionDir, int k, int n, long seed, int numClasses)
            throws DatasetLoadException {
        if (n < 1 || k < 1 || k > n) {
            throw new InvalidConfigException("--shard " + k + "/" + n + " is invalid: must be K/N with 1 <= K <= N");
        }
        Dataset all;
        String s = spec.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("csv:")) {
            all = csv(Path.of(s.substring(4)), numClasses);
        } else if (lower.startsWith("idx:")) {
            String[] files = s.substring(4).split(",", -1);
            if (files.length != 2) {
                throw new InvalidConfigException("--data " + spec + ": idx: takes two files, IMAGES,LABELS");
            }
            Path images = Path.of(files[0].strip());
            Path labels = Path.of(files[1].strip());
            IdxImages img = IdxFiles.readImages(images);
            int[] lab = IdxFiles.readLabels(labels, numClasses);
            if (img.count() != lab.length) {
                throw new DatasetLoadException(labels, "has " + lab.length + " labels, but " + images.getFileName() + " has "
                        + img.count() + " images");
            }
            all = Dataset.wrap("idx:" + images.getFileName(), img.rows() * img.cols(), classNames(numClasses), img.scaledPixels(),
                    lab);
        } else {
            TrainTest tt = Datasets.load(s, fashionDir, seed);
            all = tt.train();
        }
        int[] shard = n == 1 ? identity(all.size()) : Sharding.iid(all.size(), n, seed)[k - 1];
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int i = 0; i < shard.length; i++) {
            (i % 10 == 9 ? test : train).add(shard[i]);
        }
        if (train.isEmpty() || test.isEmpty()) {
            throw new InvalidConfigException("--data " + spec + " shard " + k + "/" + n + " has " + shard.length
                    + " samples; a node needs at least 10 (every tenth is held out for its own test)");
        }
        String name = all.name() + (n == 1 ? "" : " shard " + k + "/" + n);
        return new TrainTest(all.subset(name, toArray(train)), all.subset(name + " held out", toArray(test)));
    }

    /**
     * Reads a CSV file: comma-separated, one sample per line, features then the label; blank lines
     * skipped; a first line that does not parse as numbers is taken as column names.
     *
     * @throws DatasetLoadException naming the file, line and column of the first bad value
     */
    static Dataset csv(Path file, int numClasses) throws DatasetLoadException {
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int width = -1;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (no == 1 && !isNumber(f[0].strip())) {
                    continue; // column names
                }
                if (width < 0) {
                    width = f.length;
                    if (width < 2) {
                        throw new DatasetLoadException(file, "line " + no + " has " + width + " column; a sample needs at least"
                                + " one feature and its label");
                    }
                } else if (f.length != width) {
                    throw new DatasetLoadException(file, "line " + no + " has " + f.length + " columns, the first sample "
                            + width);
                }
                float[] x = new float[width - 1];
                for (int j = 0; j < width - 1; j++) {
                    x[j] = number(file, no, j + 1, f[j].strip());
                }
                int y = label(file, no, width, f[width - 1].strip(), numClasses);
                rows.add(x);
                labels.add(y);
            }
        } catch (NoSuchFileException e) {
            throw new DatasetLoadException(file, "file not found");
        } catch (IOException e) {
            throw new DatasetLoadException(file, "cannot be read: " + e.getMessage());
        }
        if (rows.isEmpty()) {
            throw new DatasetLoadException(file, "holds no sample");
        }
        int d = width - 1;
        float[] features = new float[rows.size() * d];
        int[] y = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, features, i * d, d);
            y[i] = labels.get(i);
        }
        return Dataset.wrap("csv:" + file.getFileName(), d, classNames(numClasses), features, y);
    }

    private static boolean isNumber(String s) {
        try {
            Float.parseFloat(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static float number(Path file, int line, int column, String s) throws DatasetLoadException {
        float v;
        try {
            v = Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new DatasetLoadException(file, "line " + line + " column " + column + ": '" + s + "' is not a number");
        }
        if (!Float.isFinite(v)) {
            throw new DatasetLoadException(file, "line " + line + " column " + column + ": " + s + " is not finite");
        }
        return v;
    }

    private static int label(Path file, int line, int column, String s, int numClasses) throws DatasetLoadException {
        int y;
        try {
            y = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new DatasetLoadException(file, "line " + line + " column " + column + " (the label): '" + s
                    + "' is not an integer");
        }
        if (y < 0 || y >= numClasses) {
            throw new DatasetLoadException(file, "line " + line + " column " + column + ": label " + y + " is outside [0, "
                    + numClasses + "), the classes of the gateway's model");
        }
        return y;
    }

    private static String[] classNames(int numClasses) {
        String[] names = new String[numClasses];
        for (int c = 0; c < numClasses; c++) {
            names[c] = "class-" + c;
        }
        return names;
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    private static int[] toArray(List<Integer> list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }
}
