package org.qoraedge.devicesim.model;

/**
 * Multinomial logistic regression: {@code logits = W x + b}. Parameters, in order: {@code W}
 * row-major ({@code numClasses x numFeatures}, row {@code c} is class {@code c}), then {@code b}
 * ({@code numClasses}). The last {@code numClasses} parameters are therefore the class biases.
 * Starts from all zeros (the loss is convex; any start works).
 */
public final class LogisticRegression extends AbstractModel {
    public LogisticRegression(int numFeatures, int numClasses) {
        super(numFeatures, numClasses);
    }

    @Override
    public String name() {
        return "logreg";
    }

    @Override
    public int parameterCount() {
        return numClasses * numFeatures + numClasses;
    }

    @Override
    public float[] initialParameters(long seed) {
        return new float[parameterCount()];
    }

    @Override
    int hiddenSize() {
        return 0;
    }

    @Override
    void forward(float[] p, float[] x, double[] hidden, double[] logits) {
        int biases = numClasses * numFeatures;
        for (int c = 0; c < numClasses; c++) {
            logits[c] = p[biases + c] + dot(p, c * numFeatures, x, numFeatures);
        }
    }

    @Override
    void backward(float[] p, float[] x, double[] hidden, double[] dLogits, double[] grad) {
        int biases = numClasses * numFeatures;
        for (int c = 0; c < numClasses; c++) {
            double d = dLogits[c];
            axpy(d, x, grad, c * numFeatures, numFeatures);
            grad[biases + c] += d;
        }
    }
}
