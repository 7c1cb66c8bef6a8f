package org.qoraedge.devicesim.model;

/**
 * A model's mean softmax cross-entropy {@code loss} (nats) and {@code accuracy} (fraction in
 * [0, 1], {@code correct / samples}) on a dataset.
 */
public record Evaluation(double loss, double accuracy, int correct, int samples) {
}
