package org.qoraedge.devicesim.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.qoraedge.devicesim.data.TrainTest;

/**
 * Runs a grid of in-process simulations: every attack x aggregator x Byzantine count, each a
 * {@link SimConfig} derived from one base configuration (same seed, data, shards and Byzantine
 * ids for a given count). Cells run one after another; each cell's nodes train on the base
 * configuration's threads.
 */
public final class MatrixRunner {
    private MatrixRunner() {
    }

    /**
     * @param progress told about each finished cell (index from 1, total, the cell)
     */
    public static List<MatrixCell> run(SimConfig base, TrainTest data, List<String> attacks,
            List<AggregatorSpec> aggregators, List<Integer> byzantineCounts, Progress progress) {
        int total = attacks.size() * aggregators.size() * byzantineCounts.size();
        List<MatrixCell> cells = new ArrayList<>();
        int k = 0;
        for (int byz : byzantineCounts) {
            for (String attack : attacks) {
                for (AggregatorSpec agg : aggregators) {
                    SimConfig cfg = base.toBuilder().byzantine(byz).byzantineIds(List.of()).attack(attack)
                            .aggregator(agg).build();
                    SimResult r = InProcessSimulator.run(cfg, data, RoundListener.NONE);
                    MatrixCell cell = new MatrixCell(attack, agg, byz, r);
                    cells.add(cell);
                    progress.cellDone(++k, total, cell);
                }
            }
        }
        return cells;
    }

    /** Progress of a running grid. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (i, n, c) -> { };

        void cellDone(int index, int total, MatrixCell cell);

        static Progress of(Consumer<MatrixCell> c) {
            return (i, n, cell) -> c.accept(cell);
        }
    }
}
