package org.qoraedge.devicesim.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
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

/** The scenario command over the gateway's embedded broker: real MQTT connections, one per node. */
class MqttScenarioTest {
    @TempDir
    Path dir;

    @Test
    void aShortMultiKrumScenarioCompletesItsRoundsAndTheGatewayRejectsForgedFrames() throws Exception {
        Path report = dir.resolve("scenario.json");
        Path plot = dir.resolve("scenario.png");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DeviceSimTestAccess.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("scenario", "--nodes", "7", "--byzantine", "1", "--attack", "sign-flip",
                "--protocol-attack", "wrong-signature", "--reputation", "off", "--aggregator", "multikrum-common", "--dataset", "synthetic",
                "--rounds", "3", "--seed", "1", "--report", report.toString(), "--plot", plot.toString());
        assertEquals(0, code, err + "\n" + out);
        String text = out.toString();
        assertTrue(text.contains("round  accuracy"), text);
        assertEquals(3, text.lines().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\.\\d+%.*")).count(), text);
        assertEquals("", err.toString());
        assertTrue(Files.size(plot) > 1000);

        JsonObject o = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals("mqtt", o.get("transport").getAsString());
        JsonObject config = o.getAsJsonObject("config");
        assertEquals(7, config.get("nodes").getAsInt());
        assertEquals("multikrum-common", config.get("aggregator").getAsString());
        JsonArray byz = o.getAsJsonArray("byzantine");
        assertEquals(1, byz.size());
        String attacker = byz.get(0).getAsString();
        JsonArray rounds = o.getAsJsonArray("rounds");
        assertEquals(3, rounds.size());
        for (int i = 0; i < 3; i++) {
            JsonObject r = rounds.get(i).getAsJsonObject();
            assertEquals(i + 1, r.get("round").getAsInt());
            JsonArray selected = r.getAsJsonArray("selected");
            // Multi-Krum's m = n - 2f - 2 = 3 of the 7 accepted updates.
            assertEquals(3, selected.size());
            for (JsonElement id : selected) {
                assertFalse(id.getAsString().equals(attacker), "the sign-flipped update was selected in round " + (i + 1));
            }
            assertEquals(0, r.get("byzantineSelected").getAsInt());
            assertEquals(1, r.getAsJsonObject("rejected").get("bad-signature").getAsInt(), r.toString());
            assertTrue(r.get("closeMillis").getAsDouble() >= 0);
            assertTrue(r.get("accuracy").getAsDouble() > 0.0);
        }
        assertEquals(3, o.get("rejectedTotal").getAsLong());
        // Synthetic data has 5 classes: chance is 20%.
        double fin = o.get("finalAccuracy").getAsDouble();
        assertTrue(fin > 0.5, "final accuracy " + fin);
        assertEquals(rounds.get(2).getAsJsonObject().get("accuracy").getAsDouble(), fin);
    }

    /**
     * {@code --cohort 6} of 12 nodes, 3 Byzantine: f = floor(3/12 * 6) = 1 for Multi-Krum; only the
     * drawn honest nodes publish (so at most the 3 Byzantine nodes are ever refused as not-in-cohort),
     * every round aggregates the six drawn updates, and the seats are counted.
     */
    @Test
    void aCohortScenarioAsksKNodesARoundAndCountsTheByzantineSeats() throws Exception {
        Path report = dir.resolve("cohort.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DeviceSimTestAccess.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("scenario", "--nodes", "12", "--byzantine", "3", "--attack", "sign-flip", "--cohort", "6",
                "--reputation", "off", "--aggregator", "multikrum-common", "--dataset", "synthetic", "--rounds", "3", "--seed", "1",
                "--report", report.toString());
        assertEquals(0, code, err + "\n" + out);
        String text = out.toString();
        assertTrue(text.contains("cohort 6 of 12"), text);
        assertTrue(text.matches("(?s).*cohort seats: 18 over 3 rounds, Byzantine \\d+ .*"), text);
        JsonObject o = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals(18, o.get("cohortSeats").getAsLong());
        long byzantineSeats = o.get("byzantineCohortSeats").getAsLong();
        assertEquals(9 - byzantineSeats, o.getAsJsonObject("rejectedByReason").has("not-in-cohort")
                ? o.getAsJsonObject("rejectedByReason").get("not-in-cohort").getAsLong() : 0,
                "every Byzantine update outside the cohort (3 nodes x 3 rounds, less their seats) is refused");
        JsonArray rounds = o.getAsJsonArray("rounds");
        assertEquals(3, rounds.size());
        for (JsonElement e : rounds) {
            JsonObject r = e.getAsJsonObject();
            // Multi-Krum's m = n - 2f - 2 = 2 of the cohort's 6 updates.
            assertEquals(2, r.getAsJsonArray("selected").size(), r.toString());
            JsonObject rejected = r.getAsJsonObject("rejected");
            for (String reason : rejected.keySet()) {
                assertEquals("not-in-cohort", reason, r.toString());
            }
            int refused = rejected.has("not-in-cohort") ? rejected.get("not-in-cohort").getAsInt() : 0;
            assertTrue(refused <= 3, "only Byzantine nodes publish outside the cohort: " + r);
        }
    }

    @Test
    void roundsTheGatewayClosesWithoutAModelAreMarkedFailedInTheTableAndTheReport() throws Exception {
        // Reputation on: the one attacker's signed wrong-dimension frames get it banned after three
        // rounds; with f kept at 1 (--bans-lower-f off) the 4 nodes left are below Krum's quorum
        // 2f + 3 = 5, so round 4 fails closed. (With the default, f drops to 0 and round 4 aggregates.)
        Path report = dir.resolve("failed.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DeviceSimTestAccess.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("scenario", "--nodes", "5", "--byzantine", "1", "--attack", "none", "--protocol-attack",
                "malformed-wrong-dimension", "--aggregator", "krum-common", "--dataset", "synthetic", "--rounds", "4",
                "--seed", "1", "--threads", "1", "--reputation", "on", "--bans-lower-f", "off", "--report", report.toString());
        assertEquals(0, code, err + "\n" + out);
        assertEquals("", err.toString());
        assertTrue(out.toString().lines().anyMatch(l -> l.matches("\\s+4\\s+.*banned=2.*FAILED CLOSED: .*quorum.*")), out.toString());
        JsonObject o = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertTrue(o.get("reputation").getAsBoolean());
        assertEquals(1, o.get("failedRounds").getAsInt());
        JsonArray rounds = o.getAsJsonArray("rounds");
        for (int i = 0; i < 3; i++) {
            assertTrue(rounds.get(i).getAsJsonObject().get("aggregated").getAsBoolean());
            assertEquals("", rounds.get(i).getAsJsonObject().get("failure").getAsString());
        }
        JsonObject last = rounds.get(3).getAsJsonObject();
        assertFalse(last.get("aggregated").getAsBoolean());
        assertTrue(last.get("failure").getAsString().contains("quorum"), last.toString());
        // No new model: the accuracy stays where round 3 left it.
        assertEquals(rounds.get(2).getAsJsonObject().get("accuracy").getAsDouble(), last.get("accuracy").getAsDouble());
    }

    @Test
    void withBansLoweringFTheRoundAfterTheBanAggregatesTheRemainingNodes() throws Exception {
        Path report = dir.resolve("lowered.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DeviceSimTestAccess.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("scenario", "--nodes", "5", "--byzantine", "1", "--attack", "none", "--protocol-attack",
                "malformed-wrong-dimension", "--aggregator", "krum-common", "--dataset", "synthetic", "--rounds", "4",
                "--seed", "1", "--threads", "1", "--reputation", "on", "--report", report.toString());
        assertEquals(0, code, err + "\n" + out);
        JsonObject o = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals(0, o.get("failedRounds").getAsInt(), out.toString());
        JsonObject last = o.getAsJsonArray("rounds").get(3).getAsJsonObject();
        assertTrue(last.get("aggregated").getAsBoolean(), last.toString());
        assertTrue(out.toString().lines().anyMatch(l -> l.matches("\\s+4\\s+.*banned=2.*")), out.toString());
    }
}
