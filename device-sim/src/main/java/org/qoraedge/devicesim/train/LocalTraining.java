package org.qoraedge.devicesim.train;

import org.qoraedge.devicesim.data.Dataset;
import org.qoraedge.devicesim.data.InvalidDatasetException;
import org.qoraedge.devicesim.model.Model;
import org.qoraedge.fixedpoint.random.SplitMix64;

/**
 * A node's local training: {@code E} epochs of mini-batch SGD from the global parameters over the
 * node's shard, each epoch in a fresh seeded order. Single-threaded and deterministic: the same
 * inputs and seed give the same bits. Stateless; safe to call from several threads at once.
 */
public final class LocalTraining {
    private LocalTraining() {
    }

    /**
     * Trains a copy of {@code global} and returns the locally trained parameters ({@code global}
     * is not modified).
     *
     * @param seed shuffling seed; derive one per node and round (for example
     *     {@code SplitMix64.derive(runSeed, nodeIndex, round)})
     * @throws org.qoraedge.devicesim.data.InvalidDatasetException if the shard is empty
     */
    public static float[] train(Model model, float[] global, Dataset shard, TrainingConfig config, long seed) {
        if (shard.size() == 0) {
            throw new InvalidDatasetException("shard " + shard.name() + " is empty; a node needs >= 1 sample to train");
        }
        float[] p = global.clone();
        double[] grad = new double[model.parameterCount()];
        SplitMix64 rng = new SplitMix64(seed);
        int n = shard.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        double lr = config.learningRate();
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            rng.shuffle(order);
            for (int from = 0; from < n; from += config.batchSize()) {
                int to = Math.min(n, from + config.batchSize());
                model.lossAndGradient(p, shard, order, from, to, grad);
                for (int j = 0; j < p.length; j++) {
                    p[j] = (float) (p[j] - lr * grad[j]);
                }
            }
        }
        return p;
    }

    /**
     * Trains from {@code global} and returns the update a node publishes: {@code local - global},
     * coordinate by coordinate in float32.
     */
    public static float[] update(Model model, float[] global, Dataset shard, TrainingConfig config, long seed) {
        float[] local = train(model, global, shard, config, seed);
        for (int j = 0; j < local.length; j++) {
            local[j] -= global[j];
        }
        return local;
    }
}
