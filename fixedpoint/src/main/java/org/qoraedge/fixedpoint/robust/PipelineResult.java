package org.qoraedge.fixedpoint.robust;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.krum.KrumResult;

/**
 * What a {@link Pipeline} computed (robust spec sections 7 and 8): the aggregate block and its
 * digest; for each norm screen, in step order, the indices it kept in the pipeline's input
 * numbering; and the aggregator's details (Krum family: scores, ranking and selection in the
 * aggregator's input numbering; centered clipping: the reference and its diagnostics). Immutable;
 * arrays are copied out.
 */
public final class PipelineResult {
    private final Pipeline pipeline;
    private final Aggregation aggregation;
    private final List<int[]> kept;
    private final int aggregatorInputSize;

    PipelineResult(Pipeline pipeline, Aggregation aggregation, List<int[]> kept, int aggregatorInputSize) {
        this.pipeline = pipeline;
        this.aggregation = aggregation;
        List<int[]> k = new ArrayList<>();
        for (int[] a : kept) {
            k.add(a.clone());
        }
        this.kept = List.copyOf(k);
        this.aggregatorInputSize = aggregatorInputSize;
    }

    /** The pipeline that computed this result. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** The aggregate block. */
    public Bfp16Block aggregate() {
        return aggregation.block();
    }

    /** The aggregate's block digest (base spec section 7). */
    public String digest() {
        return aggregation.digest();
    }

    /** The aggregator's own result. */
    public Aggregation aggregation() {
        return aggregation;
    }

    /** The number of norm screens, that is, of {@link #kept(int)} lists. */
    public int screens() {
        return kept.size();
    }

    /**
     * The indices the {@code s}-th norm screen (0-based, in step order) kept, ascending, in the
     * pipeline's input numbering {@code 0 .. n-1}.
     */
    public int[] kept(int s) {
        return kept.get(s).clone();
    }

    /** Every norm screen's kept indices, in step order (copies). */
    public List<int[]> kept() {
        List<int[]> out = new ArrayList<>();
        for (int[] a : kept) {
            out.add(a.clone());
        }
        return out;
    }

    /** The selection digest (base spec section 7) of each norm screen's kept indices, in step order. */
    public List<String> keptDigests() {
        List<String> out = new ArrayList<>();
        for (int[] a : kept) {
            out.add(Digests.indices(a));
        }
        return List.copyOf(out);
    }

    /** The number of blocks the aggregator received, {@code n'}. */
    public int aggregatorInputSize() {
        return aggregatorInputSize;
    }

    /** Scores, ranking and selection (aggregator's input numbering) when the aggregator is Krum or Multi-Krum. */
    public Optional<KrumResult> krum() {
        return aggregation.krum();
    }

    /** Reference and diagnostics when the aggregator is centered clipping. */
    public Optional<CenteredClipResult> centeredClip() {
        return aggregation.centeredClip();
    }

    /**
     * The pipeline's inputs the aggregator used, in the pipeline's input numbering: a Krum or
     * Multi-Krum aggregator's selection (rank order), else every input that passed the norm screens
     * (ascending), mapped back through the screens ({@code nnm} keeps each input's slot).
     */
    public int[] usedInputs() {
        return usedInputs(kept, krum().map(KrumResult::selected).orElse(null), aggregatorInputSize);
    }

    /**
     * {@link #usedInputs()} from its parts, for a pipeline run elsewhere (the fast paths).
     *
     * @param kept each norm screen's kept inputs, in the pipeline's input numbering (as {@link #kept()})
     * @param krumSelection a Krum aggregator's selection in its own input's numbering, null for the other aggregators
     * @param aggregatorInputSize the number of blocks the aggregator received
     */
    public static int[] usedInputs(List<int[]> kept, int[] krumSelection, int aggregatorInputSize) {
        int[] origin = kept.isEmpty() ? null : kept.get(kept.size() - 1);
        int[] local = krumSelection;
        if (local == null) {
            local = new int[aggregatorInputSize];
            for (int k = 0; k < local.length; k++) {
                local[k] = k;
            }
        }
        int[] used = new int[local.length];
        for (int t = 0; t < local.length; t++) {
            used[t] = origin == null ? local[t] : origin[local[t]];
        }
        return used;
    }
}
