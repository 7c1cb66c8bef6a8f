package org.qoraedge.devicesim.model;

import org.qoraedge.fixedpoint.random.SplitMix64;

/**
 * A one-hidden-layer perceptron: {@code logits = W2 relu(W1 x + b1) + b2}. Parameters, in order:
 * {@code W1} ({@code hidden x numFeatures}, row-major), {@code b1} ({@code hidden}), {@code W2}
 * ({@code numClasses x hidden}), {@code b2} ({@code numClasses}); the last {@code numClasses}
 * parameters are the output biases. Starts from He-uniform {@code W1}, Glorot-uniform {@code W2},
 * zero biases, drawn from the seed.
 */
public final class Mlp extends AbstractModel {
    private final int hidden;
    private final int b1;
    private final int w2;
    private final int b2;

    /**
     * @throws ModelShapeException if {@code hidden < 1}
     */
    public Mlp(int numFeatures, int hidden, int numClasses) {
        super(numFeatures, numClasses);
        if (hidden < 1) {
            throw new ModelShapeException("an MLP needs >= 1 hidden unit, got " + hidden);
        }
        this.hidden = hidden;
        this.b1 = hidden * numFeatures;
        this.w2 = b1 + hidden;
        this.b2 = w2 + numClasses * hidden;
    }

    public int hiddenUnits() {
        return hidden;
    }

    @Override
    public String name() {
        return "mlp-" + hidden;
    }

    @Override
    public int parameterCount() {
        return b2 + numClasses;
    }

    @Override
    public float[] initialParameters(long seed) {
        SplitMix64 rng = new SplitMix64(SplitMix64.derive(seed, 0x4D4C50L)); // "MLP"
        float[] p = new float[parameterCount()];
        double limit1 = StrictMath.sqrt(6.0 / numFeatures);
        for (int i = 0; i < b1; i++) {
            p[i] = (float) ((2 * rng.nextDouble() - 1) * limit1);
        }
        double limit2 = StrictMath.sqrt(6.0 / (hidden + numClasses));
        for (int i = w2; i < b2; i++) {
            p[i] = (float) ((2 * rng.nextDouble() - 1) * limit2);
        }
        return p;
    }

    @Override
    int hiddenSize() {
        return 2 * hidden; // [0, hidden): pre-activations, [hidden, 2 hidden): ReLU outputs / their gradient
    }

    @Override
    void forward(float[] p, float[] x, double[] h, double[] logits) {
        for (int k = 0; k < hidden; k++) {
            double z = p[b1 + k] + dot(p, k * numFeatures, x, numFeatures);
            h[k] = z;
            h[hidden + k] = z > 0 ? z : 0;
        }
        for (int c = 0; c < numClasses; c++) {
            double s = p[b2 + c];
            int row = w2 + c * hidden;
            for (int k = 0; k < hidden; k++) {
                s += p[row + k] * h[hidden + k];
            }
            logits[c] = s;
        }
    }

    @Override
    void backward(float[] p, float[] x, double[] h, double[] dLogits, double[] grad) {
        for (int c = 0; c < numClasses; c++) {
            double d = dLogits[c];
            int row = w2 + c * hidden;
            for (int k = 0; k < hidden; k++) {
                grad[row + k] += d * h[hidden + k];
            }
            grad[b2 + c] += d;
        }
        for (int k = 0; k < hidden; k++) {
            if (h[k] <= 0) {
                continue; // ReLU is flat here (the subgradient at 0 is taken as 0)
            }
            double dz = 0;
            for (int c = 0; c < numClasses; c++) {
                dz += p[w2 + c * hidden + k] * dLogits[c];
            }
            axpy(dz, x, grad, k * numFeatures, numFeatures);
            grad[b1 + k] += dz;
        }
    }
}
