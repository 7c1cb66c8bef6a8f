package org.qoraedge.devicesim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DeviceSimTest {
    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        CommandLine cl = DeviceSim.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void simulatePrintsTheTableAndWritesReportAndPlot() throws Exception {
        Path report = dir.resolve("out.json");
        Path plot = dir.resolve("out.png");
        int code = run("simulate", "--nodes", "10", "--byzantine", "2", "--attack", "sign-flip", "--aggregator",
                "multikrum-common", "--rounds", "3", "--threads", "1", "--report", report.toString(), "--plot",
                plot.toString());
        assertEquals(0, code, err.toString());
        String text = out.toString();
        assertTrue(text.contains("round  accuracy"), text);
        assertTrue(text.contains("final accuracy"), text);
        assertEquals(3, text.lines().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\.\\d+%.*")).count(), text);
        assertTrue(Files.size(report) > 100);
        assertTrue(Files.size(plot) > 1000);
        assertEquals("", err.toString());
    }

    @Test
    void aRefusedSettingIsOneLineOnStderrAndExitCodeOne() {
        int code = run("simulate", "--attack", "backdoor", "--rounds", "1");
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("device-sim simulate: unknown attack 'backdoor'"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertEquals(1, run("simulate", "--dataset", "fashion-mnist", "--data-dir", dir.toString(), "--rounds", "1"));
        assertTrue(err.toString().contains("train-images-idx3-ubyte.gz: file does not exist"), err.toString());
    }

    @Test
    void attacksListsTheCatalogue() {
        assertEquals(0, run("attacks"));
        assertTrue(out.toString().contains("exponent-inflation"));
        assertTrue(out.toString().contains("flooding"));
    }
}
