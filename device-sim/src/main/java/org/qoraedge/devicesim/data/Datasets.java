package org.qoraedge.devicesim.data;

import java.nio.file.Path;
import java.util.Locale;
import org.qoraedge.devicesim.InvalidConfigException;

/** Loads a dataset by the name the command line and the reports use. */
public final class Datasets {
    public static final String SYNTHETIC = "synthetic";
    public static final String FASHION_MNIST = "fashion-mnist";

    private Datasets() {
    }

    /**
     * {@code synthetic} (generated from {@code seed}) or {@code fashion-mnist} (read from
     * {@code dir}, or {@link FashionMnist#DEBIAN_DIR} when {@code dir} is null).
     *
     * @throws DatasetLoadException if Fashion-MNIST's files are missing or malformed
     * @throws InvalidConfigException for an unknown name
     */
    public static TrainTest load(String name, Path dir, long seed) throws DatasetLoadException {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case SYNTHETIC:
                return SyntheticSensorData.generate(seed);
            case FASHION_MNIST:
            case "fashion":
                return FashionMnist.load(dir == null ? FashionMnist.DEBIAN_DIR : dir);
            default:
                throw new InvalidConfigException("unknown dataset '" + name + "'; known: synthetic, fashion-mnist");
        }
    }
}
