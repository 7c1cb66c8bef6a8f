package org.qoraedge.devicesim.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.devicesim.DeviceSimTestAccess;
import org.qoraedge.devicesim.data.Datasets;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.sim.NodeSpeeds;
import org.qoraedge.devicesim.sim.SimConfig;
import picocli.CommandLine;

/** Synchronous against buffered rounds on one fleet, each over the embedded broker through a real gateway. */
class BufferedScenarioTest {
    @TempDir
    Path dir;

    private static BufferedScenario.Comparison run(SimConfig cfg, TrainTest data, int b, int s, NodeSpeeds speeds) throws Exception {
        return BufferedScenario.run(cfg, data, new BufferedScenario.Settings(b, s, 1, -1, null, speeds, null, false), (mode, p) -> { });
    }

    @Test
    void buffersFollowTheVirtualClockTakeExactlyBUpdatesEachAndRepeatBitForBit() throws Exception {
        SimConfig cfg = SimConfig.builder().dataset("synthetic").nodes(8).rounds(3).aggregator("multikrum-common").seed(5).build();
        TrainTest data = Datasets.load("synthetic", null, 5);
        NodeSpeeds speeds = new NodeSpeeds(5, 8, 0.25, 10, 1000);
        BufferedScenario.Comparison c = run(cfg, data, 4, 2, speeds);

        List<BufferedScenario.Point> sync = c.sync();
        assertEquals(4, sync.size(), "the initial model and three rounds");
        long t = 0;
        for (int r = 1; r <= 3; r++) {
            long longest = 0;
            for (int i = 0; i < 8; i++) {
                longest = Math.max(longest, speeds.delayMillis(i, r - 1));
            }
            t += longest;
            assertEquals(t, sync.get(r).virtualMillis(), "round " + r + " ends when its slowest node has sent");
            assertEquals(8L * r, sync.get(r).received());
        }
        List<BufferedScenario.Point> buf = c.buffered();
        assertTrue(buf.size() - 1 > 3 * 2, "two slow nodes hold up every round; buffers go on without them: " + (buf.size() - 1));
        for (int v = 1; v < buf.size(); v++) {
            BufferedScenario.Point p = buf.get(v);
            assertEquals(v, p.version());
            assertEquals(4L * v, p.accepted(), "every buffer took exactly B = 4 updates");
            assertEquals(p.accepted(), p.received(), "no update the gateway refused: the nodes dropped the stale ones");
            assertTrue(p.virtualMillis() >= buf.get(v - 1).virtualMillis());
            assertTrue(p.virtualMillis() <= t, "within the synchronous run's time");
            assertTrue(p.record().rejected().isEmpty(), p.record().rejected().toString());
        }
        assertEquals(sync.get(0), buf.get(0), "both start from the same model");

        BufferedScenario.Comparison again = run(cfg, data, 4, 2, speeds);
        assertEquals(withoutTiming(c.sync()), withoutTiming(again.sync()), "the synchronous run repeats");
        assertEquals(buf.size(), again.buffered().size());
        for (int v = 0; v < buf.size(); v++) {
            BufferedScenario.Point a = buf.get(v);
            BufferedScenario.Point b = again.buffered().get(v);
            assertEquals(a.virtualMillis(), b.virtualMillis());
            assertEquals(a.accuracy(), b.accuracy(), "buffer " + v + " repeats bit for bit");
            assertEquals(a.record() == null ? null : a.record().withoutTiming(), b.record() == null ? null : b.record().withoutTiming());
        }
        assertEquals(c.discarded(), again.discarded());
    }

    private static List<BufferedScenario.Point> withoutTiming(List<BufferedScenario.Point> curve) {
        return curve.stream().map(p -> new BufferedScenario.Point(p.version(), p.virtualMillis(), p.received(), p.accepted(),
                p.accuracy(), p.record() == null ? null : p.record().withoutTiming())).toList();
    }

    @Test
    void withNoStalenessAllowedTheSlowNodesUpdatesAreDiscardedNotSent() throws Exception {
        SimConfig cfg = SimConfig.builder().dataset("synthetic").nodes(6).rounds(2).aggregator("mean").seed(2).build();
        BufferedScenario.Comparison c = run(cfg, Datasets.load("synthetic", null, 2), 3, 0, new NodeSpeeds(2, 6, 0.34, 10, 1000));
        assertTrue(c.discarded() > 0, "a slow node's update is always a version behind");
        BufferedScenario.Point last = c.buffered().get(c.buffered().size() - 1);
        assertEquals(last.accepted(), last.received());
    }

    @Test
    void theCommandPrintsBothCurvesAndWritesTheCsvAndThePlots() throws Exception {
        Path out = dir.resolve("out");
        StringWriter text = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DeviceSimTestAccess.commandLine();
        cl.setOut(new PrintWriter(text, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("buffered", "--dataset", "synthetic", "--nodes", "10", "--byzantine", "2", "--attack", "sign-flip",
                "--rounds", "2", "--buffer-size", "7", "--server-step-shift", "1", "--seed", "3", "--out", out.toString());
        assertEquals(0, code, err + "\n" + text);
        String s = text.toString();
        assertTrue(s.contains("buffered gateway's f: 2;"), "the two Byzantine nodes may both be in a buffer: " + s);
        assertTrue(s.contains("accuracy at the same virtual time:") && s.contains("accuracy after the same number of updates received:"), s);
        assertTrue(s.lines().anyMatch(l -> l.startsWith("sync ") && l.contains("2 models")), s);
        List<String> csv = Files.readAllLines(out.resolve("buffered.csv"));
        assertEquals("mode,version,virtual_ms,received,accepted,accuracy,selected,byzantine_selected", csv.get(0));
        assertEquals(3, csv.stream().filter(l -> l.startsWith("sync,")).count());
        assertTrue(csv.stream().filter(l -> l.startsWith("buffered,")).count() > 3);
        assertTrue(Files.size(out.resolve("buffered-time.png")) > 1000);
        assertTrue(Files.size(out.resolve("buffered-updates.png")) > 1000);
    }
}
