package org.qoraedge.devicesim.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 28x28 greyscale images of 10 clothing classes,
 * 60,000 for training and 10,000 for test, read from the four IDX files as Debian's
 * {@code dataset-fashion-mnist} package installs them ({@link #DEBIAN_DIR}). Pixels are scaled to
 * [0, 1]; 784 features per sample.
 */
public final class FashionMnist {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    public static final String[] CLASS_NAMES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot"};

    private FashionMnist() {
    }

    /** True when all four files exist in {@code dir} (gzipped, or with the {@code .gz} dropped). */
    public static boolean isPresent(Path dir) {
        for (String name : new String[] {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS}) {
            if (resolve(dir, name) == null) {
                return false;
            }
        }
        return true;
    }

    /** Loads the train and test sets from {@link #DEBIAN_DIR}. */
    public static TrainTest load() throws DatasetLoadException {
        return load(DEBIAN_DIR);
    }

    /**
     * Loads the train and test sets from {@code dir}.
     *
     * @throws DatasetLoadException naming the missing or malformed file and what is wrong
     */
    public static TrainTest load(Path dir) throws DatasetLoadException {
        Dataset train = loadPair("fashion-mnist/train", require(dir, TRAIN_IMAGES), require(dir, TRAIN_LABELS));
        Dataset test = loadPair("fashion-mnist/test", require(dir, TEST_IMAGES), require(dir, TEST_LABELS));
        return new TrainTest(train, test);
    }

    /**
     * Loads one images/labels pair as a dataset with pixels scaled to [0, 1].
     *
     * @throws DatasetLoadException for a malformed file, or when the two files' counts differ
     */
    public static Dataset loadPair(String name, Path images, Path labels) throws DatasetLoadException {
        IdxImages img = IdxFiles.readImages(images);
        int[] lab = IdxFiles.readLabels(labels, CLASS_NAMES.length);
        if (img.count() != lab.length) {
            throw new DatasetLoadException(labels, "has " + lab.length + " labels, but " + images.getFileName() + " has "
                    + img.count() + " images");
        }
        return Dataset.wrap(name, img.rows() * img.cols(), CLASS_NAMES.clone(), img.scaledPixels(), lab);
    }

    private static Path require(Path dir, String name) throws DatasetLoadException {
        Path p = resolve(dir, name);
        if (p == null) {
            throw new DatasetLoadException(dir.resolve(name), "file does not exist (nor without .gz); install Debian's"
                    + " dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) or give the directory"
                    + " that holds the four Fashion-MNIST IDX files");
        }
        return p;
    }

    private static Path resolve(Path dir, String name) {
        Path gz = dir.resolve(name);
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(name.substring(0, name.length() - 3));
        return Files.isRegularFile(plain) ? plain : null;
    }
}
