package org.qoraedge.devicesim.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qoraedge.devicesim.sim.MatrixCell;
import org.qoraedge.devicesim.sim.SimResult;

/**
 * Writes a matrix's results: {@code matrix.md} (one table per Byzantine count: attacks x
 * aggregators, final accuracy in % with the total number of Byzantine selections), {@code matrix.csv}
 * (one line per cell), {@code matrix.json} (every cell's full report), {@code heatmap-f<F>.png} and
 * {@code curves-<aggregator>-f<F>.png} (one line per attack).
 */
public final class MatrixReport {
    private MatrixReport() {
    }

    /** Every file above, into {@code dir}, for cells run in process; returns the paths written. */
    public static List<Path> write(List<MatrixCell> cells, String title, Path dir) throws IOException {
        return write(cells, title, "in-process", dir);
    }

    /**
     * Every file above, into {@code dir}; {@code transport} ({@code in-process} or {@code mqtt}) is
     * recorded in {@code matrix.json}, at the top and in each run. Returns the paths written.
     */
    public static List<Path> write(List<MatrixCell> cells, String title, String transport, Path dir) throws IOException {
        List<Path> written = new ArrayList<>();
        Path md = dir.resolve("matrix.md");
        ReportFiles.writeString(md, markdown(cells, title));
        written.add(md);
        Path csv = dir.resolve("matrix.csv");
        ReportFiles.writeString(csv, csv(cells));
        written.add(csv);
        Path json = dir.resolve("matrix.json");
        JsonArray arr = new JsonArray();
        for (MatrixCell c : cells) {
            JsonObject run = JsonReport.toJson(c.result());
            run.addProperty("transport", transport);
            arr.add(run);
        }
        JsonObject root = new JsonObject();
        root.addProperty("format", JsonReport.FORMAT);
        root.addProperty("title", title);
        root.addProperty("transport", transport);
        root.add("runs", arr);
        ReportFiles.writeString(json, JsonReport.pretty(root));
        written.add(json);
        for (int f : byzantineCounts(cells)) {
            List<String> attacks = attacks(cells, f);
            List<String> aggs = aggregators(cells, f);
            double[][] v = new double[attacks.size()][aggs.size()];
            for (double[] row : v) {
                Arrays.fill(row, Double.NaN);
            }
            for (MatrixCell c : cells) {
                if (c.byzantine() == f) {
                    v[attacks.indexOf(c.attack())][aggs.indexOf(c.aggregator().id())] = c.result().finalAccuracy();
                }
            }
            int n = cells.get(0).result().config().nodes();
            Path heat = dir.resolve("heatmap-f" + f + ".png");
            // Colour scale from the worst to the best cell, widened to multiples of 10%.
            double lo = 100;
            double hi = 0;
            for (double[] row : v) {
                for (double x : row) {
                    if (!Double.isNaN(x)) {
                        lo = Math.min(lo, 100 * x);
                        hi = Math.max(hi, 100 * x);
                    }
                }
            }
            lo = Math.floor(lo / 10) * 10;
            hi = Math.max(lo + 10, Math.ceil(hi / 10) * 10);
            Charts.heatmap(title + ": final accuracy (%), " + f + " of " + n + " Byzantine", attacks, aggs, v, lo, hi,
                    heat);
            written.add(heat);
            for (String agg : aggs) {
                Map<String, double[]> curves = new LinkedHashMap<>();
                for (MatrixCell c : cells) {
                    if (c.byzantine() == f && c.aggregator().id().equals(agg)) {
                        curves.put(c.attack(), withStart(c.result()));
                    }
                }
                Path p = dir.resolve("curves-" + agg.replace(':', '_').replace('=', '-') + "-f" + f + ".png");
                Charts.accuracyCurves(title + ": " + agg + ", " + f + " of " + n + " Byzantine", curves, p);
                written.add(p);
            }
        }
        return written;
    }

    /** The accuracy curve with the initial model's accuracy as round 0. */
    public static double[] withStart(SimResult r) {
        double[] c = r.accuracyCurve();
        double[] out = new double[c.length + 1];
        out[0] = r.initialAccuracy();
        System.arraycopy(c, 0, out, 1, c.length);
        return out;
    }

    public static String markdown(List<MatrixCell> cells, String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        sb.append("Final test accuracy (%) after the last round; in parentheses, how many times a Byzantine"
                + " update was selected over all rounds (the mean selects every update).\n");
        for (int f : byzantineCounts(cells)) {
            List<String> attacks = attacks(cells, f);
            List<String> aggs = aggregators(cells, f);
            int n = cells.get(0).result().config().nodes();
            sb.append("\n## ").append(f).append(" of ").append(n).append(" nodes Byzantine\n\n| attack |");
            for (String a : aggs) {
                sb.append(' ').append(a).append(" |");
            }
            sb.append("\n|---|");
            sb.append("---:|".repeat(aggs.size()));
            sb.append('\n');
            for (String attack : attacks) {
                sb.append("| ").append(attack).append(" |");
                for (String agg : aggs) {
                    MatrixCell c = find(cells, attack, agg, f);
                    if (c == null) {
                        sb.append(" |");
                        continue;
                    }
                    SimResult r = c.result();
                    sb.append(String.format(Locale.ROOT, " %.2f (%d)%s |", 100 * r.finalAccuracy(),
                            r.totalByzantineSelected(), r.divergedAtRound() > 0 ? " diverged r" + r.divergedAtRound() : ""));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    public static String csv(List<MatrixCell> cells) {
        StringBuilder sb = new StringBuilder(
                "attack,aggregator,nodes,byzantine,rounds,final_accuracy,initial_accuracy,byzantine_selected,diverged_at_round,wall_millis\n");
        for (MatrixCell c : cells) {
            SimResult r = c.result();
            sb.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%d,%.4f,%.4f,%d,%d,%d%n", quote(c.attack()),
                    c.aggregator().id(), r.config().nodes(), c.byzantine(), r.rounds().size(), r.finalAccuracy(),
                    r.initialAccuracy(), r.totalByzantineSelected(), r.divergedAtRound(), r.wallMillis()));
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static MatrixCell find(List<MatrixCell> cells, String attack, String agg, int f) {
        for (MatrixCell c : cells) {
            if (c.byzantine() == f && c.attack().equals(attack) && c.aggregator().id().equals(agg)) {
                return c;
            }
        }
        return null;
    }

    private static List<Integer> byzantineCounts(List<MatrixCell> cells) {
        LinkedHashSet<Integer> s = new LinkedHashSet<>();
        cells.forEach(c -> s.add(c.byzantine()));
        return new ArrayList<>(s);
    }

    private static List<String> attacks(List<MatrixCell> cells, int f) {
        LinkedHashSet<String> s = new LinkedHashSet<>();
        cells.stream().filter(c -> c.byzantine() == f).forEach(c -> s.add(c.attack()));
        return new ArrayList<>(s);
    }

    private static List<String> aggregators(List<MatrixCell> cells, int f) {
        LinkedHashSet<String> s = new LinkedHashSet<>();
        cells.stream().filter(c -> c.byzantine() == f).forEach(c -> s.add(c.aggregator().id()));
        return new ArrayList<>(s);
    }
}
