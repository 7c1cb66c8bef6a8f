package org.qoraedge.gateway.client.privacy;

import java.util.random.RandomGenerator;

/**
 * The Gaussian mechanism on a node's update: clip its L2 norm to {@code C}, then add independent
 * Gaussian noise of standard deviation {@code sigma * C} to every coordinate. With the clipping,
 * replacing one node's data changes the clipped update by at most {@code C} in L2 norm (add/remove
 * sensitivity {@code C}), so the noise multiplier {@code sigma} alone sets the privacy loss,
 * {@link ZcdpAccountant}.
 *
 * <pre>{@code
 * GaussianMechanism dp = GaussianMechanism.of(1.0, 0.8);          // C = 1, sigma = 0.8
 * float[] noised = dp.privatize(update, new SplittableRandom(seed));
 * node.publishUpdate(r, Bfp16.encode(noised));
 * }</pre>
 *
 * <p>Immutable; the random generator passed in is the caller's (seed it for reproducible
 * simulations, use a {@link java.security.SecureRandom} in production: a predictable generator lets
 * whoever knows its seed subtract the noise).
 */
public final class GaussianMechanism {
    private final double clipNorm;
    private final double noiseMultiplier;

    private GaussianMechanism(double clipNorm, double noiseMultiplier) {
        this.clipNorm = clipNorm;
        this.noiseMultiplier = noiseMultiplier;
    }

    /**
     * @param clipNorm {@code C}, the largest L2 norm an update keeps, finite and {@code > 0}
     * @param noiseMultiplier {@code sigma}, the noise's standard deviation in units of {@code C},
     *     finite and {@code > 0}
     * @throws LocalPrivacyException for a value outside those ranges
     */
    public static GaussianMechanism of(double clipNorm, double noiseMultiplier) {
        checkPositive("clipping norm C", clipNorm);
        checkPositive("noise multiplier sigma", noiseMultiplier);
        return new GaussianMechanism(clipNorm, noiseMultiplier);
    }

    static void checkPositive(String what, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new LocalPrivacyException(what + " is " + v + "; it must be finite and > 0");
        }
    }

    /** {@code C}. */
    public double clipNorm() {
        return clipNorm;
    }

    /** {@code sigma}. */
    public double noiseMultiplier() {
        return noiseMultiplier;
    }

    /** The standard deviation of the noise on each coordinate, {@code sigma * C}. */
    public double noiseStandardDeviation() {
        return noiseMultiplier * clipNorm;
    }

    /**
     * The L2 norm of {@code update}, accumulated in double.
     *
     * @throws LocalPrivacyException if a coordinate is NaN or infinite
     */
    public static double l2Norm(float[] update) {
        double sum = 0;
        for (int i = 0; i < update.length; i++) {
            float x = update[i];
            if (!Float.isFinite(x)) {
                throw new LocalPrivacyException("update coordinate " + i + " is " + x + "; every coordinate must be finite");
            }
            sum += (double) x * x;
        }
        return Math.sqrt(sum);
    }

    /**
     * A copy of {@code update} scaled by {@code min(1, C / ||update||)}: unchanged when its norm is
     * at most {@code C}, else rescaled to norm {@code C} (up to float rounding, at most one ulp per
     * coordinate, so the norm may exceed {@code C} by a relative {@code 2^-24}).
     *
     * @throws LocalPrivacyException if a coordinate is NaN or infinite
     */
    public float[] clip(float[] update) {
        double norm = l2Norm(update);
        float[] out = update.clone();
        if (norm > clipNorm) {
            double scale = clipNorm / norm;
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) (out[i] * scale);
            }
        }
        return out;
    }

    /**
     * {@link #clip} then add {@code N(0, (sigma C)^2)} to each coordinate, drawn from {@code random}
     * with {@link RandomGenerator#nextGaussian()} in coordinate order. Returns a new array.
     *
     * @throws LocalPrivacyException if a coordinate is NaN or infinite
     */
    public float[] privatize(float[] update, RandomGenerator random) {
        float[] out = clip(update);
        double sd = noiseStandardDeviation();
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (out[i] + sd * random.nextGaussian());
        }
        return out;
    }
}
