package org.qoraedge.gateway.client.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Expected values by hand from rho = T / (2 sigma^2) and epsilon = rho + 2 sqrt(rho ln(1/delta))
 * (checked with python3's math module).
 */
class ZcdpAccountantTest {
    @Test
    void oneRoundAtSigmaOne() {
        // rho = 1/2; ln(1e5) = 11.5129...; 0.5 + 2 sqrt(5.75646...) = 5.29852...
        PrivacyLoss loss = ZcdpAccountant.of(1.0).perRound(1e-5);
        assertEquals(0.5, loss.rho());
        assertEquals(5.298525912188081, loss.epsilon(), 1e-12);
        assertEquals(1e-5, loss.delta());
    }

    @Test
    void hundredRoundsAtSigmaTwoComposeLinearlyInRho() {
        // rho = 100 / 8 = 12.5; 12.5 + 2 sqrt(12.5 * ln(1e6)) = 38.7826...
        PrivacyLoss loss = ZcdpAccountant.of(2.0).afterRounds(100, 1e-6);
        assertEquals(12.5, loss.rho(), 1e-15);
        assertEquals(38.78260884878466, loss.epsilon(), 1e-12);
    }

    @Test
    void smallSigmaFromTheMechanism() {
        // sigma = 1/2: rho = 2; 2 + 2 sqrt(2 ln 1000) = 9.43384...
        ZcdpAccountant a = ZcdpAccountant.of(GaussianMechanism.of(3.0, 0.5));
        assertEquals(2.0, a.rhoPerRound());
        assertEquals(9.433844377699677, a.perRound(1e-3).epsilon(), 1e-12);
    }

    @Test
    void refusesBadRoundsDeltaAndSigma() {
        ZcdpAccountant a = ZcdpAccountant.of(1.0);
        assertEquals("round count is 0; it must be at least 1",
                assertThrows(LocalPrivacyException.class, () -> a.afterRounds(0, 1e-5)).getMessage());
        assertEquals("delta is 1.0; it must lie in (0, 1)",
                assertThrows(LocalPrivacyException.class, () -> a.perRound(1.0)).getMessage());
        assertThrows(LocalPrivacyException.class, () -> a.perRound(0));
        assertThrows(LocalPrivacyException.class, () -> a.perRound(Double.NaN));
        assertThrows(LocalPrivacyException.class, () -> ZcdpAccountant.of(0));
        assertEquals("rho is -1.0; it must be finite and >= 0",
                assertThrows(LocalPrivacyException.class, () -> ZcdpAccountant.toEpsilonDelta(-1, 1e-5)).getMessage());
    }
}
