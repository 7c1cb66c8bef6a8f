package org.qoraedge.devicesim.sim;

import java.util.List;

/**
 * The outcome of a run.
 *
 * @param initialAccuracy test accuracy of the starting model
 * @param divergedAtRound the round whose honest training produced a NaN or infinity (the run stops
 *     there), or 0
 * @param wallMillis the run's wall time, milliseconds (not deterministic)
 */
public record SimResult(SimConfig config, String modelName, int parameterCount, List<String> byzantineIds,
        double initialAccuracy, List<RoundRecord> rounds, int divergedAtRound, long wallMillis, float[] finalParameters) {
    public SimResult {
        byzantineIds = List.copyOf(byzantineIds);
        rounds = List.copyOf(rounds);
        finalParameters = finalParameters.clone();
    }

    /** Accuracy after the last completed round (the initial accuracy if none completed). */
    public double finalAccuracy() {
        return rounds.isEmpty() ? initialAccuracy : rounds.get(rounds.size() - 1).accuracy();
    }

    /** A copy of the final global parameters. */
    @Override
    public float[] finalParameters() {
        return finalParameters.clone();
    }

    /** Per-round accuracy, round 1 first. */
    public double[] accuracyCurve() {
        return rounds.stream().mapToDouble(RoundRecord::accuracy).toArray();
    }

    /** Total Byzantine selections over all rounds. */
    public int totalByzantineSelected() {
        return rounds.stream().mapToInt(RoundRecord::byzantineSelected).sum();
    }
}
