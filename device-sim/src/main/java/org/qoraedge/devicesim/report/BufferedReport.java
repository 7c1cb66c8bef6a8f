package org.qoraedge.devicesim.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.qoraedge.devicesim.mqtt.BufferedScenario.Comparison;
import org.qoraedge.devicesim.mqtt.BufferedScenario.Point;

/**
 * The synchronous against buffered comparison as text, CSV and plots: accuracy at the same virtual
 * times and at the same numbers of updates received, read off each curve as the model published
 * last at or before that point.
 */
public final class BufferedReport {
    private BufferedReport() {
    }

    /**
     * The last point of {@code curve} at or before {@code x} (by {@code axis}), the initial model's
     * when none is. Its version is the number of models published by then: a curve's points are
     * versions 0, 1, 2, ... in order.
     */
    static Point at(List<Point> curve, ToLongFunction<Point> axis, long x) {
        Point last = curve.get(0);
        for (Point p : curve) {
            if (axis.applyAsLong(p) > x) {
                break;
            }
            last = p;
        }
        return last;
    }

    /** Accuracy of both runs at {@code steps} evenly spaced virtual times up to the synchronous run's end. */
    public static String byTime(Comparison c, int steps) {
        long end = c.sync().get(c.sync().size() - 1).virtualMillis();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%12s | %9s %7s %9s | %9s %7s %9s%n", "virtual s",
                "sync acc", "rounds", "updates", "buff acc", "buffers", "updates"));
        for (int k = 1; k <= steps; k++) {
            long t = end * k / steps;
            Point s = at(c.sync(), Point::virtualMillis, t);
            Point u = at(c.buffered(), Point::virtualMillis, t);
            b.append(String.format(Locale.ROOT, "%12.1f | %8.2f%% %7d %9d | %8.2f%% %7d %9d%n", t / 1000.0,
                    100 * s.accuracy(), s.version(), s.received(), 100 * u.accuracy(), u.version(), u.received()));
        }
        return b.toString();
    }

    /** Accuracy of both runs at {@code steps} evenly spaced counts of updates received, up to the smaller run's total. */
    public static String byUpdates(Comparison c, int steps) {
        long end = Math.min(last(c.sync()).received(), last(c.buffered()).received());
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%10s | %9s | %9s%n", "updates", "sync acc", "buff acc"));
        for (int k = 1; k <= steps; k++) {
            long u = end * k / steps;
            b.append(String.format(Locale.ROOT, "%10d | %8.2f%% | %8.2f%%%n", u, 100 * at(c.sync(), Point::received, u).accuracy(),
                    100 * at(c.buffered(), Point::received, u).accuracy()));
        }
        return b.toString();
    }

    private static Point last(List<Point> curve) {
        return curve.get(curve.size() - 1);
    }

    /** One line per run: models, updates, final accuracy, the Byzantine share of what the rule selected. */
    public static String summary(Comparison c) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, List<Point>> e : curves(c).entrySet()) {
            List<Point> curve = e.getValue();
            long selected = 0;
            long byzantineSelected = 0;
            for (Point p : curve.subList(1, curve.size())) {
                selected += p.record().selected().size();
                byzantineSelected += p.record().byzantineSelected();
            }
            Point end = last(curve);
            b.append(String.format(Locale.ROOT, "%-8s %4d models in %8.1f virtual s, %6d updates received, %6d accepted,"
                    + " final accuracy %.2f%%, best %.2f%%, Byzantine share of the selected updates %.1f%%%n", e.getKey(),
                    curve.size() - 1, end.virtualMillis() / 1000.0, end.received(), end.accepted(), 100 * end.accuracy(),
                    100 * curve.stream().mapToDouble(Point::accuracy).max().orElse(Double.NaN),
                    selected == 0 ? 0.0 : 100.0 * byzantineSelected / selected));
        }
        return b.toString();
    }

    /** Both curves as CSV: mode, version, virtual_ms, received, accepted, accuracy, selected, byzantine_selected. */
    public static void writeCsv(Comparison c, Path csv) throws IOException {
        StringBuilder b = new StringBuilder("mode,version,virtual_ms,received,accepted,accuracy,selected,byzantine_selected\n");
        for (Map.Entry<String, List<Point>> e : curves(c).entrySet()) {
            for (Point p : e.getValue()) {
                b.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%.6f,%d,%d%n", e.getKey(), p.version(), p.virtualMillis(),
                        p.received(), p.accepted(), p.accuracy(), p.record() == null ? 0 : p.record().selected().size(),
                        p.record() == null ? 0 : p.record().byzantineSelected()));
            }
        }
        Files.writeString(csv, b.toString(), StandardCharsets.UTF_8);
    }

    private static Map<String, List<Point>> curves(Comparison c) {
        Map<String, List<Point>> m = new LinkedHashMap<>();
        m.put("sync", c.sync());
        m.put("buffered", c.buffered());
        return m;
    }

    /** Accuracy against virtual time and against updates received, one PNG each. */
    public static void plot(Comparison c, String title, Path byTime, Path byUpdates) throws IOException {
        Map<String, double[][]> t = new LinkedHashMap<>();
        Map<String, double[][]> u = new LinkedHashMap<>();
        for (Map.Entry<String, List<Point>> e : curves(c).entrySet()) {
            List<Point> curve = e.getValue();
            double[] time = new double[curve.size()];
            double[] updates = new double[curve.size()];
            double[] acc = new double[curve.size()];
            for (int i = 0; i < curve.size(); i++) {
                time[i] = curve.get(i).virtualMillis() / 1000.0;
                updates[i] = curve.get(i).received();
                acc[i] = curve.get(i).accuracy();
            }
            t.put(e.getKey(), new double[][] {time, acc});
            u.put(e.getKey(), new double[][] {updates, acc});
        }
        Charts.accuracyAgainst(title, "virtual time (s)", t, byTime);
        Charts.accuracyAgainst(title, "updates received by the gateway", u, byUpdates);
    }
}
