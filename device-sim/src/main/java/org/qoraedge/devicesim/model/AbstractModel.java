package org.qoraedge.devicesim.model;

import java.util.Arrays;
import org.qoraedge.devicesim.data.Dataset;

/** The per-sample loops, softmax cross-entropy and shape checks shared by the built-in models. */
abstract class AbstractModel implements Model {
    protected final int numFeatures;
    protected final int numClasses;

    AbstractModel(int numFeatures, int numClasses) {
        if (numFeatures < 1) {
            throw new ModelShapeException("a model needs >= 1 feature, got " + numFeatures);
        }
        if (numClasses < 2) {
            throw new ModelShapeException("a classifier needs >= 2 classes, got " + numClasses);
        }
        this.numFeatures = numFeatures;
        this.numClasses = numClasses;
    }

    @Override
    public final int numFeatures() {
        return numFeatures;
    }

    @Override
    public final int numClasses() {
        return numClasses;
    }

    /** Size of the hidden activation scratch (0 for a linear model). */
    abstract int hiddenSize();

    /** Computes {@code logits}; may keep pre-activations in {@code hidden} for {@link #backward}. */
    abstract void forward(float[] p, float[] x, double[] hidden, double[] logits);

    /** Adds this sample's gradient, given {@code dLogits = softmax - onehot}, to {@code grad}. */
    abstract void backward(float[] p, float[] x, double[] hidden, double[] dLogits, double[] grad);

    @Override
    public final double lossAndGradient(float[] params, Dataset data, int[] indices, int from, int to, double[] gradient) {
        checkParams(params);
        checkData(data);
        if (gradient.length != parameterCount()) {
            throw new ModelShapeException("gradient buffer has " + gradient.length + " entries, " + name() + " has "
                    + parameterCount() + " parameters");
        }
        if (from < 0 || to > indices.length || from >= to) {
            throw new ModelShapeException("sample range [" + from + ", " + to + ") is empty or outside [0, "
                    + indices.length + "]");
        }
        Arrays.fill(gradient, 0);
        float[] x = new float[numFeatures];
        double[] hidden = new double[hiddenSize()];
        double[] logits = new double[numClasses];
        double loss = 0;
        for (int k = from; k < to; k++) {
            int i = indices[k];
            data.copyRow(i, x, 0);
            forward(params, x, hidden, logits);
            loss += softmaxInPlace(logits, data.label(i));
            logits[data.label(i)] -= 1; // now softmax - onehot
            backward(params, x, hidden, logits, gradient);
        }
        double inv = 1.0 / (to - from);
        for (int j = 0; j < gradient.length; j++) {
            gradient[j] *= inv;
        }
        return loss * inv;
    }

    @Override
    public final Evaluation evaluate(float[] params, Dataset data) {
        checkParams(params);
        checkData(data);
        float[] x = new float[numFeatures];
        double[] hidden = new double[hiddenSize()];
        double[] logits = new double[numClasses];
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < data.size(); i++) {
            data.copyRow(i, x, 0);
            forward(params, x, hidden, logits);
            if (argMax(logits) == data.label(i)) {
                correct++;
            }
            loss += softmaxInPlace(logits, data.label(i));
        }
        int n = data.size();
        return new Evaluation(n == 0 ? 0 : loss / n, n == 0 ? 0 : (double) correct / n, correct, n);
    }

    @Override
    public final int predict(float[] params, Dataset data, int i) {
        checkParams(params);
        checkData(data);
        float[] x = new float[numFeatures];
        double[] logits = new double[numClasses];
        data.copyRow(i, x, 0);
        forward(params, x, new double[hiddenSize()], logits);
        return argMax(logits);
    }

    /**
     * Replaces {@code z} by softmax(z) and returns the cross-entropy {@code -log softmax(z)[y]},
     * computed as {@code logsumexp(z) - z[y]} (stable for any logits).
     */
    static double softmaxInPlace(double[] z, int y) {
        double max = z[0];
        for (int c = 1; c < z.length; c++) {
            max = Math.max(max, z[c]);
        }
        double sum = 0;
        for (int c = 0; c < z.length; c++) {
            z[c] = StrictMath.exp(z[c] - max);
            sum += z[c];
        }
        // z[y] now holds exp(z_y - max); -log of the probability is log(sum) - log(that).
        double loss = StrictMath.log(sum) - StrictMath.log(z[y]);
        if (Double.isInfinite(loss)) {
            loss = Double.MAX_VALUE; // exp underflowed for the true class: refuse to report infinity
        }
        double inv = 1 / sum;
        for (int c = 0; c < z.length; c++) {
            z[c] *= inv;
        }
        return loss;
    }

    static int argMax(double[] z) {
        int best = 0;
        for (int c = 1; c < z.length; c++) {
            if (z[c] > z[best]) {
                best = c;
            }
        }
        return best;
    }

    /** {@code sum_j w[off + j] * x[j]} in double, with four accumulators in a fixed order. */
    static double dot(float[] w, int off, float[] x, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = 0;
        for (; j + 3 < n; j += 4) {
            s0 += (double) w[off + j] * x[j];
            s1 += (double) w[off + j + 1] * x[j + 1];
            s2 += (double) w[off + j + 2] * x[j + 2];
            s3 += (double) w[off + j + 3] * x[j + 3];
        }
        for (; j < n; j++) {
            s0 += (double) w[off + j] * x[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code g[off + j] += a * x[j]} for {@code j < n}. */
    static void axpy(double a, float[] x, double[] g, int off, int n) {
        for (int j = 0; j < n; j++) {
            g[off + j] += a * x[j];
        }
    }

    final void checkParams(float[] params) {
        if (params.length != parameterCount()) {
            throw new ModelShapeException("parameter vector has " + params.length + " entries, " + name() + " has "
                    + parameterCount() + " parameters");
        }
    }

    final void checkData(Dataset data) {
        if (data.numFeatures() != numFeatures || data.numClasses() != numClasses) {
            throw new ModelShapeException("dataset " + data.name() + " has " + data.numFeatures() + " features and "
                    + data.numClasses() + " classes, " + name() + " expects " + numFeatures + " and " + numClasses);
        }
    }
}
