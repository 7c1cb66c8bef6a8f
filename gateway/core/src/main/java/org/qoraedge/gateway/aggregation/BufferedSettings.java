package org.qoraedge.gateway.aggregation;

/**
 * The parameters of buffered asynchronous aggregation, {@code round.mode = buffered}
 * (docs/PROTOCOL.md section 6.3), and its two exact rules: which model versions an update may be
 * trained from, and the integer weight of an accepted update.
 *
 * <p>The gateway collects buffer {@code V}: the model it published last is version {@code V} (the
 * announcement of round {@code V}). An update whose frame names round {@code v} was trained from
 * version {@code v}; its staleness is {@code V - v}. A version above {@code V} is refused as
 * {@code wrong-round}, a staleness above {@code maxStaleness} as {@code stale-update}. An accepted
 * update weighs {@code 2^(maxStaleness - staleness)}: a fresh update counts {@code 2^maxStaleness}
 * times as much as one at the staleness limit, each version of staleness halves the weight.
 *
 * @param bufferSize {@code round.bufferSize}: the accepted updates that make up one buffer, {@code >= 1}
 * @param maxStaleness {@code round.maxStaleness}: the oldest version accepted is this many versions
 *     behind the current one, {@code 0 .. MAX_STALENESS}
 * @param serverStepShift {@code round.serverStepShift}: the new model is the model before plus the
 *     buffer's aggregate times {@code 2^-serverStepShift} (the server's learning rate, exact: the
 *     aggregate's exponent lowered by this much), {@code 0 .. MAX_SERVER_STEP_SHIFT}
 */
public record BufferedSettings(int bufferSize, int maxStaleness, int serverStepShift) {
    /** The largest {@code round.serverStepShift}: a server step of {@code 2^-16}. */
    public static final int MAX_SERVER_STEP_SHIFT = 16;

    /**
     * The largest {@code round.maxStaleness}: a weight is at most {@code 2^16}, so that multiplied by
     * a reputation weight (at most 10^6 ppm, docs/REPUTATION.md section 7) it stays below 2^37.
     */
    public static final int MAX_STALENESS = 16;

    /** What {@link #check} says of an update's version. */
    public enum Verdict {
        /** Within {@code maxStaleness} versions of the current model, not after it. */
        ACCEPTED,
        /** Trained from a version after the current one: {@code wrong-round}. */
        FUTURE,
        /** Trained from a version more than {@code maxStaleness} versions behind: {@code stale-update}. */
        STALE
    }

    /**
     * Checks the settings.
     *
     * @throws AggregationSettingsException naming the key whose value is out of range
     */
    public BufferedSettings {
        if (bufferSize < 1) {
            throw new AggregationSettingsException("round.bufferSize must be >= 1, got " + bufferSize);
        }
        if (maxStaleness < 0 || maxStaleness > MAX_STALENESS) {
            throw new AggregationSettingsException("round.maxStaleness must be in 0.." + MAX_STALENESS + ", got " + maxStaleness);
        }
        if (serverStepShift < 0 || serverStepShift > MAX_SERVER_STEP_SHIFT) {
            throw new AggregationSettingsException("round.serverStepShift must be in 0.." + MAX_SERVER_STEP_SHIFT + ", got "
                    + serverStepShift);
        }
    }

    /** Settings with a server step of 1 ({@code round.serverStepShift = 0}, the default). */
    public BufferedSettings(int bufferSize, int maxStaleness) {
        this(bufferSize, maxStaleness, 0);
    }

    /** Whether an update trained from {@code trainedFrom} may enter buffer {@code current}. */
    public Verdict check(long current, long trainedFrom) {
        if (trainedFrom > current) {
            return Verdict.FUTURE;
        }
        // current - trainedFrom cannot overflow: both are round numbers in 1 .. 2^63 - 1.
        return current - trainedFrom > maxStaleness ? Verdict.STALE : Verdict.ACCEPTED;
    }

    /**
     * The staleness weight {@code 2^(maxStaleness - staleness)}.
     *
     * @throws IllegalArgumentException when {@code staleness} is outside {@code 0 .. maxStaleness}
     *     (an update {@link #check} refuses has no weight)
     */
    public long weight(long staleness) {
        if (staleness < 0 || staleness > maxStaleness) {
            throw new IllegalArgumentException("staleness " + staleness + " outside 0.." + maxStaleness);
        }
        return 1L << (maxStaleness - staleness);
    }
}
