package org.qoraedge.gateway.client.privacy;

/**
 * An {@code (epsilon, delta)}-differential-privacy guarantee, with the zCDP parameter {@code rho} it
 * was converted from.
 *
 * @param rho the zero-concentrated DP parameter, {@code >= 0}
 * @param epsilon {@code rho + 2 sqrt(rho ln(1/delta))}
 * @param delta in (0, 1)
 */
public record PrivacyLoss(double rho, double epsilon, double delta) {
}
