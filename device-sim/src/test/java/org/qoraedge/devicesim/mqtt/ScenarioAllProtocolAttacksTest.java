package org.qoraedge.devicesim.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.devicesim.DeviceSimTestAccess;
import org.qoraedge.devicesim.data.Datasets;
import org.qoraedge.devicesim.sim.InProcessSimulator;
import org.qoraedge.devicesim.sim.RoundListener;
import org.qoraedge.devicesim.sim.SimConfig;
import org.qoraedge.devicesim.sim.SimResult;
import org.qoraedge.gateway.testing.MosquittoBroker;
import picocli.CommandLine;

/**
 * {@code scenario} with every protocol-level attack at once (their reasons are distinct), on the
 * embedded broker and on a real Mosquitto, the gateway's reputation off: the per-round table and
 * the JSON report carry the gateway's counts by reason, and the model-level results equal the
 * in-process run's.
 */
class ScenarioAllProtocolAttacksTest {
    private static final String ATTACKS = "all;sybil:identities=2;flooding:frames=4";
    private static final int ROUNDS = 3;
    private static final int ATTACKERS = 2;

    @TempDir
    Path dir;

    @Test
    void everyProtocolAttackIsCountedUnderItsReasonOnTheEmbeddedBroker() throws Exception {
        check(null);
    }

    @Test
    void everyProtocolAttackIsCountedUnderItsReasonOnMosquitto() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(dir.resolve("mosquitto"))) {
            check(broker.uri());
        }
    }

    private void check(String broker) throws Exception {
        Path report = dir.resolve("scenario.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DeviceSimTestAccess.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("scenario", "--nodes", "7", "--byzantine", "2", "--attack", "sign-flip",
                "--protocol-attack", ATTACKS.replace("all;", "stale-replay;wrong-signature;malformed-truncated;"
                        + "malformed-oversized;malformed-wrong-dimension;malformed-bad-version;"),
                "--aggregator", "multikrum-common", "--dataset", "synthetic", "--rounds", Integer.toString(ROUNDS),
                "--seed", "2", "--threads", "1", "--reputation", "off", "--report", report.toString()));
        if (broker != null) {
            args.add("--broker");
            args.add(broker);
        }
        int code = cl.execute(args.toArray(new String[0]));
        assertEquals(0, code, err + "\n" + out);
        assertEquals("", err.toString());
        String text = out.toString();
        assertTrue(text.contains("protocol attackers: "), text);
        // The table's rejected column names the reasons.
        assertTrue(text.lines().anyMatch(l -> l.matches("\\s+3\\s+.*bad-signature=2.*")), text);

        JsonObject o = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals("mqtt", o.get("transport").getAsString());
        assertEquals(broker == null ? "embedded" : broker, o.get("broker").getAsString());
        assertEquals(ATTACKERS, o.getAsJsonArray("protocolAttackers").size());
        JsonArray rounds = o.getAsJsonArray("rounds");
        assertEquals(ROUNDS, rounds.size());
        for (JsonElement e : rounds) {
            JsonObject r = e.getAsJsonObject();
            int round = r.get("round").getAsInt();
            Map<String, Integer> want = new TreeMap<>();
            want.put("bad-signature", ATTACKERS);
            want.put("malformed", ATTACKERS);
            want.put("oversize", ATTACKERS);
            want.put("wrong-dimension", ATTACKERS);
            want.put("bad-version", ATTACKERS);
            want.put("duplicate-update", 4 * ATTACKERS);
            if (round > 1) {
                want.put("wrong-round", ATTACKERS);
            }
            Map<String, Integer> got = new TreeMap<>();
            r.getAsJsonObject("rejected").entrySet().forEach(x -> got.put(x.getKey(), x.getValue().getAsInt()));
            assertEquals(want, got, "round " + round);
            assertEquals(0, r.get("byzantineSelected").getAsInt(), "round " + round);
            assertEquals(7, r.get("accepted").getAsInt(), "only the genuine updates, round " + round);
            assertTrue(r.get("aggregated").getAsBoolean(), "round " + round);
        }
        int perRound = ATTACKERS * (1 + 1 + 1 + 1 + 1 + 4); // the Sybil frames are never delivered
        assertEquals(ROUNDS * perRound + (ROUNDS - 1) * ATTACKERS, o.get("rejectedTotal").getAsLong());
        for (JsonElement e : o.getAsJsonArray("protocolAttacks")) {
            JsonObject a = e.getAsJsonObject();
            if (a.get("expectedReason").getAsString().equals("not-delivered")) {
                assertEquals(0, a.get("rejected").getAsLong(), a.toString());
                assertTrue(a.get("framesSent").getAsLong() > 0, a.toString());
            } else {
                assertEquals(a.get("framesSent").getAsLong(), a.get("rejected").getAsLong(), a.toString());
            }
        }

        // The model-level outcome is the in-process one, to the last bit of every accuracy.
        SimConfig cfg = SimConfig.builder().dataset("synthetic").model("logreg").nodes(7).byzantine(2).attack("sign-flip")
                .aggregator("multikrum-common").rounds(ROUNDS).seed(2).threads(1).build();
        SimResult in = InProcessSimulator.run(cfg, Datasets.load("synthetic", null, 2), RoundListener.NONE);
        for (int i = 0; i < ROUNDS; i++) {
            assertEquals(in.rounds().get(i).accuracy(), rounds.get(i).getAsJsonObject().get("accuracy").getAsDouble());
        }
        assertTrue(o.get("finalAccuracy").getAsDouble() > 0.5);
    }
}
