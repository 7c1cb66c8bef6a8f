package org.qoraedge.devicesim.data;

import java.util.Arrays;

/**
 * An immutable labelled dataset: {@code size()} samples of {@code numFeatures()} float features
 * each, and a class label in {@code [0, numClasses())} per sample.
 *
 * <p>Arrays are never exposed: the factory copies on the way in, readers copy rows out
 * ({@link #copyRow}), which is what the training loops do anyway. Safe to share between threads.
 */
public final class Dataset {
    private final String name;
    private final int numFeatures;
    private final int numClasses;
    private final float[] features; // row-major, size * numFeatures
    private final int[] labels;
    private final String[] classNames;

    private Dataset(String name, int numFeatures, int numClasses, float[] features, int[] labels, String[] classNames) {
        this.name = name;
        this.numFeatures = numFeatures;
        this.numClasses = numClasses;
        this.features = features;
        this.labels = labels;
        this.classNames = classNames;
    }

    /**
     * Builds a dataset from row-major features and labels (both copied).
     *
     * @throws InvalidDatasetException if the sizes disagree, a label is outside
     *     {@code [0, numClasses)}, or a feature is NaN or infinite
     */
    public static Dataset of(String name, int numFeatures, String[] classNames, float[] features, int[] labels) {
        return wrap(name, numFeatures, classNames.clone(), features.clone(), labels.clone());
    }

    /** Validating construction from arrays this package owns (no copy). */
    static Dataset wrap(String name, int numFeatures, String[] classNames, float[] features, int[] labels) {
        if (numFeatures < 1) {
            throw new InvalidDatasetException("dataset " + name + ": numFeatures must be >= 1, got " + numFeatures);
        }
        int numClasses = classNames.length;
        if (numClasses < 2) {
            throw new InvalidDatasetException("dataset " + name + ": needs >= 2 classes, got " + numClasses);
        }
        if ((long) labels.length * numFeatures != features.length) {
            throw new InvalidDatasetException("dataset " + name + ": " + features.length + " feature values for "
                    + labels.length + " samples of " + numFeatures + " features (expected "
                    + (long) labels.length * numFeatures + ")");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new InvalidDatasetException("dataset " + name + ": label of sample " + i + " is " + labels[i]
                        + ", outside [0, " + numClasses + ")");
            }
        }
        for (int i = 0; i < features.length; i++) {
            if (!Float.isFinite(features[i])) {
                throw new InvalidDatasetException("dataset " + name + ": feature " + (i % numFeatures) + " of sample "
                        + (i / numFeatures) + " is " + features[i]);
            }
        }
        return new Dataset(name, numFeatures, numClasses, features, labels, classNames);
    }

    public String name() {
        return name;
    }

    public int size() {
        return labels.length;
    }

    public int numFeatures() {
        return numFeatures;
    }

    public int numClasses() {
        return numClasses;
    }

    /** The name of class {@code c} (for example "bearing-fault" or "Sneaker"). */
    public String className(int c) {
        return classNames[c];
    }

    public int label(int i) {
        return labels[i];
    }

    /** A copy of every label, in sample order. */
    public int[] labels() {
        return labels.clone();
    }

    /** Feature {@code j} of sample {@code i}. */
    public float feature(int i, int j) {
        return features[i * numFeatures + j];
    }

    /** Copies sample {@code i}'s features into {@code dst[offset .. offset + numFeatures)}. */
    public void copyRow(int i, float[] dst, int offset) {
        System.arraycopy(features, i * numFeatures, dst, offset, numFeatures);
    }

    /** How many samples each class has. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int l : labels) {
            counts[l]++;
        }
        return counts;
    }

    /**
     * The samples at {@code indices}, in that order (repeats allowed), as a new dataset.
     *
     * @throws InvalidDatasetException naming the first index outside {@code [0, size())}
     */
    public Dataset subset(String subsetName, int[] indices) {
        float[] f = new float[indices.length * numFeatures];
        int[] l = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= labels.length) {
                throw new InvalidDatasetException("subset index " + k + " is " + i + ", dataset " + name
                        + " has " + labels.length + " samples");
            }
            System.arraycopy(features, i * numFeatures, f, k * numFeatures, numFeatures);
            l[k] = labels[i];
        }
        return new Dataset(subsetName, numFeatures, numClasses, f, l, classNames);
    }

    /**
     * The same features with every label {@code y} replaced by {@code mapping[y]} (the label-flip
     * attack's poisoned shard).
     *
     * @throws InvalidDatasetException if {@code mapping} does not map every class to a class
     */
    public Dataset relabelled(String newName, int[] mapping) {
        if (mapping.length != numClasses) {
            throw new InvalidDatasetException("label mapping has " + mapping.length + " entries, dataset " + name
                    + " has " + numClasses + " classes");
        }
        int[] l = new int[labels.length];
        for (int i = 0; i < l.length; i++) {
            int to = mapping[labels[i]];
            if (to < 0 || to >= numClasses) {
                throw new InvalidDatasetException("label mapping sends class " + labels[i] + " to " + to
                        + ", outside [0, " + numClasses + ")");
            }
            l[i] = to;
        }
        return new Dataset(newName, numFeatures, numClasses, features, l, classNames);
    }

    /** True when both have the same shape, labels and feature bits (the name is ignored). */
    public boolean sameContent(Dataset other) {
        return numFeatures == other.numFeatures && Arrays.equals(labels, other.labels)
                && Arrays.equals(features, other.features) && Arrays.equals(classNames, other.classNames);
    }

    @Override
    public String toString() {
        return "Dataset{" + name + ", " + labels.length + " samples x " + numFeatures + " features, " + numClasses
                + " classes}";
    }
}
