package org.qoraedge.gateway.client.privacy;

/**
 * Privacy accounting for the {@link GaussianMechanism} by zero-concentrated differential privacy
 * (Bun and Steinke, "Concentrated Differential Privacy: Simplifications, Extensions, and Lower
 * Bounds", TCC 2016, arXiv:1605.02065):
 * <ul>
 * <li>the Gaussian mechanism with L2 sensitivity {@code C} and noise {@code N(0, (sigma C)^2)} is
 *     {@code rho}-zCDP with {@code rho = 1 / (2 sigma^2)} (Proposition 1.6);</li>
 * <li>{@code T} rounds compose to {@code T rho}-zCDP (Lemma 1.7; it holds for adaptive rounds);</li>
 * <li>{@code rho}-zCDP implies {@code (rho + 2 sqrt(rho ln(1/delta)), delta)}-DP for every
 *     {@code delta > 0} (Proposition 1.3).</li>
 * </ul>
 * It accounts for one node's data across the rounds it takes part in, with no amplification by
 * subsampling: nodes that skip rounds are charged only for the rounds they sent. Tighter RDP
 * conversions exist; this one is simple and always valid.
 *
 * <p>Immutable and thread safe.
 */
public final class ZcdpAccountant {
    private final double noiseMultiplier;

    private ZcdpAccountant(double noiseMultiplier) {
        this.noiseMultiplier = noiseMultiplier;
    }

    /**
     * @param noiseMultiplier {@code sigma}, finite and {@code > 0}
     * @throws LocalPrivacyException otherwise
     */
    public static ZcdpAccountant of(double noiseMultiplier) {
        GaussianMechanism.checkPositive("noise multiplier sigma", noiseMultiplier);
        return new ZcdpAccountant(noiseMultiplier);
    }

    /** The accountant for a mechanism's noise multiplier. */
    public static ZcdpAccountant of(GaussianMechanism mechanism) {
        return new ZcdpAccountant(mechanism.noiseMultiplier());
    }

    /** {@code rho = 1 / (2 sigma^2)}, the zCDP parameter of one round. */
    public double rhoPerRound() {
        return 1 / (2 * noiseMultiplier * noiseMultiplier);
    }

    /**
     * The guarantee of one round.
     *
     * @throws LocalPrivacyException if {@code delta} is not in (0, 1)
     */
    public PrivacyLoss perRound(double delta) {
        return afterRounds(1, delta);
    }

    /**
     * The guarantee after {@code rounds} rounds: {@code rho_T = T rho}, converted at {@code delta}.
     *
     * @throws LocalPrivacyException if {@code rounds < 1} or {@code delta} is not in (0, 1)
     */
    public PrivacyLoss afterRounds(long rounds, double delta) {
        if (rounds < 1) {
            throw new LocalPrivacyException("round count is " + rounds + "; it must be at least 1");
        }
        return toEpsilonDelta(rounds * rhoPerRound(), delta);
    }

    /**
     * Bun and Steinke's Proposition 1.3: {@code rho}-zCDP gives {@code (rho + 2 sqrt(rho ln(1/delta)), delta)}-DP.
     *
     * @throws LocalPrivacyException if {@code rho} is negative or not finite, or {@code delta} is not in (0, 1)
     */
    public static PrivacyLoss toEpsilonDelta(double rho, double delta) {
        if (!(rho >= 0) || !Double.isFinite(rho)) {
            throw new LocalPrivacyException("rho is " + rho + "; it must be finite and >= 0");
        }
        if (!(delta > 0 && delta < 1)) {
            throw new LocalPrivacyException("delta is " + delta + "; it must lie in (0, 1)");
        }
        return new PrivacyLoss(rho, rho + 2 * Math.sqrt(rho * Math.log(1 / delta)), delta);
    }
}
