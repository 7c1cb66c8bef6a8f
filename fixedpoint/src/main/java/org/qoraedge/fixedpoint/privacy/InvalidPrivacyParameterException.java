package org.qoraedge.fixedpoint.privacy;

import org.qoraedge.fixedpoint.FixedPointException;

/**
 * A privacy parameter is refused: a variance {@code sigma^2} that is not positive or is above
 * {@link DiscreteGaussian#MAX_VARIANCE}, a zero denominator, a seed that is not 32 bytes, an
 * operator secret shorter than {@link CentralNoise#MIN_SECRET_BYTES}, or a uniform range that is
 * not positive. The message carries the value and the limit.
 */
public final class InvalidPrivacyParameterException extends FixedPointException {
    private static final long serialVersionUID = 1L;

    public InvalidPrivacyParameterException(String message) {
        super(message);
    }
}
