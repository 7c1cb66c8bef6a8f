package org.qoraedge.devicesim.data;

/** A training set and its held-out test set; both have the same features and classes. */
public record TrainTest(Dataset train, Dataset test) {
    public TrainTest {
        if (train.numFeatures() != test.numFeatures() || train.numClasses() != test.numClasses()) {
            throw new InvalidDatasetException("train " + train + " and test " + test + " differ in shape");
        }
    }
}
