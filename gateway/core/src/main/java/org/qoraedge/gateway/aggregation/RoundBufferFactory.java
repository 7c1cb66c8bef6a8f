package org.qoraedge.gateway.aggregation;

/** Opens a fresh {@link RoundBuffer} for each round. */
@FunctionalInterface
public interface RoundBufferFactory {
    RoundBuffer open(long round, int dimension, AggregationSettings settings);

    /** The reference implementation over {@code org.qoraedge.fixedpoint.krum.Krum} and {@code Means}, and pipelines' exact references. */
    static RoundBufferFactory reference() {
        return (round, dimension, settings) -> settings.kind() == AggregatorKind.PIPELINE
                ? new PipelineRoundBuffer(settings, false) : new ReferenceRoundBuffer(settings);
    }

    /**
     * The fast incremental implementation over {@code org.qoraedge.fixedpoint.fast.RoundBuffer}
     * (dot products computed as updates arrive), bit-identical to {@link #reference()}. Pipelines
     * run on fixedpoint's fast paths at close ({@code FastPipeline}; not yet from dot products
     * computed on arrival).
     *
     * @param expectedUpdates the usual number of updates per round (the buffer grows past it)
     */
    static RoundBufferFactory incremental(int expectedUpdates) {
        return (round, dimension, settings) -> settings.kind() == AggregatorKind.PIPELINE ? new PipelineRoundBuffer(settings, true)
                : new IncrementalRoundBuffer(dimension, expectedUpdates, settings);
    }
}
