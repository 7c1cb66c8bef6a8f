package org.qoraedge.gateway.aggregation;

/** Opens a fresh {@link RoundBuffer} for each round. */
@FunctionalInterface
public interface RoundBufferFactory {
    RoundBuffer open(long round, int dimension, AggregationSettings settings);

    /** The reference implementation over {@code org.qoraedge.fixedpoint.krum.Krum} and {@code Means}. */
    static RoundBufferFactory reference() {
        return (round, dimension, settings) -> new ReferenceRoundBuffer(settings);
    }
}
