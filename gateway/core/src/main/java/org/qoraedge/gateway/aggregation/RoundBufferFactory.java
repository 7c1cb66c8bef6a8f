package org.qoraedge.gateway.aggregation;

/** Opens a fresh {@link RoundBuffer} for each round. */
@FunctionalInterface
public interface RoundBufferFactory {
    RoundBuffer open(long round, int dimension, AggregationSettings settings);

    /** The reference implementation over {@code org.qoraedge.fixedpoint.krum.Krum} and {@code Means}. */
    static RoundBufferFactory reference() {
        return (round, dimension, settings) -> new ReferenceRoundBuffer(settings);
    }

    /**
     * The fast incremental implementation over {@code org.qoraedge.fixedpoint.fast.RoundBuffer}
     * (dot products computed as updates arrive), bit-identical to {@link #reference()}. Pipelines
     * run on the reference buffer (their fast paths are in {@code fixedpoint.fast.FastRobust}, not
     * wired here yet).
     *
     * @param expectedUpdates the usual number of updates per round (the buffer grows past it)
     */
    static RoundBufferFactory incremental(int expectedUpdates) {
        return (round, dimension, settings) -> settings.kind() == AggregatorKind.PIPELINE ? new ReferenceRoundBuffer(settings)
                : new IncrementalRoundBuffer(dimension, expectedUpdates, settings);
    }
}
