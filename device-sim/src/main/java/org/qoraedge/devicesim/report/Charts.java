package org.qoraedge.devicesim.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.IChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.qoraedge.devicesim.sim.RoundRecord;
import org.qoraedge.devicesim.sim.SimResult;

/**
 * PNG plots with XChart: accuracy curves and the attack x aggregator heatmap. Rendering needs no
 * display; run with {@code -Djava.awt.headless=true} where there is none (the CLI sets it).
 */
public final class Charts {
    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
        new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
        new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207), Color.BLACK};

    private Charts() {
    }

    /**
     * Test accuracy (%) against round, one line per entry of {@code curves}; each curve starts at
     * round 0 (the initial model) and has one value per round after it, as fractions in [0, 1].
     */
    public static void accuracyCurves(String title, Map<String, double[]> curves, Path png) throws IOException {
        int longest = 0;
        for (String name : curves.keySet()) {
            longest = Math.max(longest, name.length());
        }
        // The legend sits right of the plot; widen the image by the legend so the plot (and the
        // title, centred over it) keeps about 800 pixels.
        XYChart chart = new XYChartBuilder().width(900 + 8 * longest).height(600).title(title).xAxisTitle("round")
                .yAxisTitle("test accuracy (%)").build();
        XYStyler st = styled(chart, Styler.LegendPosition.OutsideE);
        st.setYAxisMin(0.0);
        st.setYAxisMax(100.0);
        int k = 0;
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            double[] y = e.getValue();
            double[] x = new double[y.length];
            double[] pct = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                x[i] = i;
                pct[i] = 100 * y[i];
            }
            XYSeries s = chart.addSeries(e.getKey(), x, pct);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(PALETTE[k % PALETTE.length]);
            s.setLineWidth(2f);
            k++;
        }
        save(chart, png);
    }

    /**
     * One run's plot: its accuracy per round beside a baseline (the same fleet without attack, or
     * null), on a y axis zoomed to where the curves move (round 0, the initial model, is in the
     * legend when it lies below); the frames the gateway rejected per round on the right axis; and a
     * vertical line at each round after which the gateway banned nodes.
     *
     * @param label the run's curve label (its attack)
     * @param baseline accuracy per round of the baseline, from round 0 (as {@link MatrixReport#withStart}), or null
     */
    public static void runPlot(String title, String label, SimResult run, double[] baseline, String baselineLabel, Path png)
            throws IOException {
        double[] acc = MatrixReport.withStart(run);
        int rounds = acc.length - 1;
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (double[] c : baseline == null ? new double[][] {acc} : new double[][] {acc, baseline}) {
            for (int i = 1; i < c.length; i++) {
                lo = Math.min(lo, 100 * c[i]);
                hi = Math.max(hi, 100 * c[i]);
            }
        }
        double yMin = Math.max(0, Math.floor((lo - 2) / 5) * 5);
        double yMax = Math.min(100, Math.ceil((hi + 2) / 5) * 5);
        XYChart chart = new XYChartBuilder().width(1000).height(600).title(title).xAxisTitle("round")
                .yAxisTitle("test accuracy (%)").build();
        XYStyler st = styled(chart, Styler.LegendPosition.OutsideS);
        st.setYAxisMin(0, yMin);
        st.setYAxisMax(0, yMax);
        st.setXAxisMin(0.0);
        st.setXAxisMax((double) rounds);
        addCurve(chart, label, acc, yMin, PALETTE[0]);
        if (baseline != null) {
            addCurve(chart, baselineLabel, baseline, yMin, PALETTE[7]);
        }
        double[] x = new double[rounds];
        double[] rejected = new double[rounds];
        double maxRejected = 0;
        for (int i = 0; i < rounds; i++) {
            RoundRecord r = run.rounds().get(i);
            x[i] = r.round();
            rejected[i] = r.rejected().values().stream().mapToInt(Integer::intValue).sum();
            maxRejected = Math.max(maxRejected, rejected[i]);
        }
        if (maxRejected > 0) {
            XYSeries s = chart.addSeries("frames rejected by the gateway (right axis)", x, rejected);
            s.setYAxisGroup(1);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(PALETTE[3]);
            s.setLineColor(PALETTE[3]);
            s.setLineWidth(1f);
            st.setYAxisMin(1, 0.0);
            st.setYAxisMax(1, Math.ceil(maxRejected * 1.1));
            st.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
            chart.setYAxisGroupTitle(1, "frames rejected");
        }
        int bannedBefore = 0;
        for (RoundRecord r : run.rounds()) {
            int banned = r.rejected().getOrDefault("banned", 0);
            if (banned > bannedBefore) {
                // Frames refused as banned in round r: the nodes were banned when round r - 1 closed.
                double at = r.round() - 1 + 0.5;
                chart.addAnnotation(new AnnotationLine(at, true, false));
                chart.addAnnotation(new AnnotationText("bans after round " + (r.round() - 1), at, yMin + 0.06 * (yMax - yMin),
                        false));
            }
            bannedBefore = Math.max(bannedBefore, banned);
        }
        save(chart, png);
    }

    /**
     * Test accuracy (%) against any x, one line per entry of {@code curves}: each value is
     * {@code {x[], accuracy[]}} with accuracies as fractions in [0, 1].
     */
    public static void accuracyAgainst(String title, String xTitle, Map<String, double[][]> curves, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(600).title(title).xAxisTitle(xTitle)
                .yAxisTitle("test accuracy (%)").build();
        XYStyler st = styled(chart, Styler.LegendPosition.InsideSE);
        double lowest = 100;
        for (double[][] c : curves.values()) {
            for (double y : c[1]) {
                lowest = Math.min(lowest, 100 * y);
            }
        }
        st.setYAxisMin(Math.max(0, Math.floor(lowest / 10) * 10));
        st.setYAxisMax(100.0);
        int k = 0;
        for (Map.Entry<String, double[][]> e : curves.entrySet()) {
            double[] pct = new double[e.getValue()[1].length];
            for (int i = 0; i < pct.length; i++) {
                pct[i] = 100 * e.getValue()[1][i];
            }
            XYSeries s = chart.addSeries(e.getKey(), e.getValue()[0], pct);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(PALETTE[k % PALETTE.length]);
            s.setLineWidth(2f);
            k++;
        }
        save(chart, png);
    }

    /** White background, light grid, the title and legend fonts of every curve plot; the legend at {@code legend}. */
    private static XYStyler styled(XYChart chart, Styler.LegendPosition legend) {
        XYStyler st = chart.getStyler();
        st.setLegendPosition(legend);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(225, 225, 225));
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return st;
    }

    private static void addCurve(XYChart chart, String label, double[] values, double yMin, Color color) {
        int from = 100 * values[0] < yMin ? 1 : 0;
        double[] x = new double[values.length - from];
        double[] y = new double[values.length - from];
        for (int i = from; i < values.length; i++) {
            x[i - from] = i;
            y[i - from] = 100 * values[i];
        }
        String name = from == 1 ? String.format(Locale.ROOT, "%s (round 0: %.2f%%)", label, 100 * values[0]) : label;
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineWidth(2f);
    }

    /**
     * A heatmap of {@code values[row][col]} (fractions in [0, 1], shown as %; NaN cells stay blank)
     * with rows labelled by {@code rowLabels} (attacks) and columns by {@code colLabels}
     * (aggregators). Colours run from red ({@code minPercent}) through yellow to green
     * ({@code maxPercent}).
     */
    public static void heatmap(String title, List<String> rowLabels, List<String> colLabels, double[][] values,
            double minPercent, double maxPercent, Path png) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder().width(Math.max(700, 180 * colLabels.size() + 300))
                .height(Math.max(400, 64 * rowLabels.size() + 200)).title(title).xAxisTitle("aggregator")
                .yAxisTitle("attack").build();
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        // One label per row and column: the default spacing hint drops every other category.
        chart.getStyler().setYAxisTickMarkSpacingHint(20);
        chart.getStyler().setXAxisTickMarkSpacingHint(20);
        chart.getStyler().setShowValue(true);
        chart.getStyler().setHeatMapValueDecimalPattern("0.0");
        chart.getStyler().setMin(minPercent);
        chart.getStyler().setMax(maxPercent);
        chart.getStyler().setRangeColors(new Color[] {new Color(215, 48, 39), new Color(254, 224, 139),
            new Color(26, 152, 80)});
        chart.getStyler().setValueFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        chart.getStyler().setValueFontColor(Color.BLACK);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        // Row 0 at the top: XChart draws y index 0 at the bottom, so rows are added in reverse.
        List<String> ys = new ArrayList<>(rowLabels);
        Collections.reverse(ys);
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < rowLabels.size(); r++) {
            for (int c = 0; c < colLabels.size(); c++) {
                double v = values[r][c];
                if (!Double.isNaN(v)) {
                    cells.add(new Number[] {c, rowLabels.size() - 1 - r, Math.rint(1000 * v) / 10});
                }
            }
        }
        chart.addSeries("final accuracy (%)", colLabels, ys, cells);
        save(chart, png);
    }

    private static void save(IChart chart, Path png) throws IOException {
        String name = png.getFileName().toString();
        if (!name.toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new IOException(png + ": plot files must end in .png");
        }
        // BitmapEncoder.saveBitmap is deprecated in XChart 4; render with it and encode with ImageIO.
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        ReportFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException(png + ": no PNG writer in this JRE");
            }
        });
    }
}
