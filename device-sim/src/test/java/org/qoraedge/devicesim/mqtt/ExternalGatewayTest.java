package org.qoraedge.devicesim.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.devicesim.DeviceSimTestAccess;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.NodeCredentials;
import picocli.CommandLine;

/**
 * Nodes that join a gateway they did not start, as a user does with the daemon: the gateway runs
 * from its own properties file (its embedded broker, its own key in its state directory), the nodes
 * have only their key files (with the gateway's key pinned), the broker URI and the fleet.
 */
class ExternalGatewayTest {
    private static final String FLEET = "ext";
    private static final int NODES = 5;

    @TempDir
    Path dir;

    /** Writes the gateway's config and registry, and one key file per node pinning the gateway's key. */
    private GatewayConfig provision(Path keysDir) throws Exception {
        return provision(keysDir, "f = 1\n");
    }

    /** A gateway config with {@code rule} (its f, or a cohort) beside the fleet's keys. */
    private GatewayConfig provision(Path keysDir, String rule) throws Exception {
        Path props = dir.resolve("gateway.properties");
        // 75 = logistic regression on the synthetic sensor data: 14 features x 5 classes + 5.
        Files.writeString(props, "fleet = " + FLEET + "\nkeys.file = keys.txt\n" + rule + "model.dimension = 75\n"
                + "round.deadlineMillis = 60000\nstate.dir = state\n");
        GatewayConfig cfg = GatewayConfig.load(props);
        String pinned = KeyFiles.gatewayLine(cfg.gatewayId(), Gateway.publicKey(cfg));
        Files.createDirectories(keysDir);
        StringBuilder registry = new StringBuilder();
        for (int i = 1; i <= NODES; i++) {
            byte[] secret = new byte[32];
            secret[0] = (byte) i;
            secret[31] = 7;
            NodeCredentials c = NodeCredentials.hmac("node-0" + i, secret);
            registry.append(c.registryLine()).append('\n');
            Files.writeString(keysDir.resolve(c.nodeId() + ".key"), c.registryLine() + "\n" + pinned + "\n");
        }
        Files.writeString(dir.resolve("keys.txt"), registry);
        return cfg;
    }

    private record Run(int code, String out, String err) {
    }

