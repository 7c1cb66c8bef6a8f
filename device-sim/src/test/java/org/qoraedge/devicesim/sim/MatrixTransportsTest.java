package org.qoraedge.devicesim.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.devicesim.DeviceSimTestAccess;
import picocli.CommandLine;

/**
 * The matrix's two transports on a tiny grid give the same results: the in-process simulator is
 * the gateway's arithmetic (BFP-16 global model, exact integer updates), bit for bit. With
 * {@code alie-adaptive} the attackers' model of the rule ({@code AggregatorSpec.serverRule}) is
 * also checked against the gateway's aggregation: the same search, the same selections.
 */
class MatrixTransportsTest {
    @TempDir
    Path dir;

    @Test
    void inProcessAndMqttGridsAgreeOnEveryRoundOfEveryCell() throws Exception {
        JsonObject in = matrix("in-process", dir.resolve("in"));
        JsonObject mqtt = matrix("mqtt", dir.resolve("mqtt"));
        assertEquals("in-process", in.get("transport").getAsString());
        assertEquals("mqtt", mqtt.get("transport").getAsString());
        JsonArray a = in.getAsJsonArray("runs");
        JsonArray b = mqtt.getAsJsonArray("runs");
        assertEquals(9, a.size());
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(strip(a.get(i).getAsJsonObject()), strip(b.get(i).getAsJsonObject()), "cell " + i);
        }
        String csv = Files.readString(dir.resolve("mqtt").resolve("matrix.csv"));
        assertEquals(10, csv.lines().count(), csv);
        assertTrue(csv.contains("norm-screen(1, 0) > nnm(1) > multi-krum(1, auto, common)"), csv);
        assertTrue(Files.size(dir.resolve("mqtt").resolve("heatmap-f1.png")) > 1000);
    }

    private static JsonObject matrix(String transport, Path out) throws Exception {
        StringWriter o = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DeviceSimTestAccess.commandLine();
        cl.setOut(new PrintWriter(o, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("matrix", "--transport", transport, "--dataset", "synthetic", "--nodes", "7", "--rounds", "3",
                "--byzantine-fractions", "0.15", "--attacks", "none;alie;alie-adaptive", "--aggregators",
                "mean,krum-pairwise,norm-screen(1, 0) > nnm(1) > multi-krum(1)",
                "--seed", "4", "--threads", "1", "--out", out.toString());
        assertEquals(0, code, err + "\n" + o);
        assertEquals("", err.toString());
        assertTrue(o.toString().contains("[9/9] f=1"), o.toString());
        return JsonParser.parseString(Files.readString(out.resolve("matrix.json"))).getAsJsonObject();
    }

    /** Without timings and the transport name. */
    private static JsonObject strip(JsonObject run) {
        JsonObject c = run.deepCopy();
        c.remove("wallMillis");
        c.remove("transport");
        for (var r : c.getAsJsonArray("rounds")) {
            r.getAsJsonObject().remove("closeMillis");
            r.getAsJsonObject().remove("updateBytes"); // counted in process only (the MQTT run's frames are on the wire)
        }
        return c;
    }
}
