package org.qoraedge.devicesim.data;

import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.fixedpoint.random.SplitMix64;

/**
 * A built-in, seeded dataset of rotating-machine condition monitoring readings: five machine
 * states seen through 14 sensor features. Needs no download; the same seed gives the same bits.
 *
 * <p>Every sample draws its own operating point (load, speed, ambient temperature, sensor mounting
 * gain) and, for a faulty machine, a fault severity skewed towards mild faults, so that classes
 * overlap: a linear model reaches about 90% test accuracy, not 100%.
 *
 * <p>Features, in order (then standardized with the training set's mean and standard deviation):
 * <ol start="0">
 *   <li>vibration energy, sub-synchronous band (below 1x running speed), dB</li>
 *   <li>vibration energy at 1x running speed, dB</li>
 *   <li>at 2x, dB</li>
 *   <li>at 3x, dB</li>
 *   <li>harmonics 4x-10x, dB</li>
 *   <li>bearing band (2-5 kHz envelope), dB</li>
 *   <li>high-frequency band (5-10 kHz), dB</li>
 *   <li>broadband noise floor, dB</li>
 *   <li>overall vibration RMS, dB</li>
 *   <li>kurtosis of the vibration signal</li>
 *   <li>crest factor</li>
 *   <li>bearing housing temperature, degrees C</li>
 *   <li>motor current RMS, per unit of rated current</li>
 *   <li>phase current imbalance, %</li>
 * </ol>
 */
public final class SyntheticSensorData {
    /** The machine states, in label order. */
    public static final String[] CLASS_NAMES = {"normal", "imbalance", "misalignment", "bearing-fault", "overheating"};
    public static final int NUM_FEATURES = 14;
    private static final int BANDS = 8;
    private static final double[] BASE_ENERGY = {0.05, 1.0, 0.30, 0.15, 0.10, 0.05, 0.03, 0.20};

    private SyntheticSensorData() {
    }

    /** 1200 training and 400 test samples per class from {@code seed}. */
    public static TrainTest generate(long seed) {
        return generate(seed, 1200, 400);
    }

    /**
     * Generates a balanced train/test split; samples are in a seeded random order.
     *
     * @throws InvalidConfigException if a count per class is below 1
     */
    public static TrainTest generate(long seed, int trainPerClass, int testPerClass) {
        if (trainPerClass < 1 || testPerClass < 1) {
            throw new InvalidConfigException("samples per class must be >= 1, got train " + trainPerClass
                    + ", test " + testPerClass);
        }
        int k = CLASS_NAMES.length;
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(seed, 0x53454E53L)); // "SENS"
        float[] train = new float[trainPerClass * k * NUM_FEATURES];
        int[] trainLabels = sample(rng, trainPerClass, train);
        float[] test = new float[testPerClass * k * NUM_FEATURES];
        int[] testLabels = sample(rng, testPerClass, test);
        standardize(train, test);
        return new TrainTest(
                Dataset.wrap("synthetic-sensor/train", NUM_FEATURES, CLASS_NAMES.clone(), train, trainLabels),
                Dataset.wrap("synthetic-sensor/test", NUM_FEATURES, CLASS_NAMES.clone(), test, testLabels));
    }

    private static int[] sample(SplitMix64 rng, int perClass, float[] out) {
        int k = CLASS_NAMES.length;
        int n = perClass * k;
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % k;
        }
        rng.shuffle(labels);
        double[] row = new double[NUM_FEATURES];
        for (int i = 0; i < n; i++) {
            reading(rng, labels[i], row);
            for (int j = 0; j < NUM_FEATURES; j++) {
                out[i * NUM_FEATURES + j] = (float) row[j];
            }
        }
        return labels;
    }

    /** One reading of a machine in state {@code label}. */
    private static void reading(SplitMix64 rng, int label, double[] row) {
        double load = 0.3 + 0.7 * rng.nextDouble();
        double speed = 0.85 + 0.3 * rng.nextDouble();
        double ambient = 24 + 4 * rng.nextGaussian();
        double gain = StrictMath.exp(0.25 * rng.nextGaussian()); // sensor mounting, machine size
        // Mild faults are more common than severe ones: severity in [0.25, 1], skewed low.
        double severity = label == 0 ? 0 : 0.25 + 0.75 * StrictMath.pow(rng.nextDouble(), 1.4);

        double[] e = new double[BANDS];
        for (int b = 0; b < BANDS; b++) {
            e[b] = BASE_ENERGY[b] * (0.6 + 0.6 * load) * gain;
        }
        double kurtosis = 3 + 0.6 * rng.nextGaussian();
        double crest = 3 + 0.4 * rng.nextGaussian();
        double temperature = ambient + 25 * load + 3 * rng.nextGaussian();
        double current = 0.4 + 0.6 * load + 0.04 * rng.nextGaussian();
        double currentImbalance = Math.abs(1.0 + 0.6 * rng.nextGaussian());

        switch (label) {
            case 1: // imbalance: a 1x component growing with the square of speed
                e[1] += 4.0 * severity * speed * speed * gain;
                e[4] += 0.03 * severity * gain;
                break;
            case 2: // misalignment: strong 2x, some 1x and 3x, uneven phase load
                e[2] += 1.5 * severity * gain;
                e[1] += 0.3 * severity * gain;
                e[3] += 0.25 * severity * gain;
                currentImbalance += 1.2 * severity;
                break;
            case 3: // bearing fault: high-frequency bands, impulsive signal, some heat
                e[5] += 0.12 * severity * gain;
                e[6] += 0.06 * severity * gain;
                e[7] += 0.06 * severity * gain;
                kurtosis += 2.0 * severity;
                crest += 1.0 * severity;
                temperature += 3 * severity;
                break;
            case 4: // overheating (cooling failure, overload): heat and current, little vibration
                temperature += 30 * severity;
                current += 0.12 * severity;
                e[7] += 0.02 * severity * gain;
                break;
            default:
                break;
        }
        double total = 0;
        for (int b = 0; b < BANDS; b++) {
            e[b] *= StrictMath.exp(0.3 * rng.nextGaussian()); // measurement and process noise
            total += e[b];
            row[b] = 10 * StrictMath.log10(e[b]);
        }
        row[8] = 10 * StrictMath.log10(total);
        row[9] = kurtosis;
        row[10] = crest;
        row[11] = temperature;
        row[12] = current;
        row[13] = currentImbalance;
    }

    /** z-scores every feature with the training set's statistics (applied to both sets). */
    private static void standardize(float[] train, float[] test) {
        int n = train.length / NUM_FEATURES;
        for (int j = 0; j < NUM_FEATURES; j++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += train[i * NUM_FEATURES + j];
            }
            double mean = sum / n;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                double d = train[i * NUM_FEATURES + j] - mean;
                sq += d * d;
            }
            double std = StrictMath.sqrt(sq / n);
            double scale = std > 0 ? 1 / std : 1;
            for (float[] a : new float[][] {train, test}) {
                for (int i = j; i < a.length; i += NUM_FEATURES) {
                    a[i] = (float) ((a[i] - mean) * scale);
                }
            }
        }
    }
}
