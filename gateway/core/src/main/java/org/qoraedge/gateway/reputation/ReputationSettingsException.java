package org.qoraedge.gateway.reputation;

/**
 * Reputation settings that cannot be used. The message names the key, the value and the rule, for
 * example {@code reputation.ban-below = 0.6: must be below the neutral score 0.5}.
 */
public final class ReputationSettingsException extends ReputationException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public ReputationSettingsException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The offending key, for example {@code reputation.decay}; empty when the text as a whole is refused. */
    public String key() {
        return key;
    }
}
