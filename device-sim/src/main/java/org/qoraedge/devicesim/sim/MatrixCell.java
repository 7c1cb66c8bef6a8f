package org.qoraedge.devicesim.sim;

/** One run of a matrix: its attack spec, aggregator and Byzantine count, and the run's result. */
public record MatrixCell(String attack, AggregatorSpec aggregator, int byzantine, SimResult result) {
}
