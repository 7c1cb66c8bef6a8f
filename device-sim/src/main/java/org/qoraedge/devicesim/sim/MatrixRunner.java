package org.qoraedge.devicesim.sim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.qoraedge.devicesim.data.TrainTest;

/**
 * Runs a grid: every attack x aggregator x Byzantine count, each a {@link SimConfig} derived from
 * one base configuration (same seed, data, shards and Byzantine ids for a given count). Cells run
 * one after another, by default in process ({@link CellRunner#IN_PROCESS}); the command line's
 * {@code --transport mqtt} runs each cell as an MQTT scenario instead (a gateway per cell), which
 * gives the same results, timings aside.
 */
public final class MatrixRunner {
    private MatrixRunner() {
    }

    /**
     * @param progress told about each finished cell (index from 1, total, the cell)
     */
    public static List<MatrixCell> run(SimConfig base, TrainTest data, List<String> attacks,
            List<AggregatorSpec> aggregators, List<Integer> byzantineCounts, Progress progress) {
        try {
            return run(base, data, attacks, aggregators, byzantineCounts, CellRunner.IN_PROCESS, progress);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("the in-process runner does no I/O", e);
        }
    }

    /**
     * @param runner runs one cell's configuration
     * @param progress told about each finished cell (index from 1, total, the cell)
     */
    public static List<MatrixCell> run(SimConfig base, TrainTest data, List<String> attacks,
            List<AggregatorSpec> aggregators, List<Integer> byzantineCounts, CellRunner runner, Progress progress)
            throws IOException, InterruptedException {
        int total = attacks.size() * aggregators.size() * byzantineCounts.size();
        List<MatrixCell> cells = new ArrayList<>();
        int k = 0;
        for (int byz : byzantineCounts) {
            for (String attack : attacks) {
                for (AggregatorSpec agg : aggregators) {
                    SimConfig cfg = base.toBuilder().byzantine(byz).byzantineIds(List.of()).attack(attack)
                            .aggregator(agg).build();
                    SimResult r = runner.run(cfg, data);
                    MatrixCell cell = new MatrixCell(attack, agg, byz, r);
                    cells.add(cell);
                    progress.cellDone(++k, total, cell);
                }
            }
        }
        return cells;
    }

    /** Runs one cell. */
    @FunctionalInterface
    public interface CellRunner {
        /** {@link InProcessSimulator}, no listener. */
        CellRunner IN_PROCESS = (cfg, data) -> InProcessSimulator.run(cfg, data, RoundListener.NONE);

        SimResult run(SimConfig cfg, TrainTest data) throws IOException, InterruptedException;
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
