/**
 * Central differential privacy for an aggregate block, exact and replayable (docs/PRIVACY.md).
 *
 * <p>{@link org.qoraedge.fixedpoint.privacy.DiscreteGaussian} samples the discrete Gaussian of
 * Canonne, Kamath and Steinke (2020) with integer arithmetic only;
 * {@link org.qoraedge.fixedpoint.privacy.NoiseBits} is the SHA-256 counter-mode bit stream it
 * draws from; {@link org.qoraedge.fixedpoint.privacy.CentralNoise} derives a round's seed from the
 * operator's secret and adds the noise to an aggregate. No floating point anywhere, so a given seed
 * gives the same noised block on every CPU and JVM.
 */
package org.qoraedge.fixedpoint.privacy;
