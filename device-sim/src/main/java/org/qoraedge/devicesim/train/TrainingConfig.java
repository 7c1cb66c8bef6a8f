package org.qoraedge.devicesim.train;

import org.qoraedge.devicesim.InvalidConfigException;

/**
 * Local training hyper-parameters: {@code epochs} passes over the shard, mini-batches of
 * {@code batchSize} samples (the last batch of an epoch may be smaller), plain SGD with step
 * {@code learningRate}.
 */
public record TrainingConfig(int epochs, int batchSize, double learningRate) {
    /** 1 epoch, batches of 32, learning rate 0.1. */
    public static final TrainingConfig DEFAULT = new TrainingConfig(1, 32, 0.1);

    /**
     * @throws InvalidConfigException if {@code epochs < 1}, {@code batchSize < 1}, or the learning
     *     rate is not positive and finite
     */
    public TrainingConfig {
        if (epochs < 1) {
            throw new InvalidConfigException("local epochs must be >= 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new InvalidConfigException("batch size must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new InvalidConfigException("learning rate must be positive and finite, got " + learningRate);
        }
    }
}
