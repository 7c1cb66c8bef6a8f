package org.qoraedge.crosscheck.fuzz;

/** Settings shared by the fuzz tests of this package. */
final class FuzzRuns {
    /**
     * How long one fuzzing run ({@code JAZZER_FUZZ=1}, one selected test) lasts; regression runs of
     * the committed corpus ignore it. docs/FUZZING.md has the figures of the last long run.
     */
    static final String MAX_DURATION = "2m";

    private FuzzRuns() {
    }
}
