package org.qoraedge.gateway.aggregation;

import java.nio.file.Path;
import java.util.Objects;
import org.qoraedge.fixedpoint.fast.MantissaStore;

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
                : new IncrementalRoundBuffer(dimension, expectedUpdates, settings, MantissaStore.inHeap());
    }

    /**
     * {@link #incremental(int)} with Krum's, Multi-Krum's and the mean's updates kept outside the
     * heap, in a scratch file in {@code scratchDir} read through memory-mapped views (see
     * {@code ScratchMantissas}): the heap holds the round's dot products ({@code n^2} longs), not its
     * {@code n x d} mantissas; closing reads them a tile at a time. Bit-identical to
     * {@link #incremental(int)} and {@link #reference()}. Pipelines still hold their updates in the
     * heap ({@code PipelineRoundBuffer}).
     *
     * <p>The factory reuses one scratch file for all its rounds: opening a round's buffer revokes the
     * previous one (its later use is refused), so a factory serves one round at a time, as the round
     * worker opens them.
     *
     * @param scratchDir where the scratch file is created (the state directory: the disk that holds
     *     the round's journal); the file is unlinked as soon as it is open
     */
    static RoundBufferFactory outOfHeap(int expectedUpdates, Path scratchDir) {
        Objects.requireNonNull(scratchDir, "scratch directory");
        ScratchMantissas[] scratch = new ScratchMantissas[1];
        return (round, dimension, settings) -> {
            if (settings.kind() == AggregatorKind.PIPELINE) {
                return new PipelineRoundBuffer(settings, true);
            }
            if (scratch[0] == null || scratch[0].dimension() != dimension) {
                scratch[0] = new ScratchMantissas(scratchDir, dimension);
            }
            return new IncrementalRoundBuffer(dimension, expectedUpdates, settings, scratch[0].lease());
        };
    }
}