    private static Run deviceSim(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DeviceSimTestAccess.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private List<AuditRecord> records() throws Exception {
        List<AuditRecord> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("state").resolve("audit.log"), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(AuditLog.verify(line, null));
            }
        }
        return out;
    }

    @Test
    void aFleetAndSingleNodesJoinARunningGatewayAndItsRoundsAggregateTheirUpdates() throws Exception {
        Path keys = dir.resolve("nodes");
        GatewayConfig cfg = provision(keys);
        try (Gateway gw = Gateway.start(cfg, Gateway.Options.embeddedBroker().embeddedPort(0))) {
            Path report = dir.resolve("fleet.json");
            // Anyone may publish on the audit topic: while the fleet runs, a forger sends records it cannot sign.
            AtomicBoolean running = new AtomicBoolean(true);
            Thread forger = new Thread(() -> {
                try (RawPublisher raw = new RawPublisher(gw.brokerUri(), "forger")) {
                    while (running.get()) {
                        raw.publish("qora/v1/" + FLEET + "/audit", "{\"format\":\"qora-audit/1\",\"round\":2} sig=00"
                                .getBytes(StandardCharsets.UTF_8));
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            forger.start();
            Run fleet;
            try {
                fleet = deviceSim("scenario", "--gateway", "external", "--broker", gw.brokerUri(), "--fleet", FLEET,
                        "--keys-dir", keys.toString(), "--nodes", String.valueOf(NODES), "--dataset", "synthetic", "--rounds", "3",
                        "--report", report.toString());
            } finally {
                running.set(false);
                forger.join();
            }
            assertEquals(0, fleet.code(), fleet.err() + "\n" + fleet.out());
            assertTrue(fleet.out().contains("gateway rounds 1 to 3"), fleet.out());
            assertTrue(fleet.out().matches("(?s).*; \\d+ records on the audit topic did not verify.*"), fleet.out());
            JsonObject o = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
            assertEquals("external", o.get("gateway").getAsString());
            assertEquals(1, o.get("firstGatewayRound").getAsLong());
            assertEquals("nnm(1) > centered-clip(1, 3)", o.getAsJsonObject("config").get("aggregator").getAsString(),
                    "the rule the gateway announced");
            JsonArray rounds = o.getAsJsonArray("rounds");
            assertEquals(3, rounds.size());
            List<AuditRecord> recs = records();
            for (int i = 0; i < 3; i++) {
                AuditRecord r = recs.get(i);
                assertEquals(i + 1, r.round());
                assertEquals("aggregated", r.outcome(), r.failure());
                assertEquals(List.of("node-01", "node-02", "node-03", "node-04", "node-05"), r.canonicalOrder());
                // The fleet's table shows what the gateway's signed record says it used.
                JsonArray selected = rounds.get(i).getAsJsonObject().getAsJsonArray("selected");
                assertEquals(r.selected().length, selected.size());
                assertEquals(NODES, selected.size(), "nearest-neighbour mixing and centered clipping use every update");
            }
            double accuracy = o.get("finalAccuracy").getAsDouble();
            assertTrue(accuracy > 0.5, "5 classes, chance 20%: " + accuracy);

            // Now five separate node commands, each on its own shard, for two rounds each; the first
            // two send sparse updates (--density 0.1), the others dense ones.
            ExecutorService pool = Executors.newFixedThreadPool(NODES);
            try {
                List<Future<Run>> runs = new ArrayList<>();
                for (int i = 1; i <= NODES; i++) {
                    String key = keys.resolve("node-0" + i + ".key").toString();
                    String shard = i + "/" + NODES;
                    String density = i <= 2 ? "0.1" : "1.0";
                    runs.add(pool.submit(() -> deviceSim("node", "--broker", gw.brokerUri(), "--fleet", FLEET, "--key", key,
                            "--data", "synthetic", "--shard", shard, "--rounds", "2", "--density", density)));
                }
                List<Long> wireBytes = new ArrayList<>();
                for (Future<Run> f : runs) {
                    Run r = f.get(120, TimeUnit.SECONDS);
                    assertEquals(0, r.code(), r.err() + "\n" + r.out());
                    assertEquals(2, r.out().lines().filter(l -> l.matches("round \\d+ .*update sent .*")).count(), r.out());
                    assertTrue(r.out().contains("done: 2 updates sent"), r.out());
                    Matcher m = Pattern.compile("update sent \\(sequence \\d+, (\\d+) bytes on the wire\\)").matcher(r.out());
                    assertTrue(m.find(), r.out());
                    wireBytes.add(Long.parseLong(m.group(1)));
                }
                for (int i = 0; i < 2; i++) {
                    assertTrue(2 * wireBytes.get(i) < wireBytes.get(NODES - 1), "a 10% sparse frame is under half a dense one: "
                            + wireBytes);
                }
            } finally {
                pool.shutdownNow();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records().size() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<AuditRecord> after = records();
            assertEquals(5, after.size(), "rounds 4 and 5 closed");
            for (AuditRecord r : after.subList(3, 5)) {
                assertEquals("aggregated", r.outcome(), r.failure());
                assertEquals(NODES, r.frames().stream().filter(f -> f.status().equals("accepted")).count(),
                        "round " + r.round() + ": every node command's update accepted");
            }
        }
    }

    /**
     * A daemon configured with {@code round.cohort = 3} and {@code round.byzantineFraction = 1/3}:
     * the fleet's nodes read their cohort from each signed announcement and only the drawn ones
     * publish, so every round closes on its three updates, long before the deadline.
     */
    @Test
    void aFleetJoiningACohortGatewayPublishesOnlyFromTheDrawnNodes() throws Exception {
        Path keys = dir.resolve("nodes");
        GatewayConfig cfg = provision(keys, "round.cohort = 3\nround.byzantineFraction = 1/3\n");
        assertEquals("nnm(1) > centered-clip(1, 3)", cfg.aggregation().ruleName(), "f = floor(1/3 * 3)");
        try (Gateway gw = Gateway.start(cfg, Gateway.Options.embeddedBroker().embeddedPort(0))) {
            Run fleet = deviceSim("scenario", "--gateway", "external", "--broker", gw.brokerUri(), "--fleet", FLEET,
                    "--keys-dir", keys.toString(), "--nodes", String.valueOf(NODES), "--dataset", "synthetic", "--rounds", "3");
            assertEquals(0, fleet.code(), fleet.err() + "\n" + fleet.out());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (records().size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<AuditRecord> recs = records();
            for (AuditRecord r : recs.subList(0, 3)) {
                assertEquals("aggregated", r.outcome(), r.failure());
                assertEquals(3, r.config().expected().size(), "the cohort");
                assertEquals(r.config().expected(), r.canonicalOrder(), "round " + r.round() + ": the cohort's updates, and only them");
                assertTrue(r.frames().stream().allMatch(f -> f.status().equals("accepted")), "no node outside the cohort published");
                assertFalse(r.timing().deadlineReached());
            }
        }
    }

    @Test
    void refusesMissingKeysAWrongModelSizeAndExplainsThem() throws Exception {
        Path keys = dir.resolve("nodes");
        GatewayConfig cfg = provision(keys);
        Run missing = deviceSim("scenario", "--gateway", "external", "--broker", "tcp://127.0.0.1:1", "--keys-dir",
                keys.toString(), "--nodes", "6", "--rounds", "1");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("node key file " + keys.resolve("node-06.key") + " not found"), missing.err());
        Run noKeysDir = deviceSim("scenario", "--gateway", "external", "--broker", "tcp://127.0.0.1:1");
        assertTrue(noKeysDir.err().contains("--keys-dir is required with --gateway external"), noKeysDir.err());
        Run notForInProcess = deviceSim("scenario", "--gateway", "external", "--broker", "tcp://127.0.0.1:1", "--keys-dir",
                keys.toString(), "--reputation", "off");
        assertTrue(notForInProcess.err().contains("--reputation sets the in-process gateway"), notForInProcess.err());
        Path unpinned = dir.resolve("unpinned.key");
        Files.writeString(unpinned, "node-09 hmac-sha256 " + HexFormat.of().formatHex(new byte[32]) + "\n");
        Run noPin = deviceSim("node", "--broker", "tcp://127.0.0.1:1", "--key", unpinned.toString());
        assertEquals(1, noPin.code());
        assertTrue(noPin.err().contains("pins no gateway key"), noPin.err());
        Run csvWithoutClasses = deviceSim("node", "--broker", "tcp://127.0.0.1:1", "--key", keys.resolve("node-01.key").toString(),
                "--data", "csv:" + dir.resolve("none.csv"));
        assertTrue(csvWithoutClasses.err().contains("--classes C (>= 2) is required with --data csv:"), csvWithoutClasses.err());
        Run nobody = deviceSim("scenario", "--gateway", "external", "--broker", "tcp://127.0.0.1:1", "--keys-dir", keys.toString(),
                "--nodes", String.valueOf(NODES), "--rounds", "1");
        assertEquals(1, nobody.code());
        assertTrue(nobody.err().contains("no MQTT broker at tcp://127.0.0.1:1 (--broker)"), nobody.err());
        Run inProcessNobody = deviceSim("scenario", "--broker", "tcp://127.0.0.1:1", "--nodes", "3", "--rounds", "1");
        assertTrue(inProcessNobody.err().contains("no MQTT broker at tcp://127.0.0.1:1 (--broker)"), inProcessNobody.err());
        try (Gateway gw = Gateway.start(cfg, Gateway.Options.embeddedBroker().embeddedPort(0))) {
            Run mlp = deviceSim("node", "--broker", gw.brokerUri(), "--fleet", FLEET, "--key", keys.resolve("node-01.key").toString(),
                    "--model", "mlp-4", "--rounds", "1");
            assertEquals(1, mlp.code(), mlp.out());
            assertTrue(mlp.err().contains("the gateway's model (model) has 75 parameters (its model.dimension), but mlp-4 on"
                    + " synthetic (14 features, 5 classes) has 85"), mlp.err());
        }
    }

    @Test
    void aNodeTrainsOnACsvFileWithTheGatewaysClasses() throws Exception {
        Path keys = dir.resolve("nodes");
        GatewayConfig cfg = provision(keys);
        // 14 features and a label in 0..4: the synthetic model's shape, written as CSV with a header.
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < 14; j++) {
            csv.append("f").append(j).append(',');
        }
        csv.append("label\n");
        for (int i = 0; i < 200; i++) {
            for (int j = 0; j < 14; j++) {
                csv.append((i % 5 == j % 5) ? "1.0" : "0.0").append(',');
            }
            csv.append(i % 5).append('\n');
        }
        Path file = Files.writeString(dir.resolve("local.csv"), csv);
        try (Gateway gw = Gateway.start(cfg, Gateway.Options.embeddedBroker().embeddedPort(0))) {
            Run r = deviceSim("node", "--broker", gw.brokerUri(), "--fleet", FLEET, "--key", keys.resolve("node-03.key").toString(),
                    "--data", "csv:" + file, "--classes", "5", "--rounds", "1");
            assertEquals(0, r.code(), r.err() + "\n" + r.out());
            assertTrue(r.out().contains("(14 features, 5 classes), 180 training and 20 held-out samples"), r.out());
            assertTrue(r.out().contains("done: 1 updates sent, the last for round 1"), r.out());
        }
        Files.writeString(file, "1.0,2.0,0\n1.0,x,1\n");
        Run bad = deviceSim("node", "--broker", "tcp://127.0.0.1:1", "--key", keys.resolve("node-03.key").toString(),
                "--data", "csv:" + file, "--classes", "5");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("line 2 column 2: 'x' is not a number"), bad.err());
    }
}
