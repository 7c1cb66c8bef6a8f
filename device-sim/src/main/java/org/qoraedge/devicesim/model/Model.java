package org.qoraedge.devicesim.model;

import org.qoraedge.devicesim.data.Dataset;

/**
 * A classifier whose parameters are one flat {@code float[]} vector (the vector a node trains,
 * encodes as a BFP-16 block and publishes as a delta). Loss is the mean softmax cross-entropy.
 *
 * <p>Implementations hold no mutable state: every method allocates its own scratch space, so one
 * instance may be shared by every node and thread. Arithmetic inside is double precision with a
 * fixed summation order, and {@link StrictMath} for {@code exp}/{@code log}, so results are the
 * same bits on every run and CPU.
 */
public interface Model {
    /** A short name for reports, e.g. {@code logreg} or {@code mlp-64}. */
    String name();

    int numFeatures();

    int numClasses();

    /** Length of the parameter vector. */
    int parameterCount();

    /** Starting parameters, a deterministic function of {@code seed}. */
    float[] initialParameters(long seed);

    /**
     * Mean loss over the samples {@code indices[from..to)} of {@code data}, and its gradient with
     * respect to {@code params}, written to {@code gradient} (overwritten, length
     * {@link #parameterCount()}).
     *
     * @throws ModelShapeException if the parameter or gradient length, or the dataset's shape,
     *     does not match this model, or the range is empty
     */
    double lossAndGradient(float[] params, Dataset data, int[] indices, int from, int to, double[] gradient);

    /** Mean loss and accuracy of {@code params} over all of {@code data}. */
    Evaluation evaluate(float[] params, Dataset data);

    /** The predicted class of sample {@code i} (the arg max of the logits, lowest index on ties). */
    int predict(float[] params, Dataset data, int i);
}
