package org.qoraedge.devicesim.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.devicesim.data.SyntheticSensorData;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.sim.AggregatorSpec;
import org.qoraedge.devicesim.sim.InProcessSimulator;
import org.qoraedge.devicesim.sim.MatrixCell;
import org.qoraedge.devicesim.sim.MatrixRunner;
import org.qoraedge.devicesim.sim.RoundListener;
import org.qoraedge.devicesim.sim.SimConfig;
import org.qoraedge.devicesim.sim.SimResult;

class ReportsTest {
    static final TrainTest DATA = SyntheticSensorData.generate(2, 200, 100);
    static SimResult result;

    @TempDir
    Path dir;

    @BeforeAll
    static void run() {
        result = InProcessSimulator.run(SimConfig.builder().nodes(8).byzantine(2).attack("ipm").aggregator("multikrum-common")
                .rounds(3).build(), DATA, RoundListener.NONE);
    }

    static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    static void assertPng(Path p) throws Exception {
        byte[] b = Files.readAllBytes(p);
        assertTrue(b.length > 1000, p + " is only " + b.length + " bytes");
        byte[] head = Arrays.copyOf(b, 8);
        assertArrayEquals(PNG_MAGIC, head, p + " is not a PNG");
    }

    @Test
    void jsonReportHasEveryRequiredField() throws Exception {
        Path file = dir.resolve("sub/report.json");
        JsonReport.write(result, file);
        if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                    "a report is readable by others, as a plain file would be");
        }
        JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        for (String key : new String[] {"config", "byzantine", "rounds", "finalAccuracy", "initialAccuracy"}) {
            assertTrue(o.has(key), key);
        }
        JsonObject cfg = o.getAsJsonObject("config");
        assertEquals("ipm:epsilon=0.1", cfg.get("attack").getAsString());
        assertEquals("multikrum-common", cfg.get("aggregator").getAsString());
        assertEquals(2, cfg.get("multiKrumM").getAsInt());
        assertEquals(result.byzantineIds().size(), o.getAsJsonArray("byzantine").size());
        assertEquals(3, o.getAsJsonArray("rounds").size());
        JsonObject r1 = o.getAsJsonArray("rounds").get(0).getAsJsonObject();
        for (String key : new String[] {"round", "accuracy", "selected", "byzantineSelected", "rejected", "closeMillis"}) {
            assertTrue(r1.has(key), key);
        }
        assertEquals(1, r1.get("round").getAsInt());
        assertEquals(0, r1.getAsJsonObject("rejected").size());
        assertEquals(result.finalAccuracy(), o.get("finalAccuracy").getAsDouble());
        assertTrue(Files.list(file.getParent()).allMatch(p -> p.equals(file)), "no temporary file left behind");
    }

    @Test
    void tableHasAHeaderARowPerRoundAndASummary() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RoundTable.print(result, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1 + 3 + 1, lines.size());
        assertTrue(lines.get(0).contains("accuracy"));
        assertTrue(lines.get(1).trim().startsWith("1 "));
        assertTrue(lines.get(4).startsWith("final accuracy"));
    }

    @Test
    void chartsArePngFiles() throws Exception {
        Map<String, double[]> curves = new LinkedHashMap<>();
        curves.put("ipm", MatrixReport.withStart(result));
        curves.put("flat", new double[] {0.1, 0.5, 0.7, 0.8});
        Path curvePng = dir.resolve("curves.png");
        Charts.accuracyCurves("test", curves, curvePng);
        assertPng(curvePng);
        Path heat = dir.resolve("heat.png");
        Charts.heatmap("grid", List.of("none", "ipm"), List.of("mean", "krum-common"),
                new double[][] {{0.9, 0.85}, {0.5, Double.NaN}}, 0, 100, heat);
        assertPng(heat);
        Path run = dir.resolve("run.png");
        Charts.runPlot("run", "ipm", result, new double[] {0.1, 0.5, 0.7, 0.8}, "no attack", run);
        assertPng(run);
        assertThrows(IOException.class, () -> Charts.runPlot("run", "ipm", result, null, "", dir.resolve("run.jpg")));
    }

    @Test
    void matrixWritesTablesAndPlots() throws Exception {
        SimConfig base = SimConfig.builder().nodes(8).rounds(2).build();
        List<MatrixCell> cells = MatrixRunner.run(base, DATA, List.of("none", "sign-flip"),
                List.of(AggregatorSpec.MEAN, AggregatorSpec.parse("krum-pairwise")), List.of(2), MatrixRunner.Progress.NONE);
        assertEquals(4, cells.size());
        List<Path> written = MatrixReport.write(cells, "tiny", dir);
        assertTrue(written.contains(dir.resolve("matrix.md")));
        String md = Files.readString(dir.resolve("matrix.md"));
        assertTrue(md.contains("| sign-flip |"), md);
        assertTrue(md.contains("krum-pairwise"), md);
        List<String> csv = Files.readAllLines(dir.resolve("matrix.csv"));
        assertEquals(5, csv.size());
        assertPng(dir.resolve("heatmap-f2.png"));
        assertPng(dir.resolve("curves-mean-f2.png"));
        assertPng(dir.resolve("curves-krum-pairwise-f2.png"));
    }
}
