package org.qoraedge.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.broker.EmbeddedBroker;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.SignedText;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.qoraedge.gateway.reputation.NodeReputation;
import org.qoraedge.gateway.state.GatewayState;
import org.qoraedge.gateway.state.StateFile;
import org.qoraedge.gateway.testing.MosquittoBroker;
import picocli.CommandLine;

class GatewayCliTest {
    private static final String GATEWAY_KEY = HexFormat.of().formatHex(
            Ed25519Keys.publicKeyOf(new byte[32]));

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result exec(String... args) {
        CommandLine cl = GatewayMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void keysGeneratesRegistryLinesAndCredentialFilesThatMatch() throws Exception {
        Path reg = dir.resolve("keys.txt");
        Result r = exec("keys", "--count", "3", "--scheme", "ed25519", "--registry", reg.toString(), "--gateway-key", GATEWAY_KEY, "--out-dir",
                dir.resolve("nodes").toString());
        assertEquals(0, r.code(), r.err());
        r = exec("keys", "--node", "pump-7", "--registry", reg.toString(), "--gateway-key", GATEWAY_KEY, "--out-dir", dir.resolve("nodes").toString());
        assertEquals(0, r.code(), r.err());
        Map<String, VerifyingKey> registry = KeyFiles.readRegistry(reg);
        assertEquals(List.of("node-01", "node-02", "node-03", "pump-7"), List.copyOf(registry.keySet()));
        NodeCredentials n2 = KeyFiles.readCredentials(dir.resolve("nodes/node-02.key"));
        assertTrue(Files.readString(reg).contains(n2.registryLine()));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("nodes/node-02.key"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(reg)),
                "the registry holds HMAC secrets");
        assertEquals(GATEWAY_KEY, HexFormat.of().formatHex(n2.gatewayKey()), "the gateway key is pinned");
        assertEquals("gateway", n2.gatewayId());
        // Without a gateway key to pin, nothing is written.
        r = exec("keys", "--node", "pump-8", "--registry", reg.toString(), "--out-dir", dir.resolve("nodes").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("nodes trust only the gateway key they are provisioned with"), r.err());
        assertTrue(Files.notExists(dir.resolve("nodes/pump-8.key")));
        // Nor with a gateway key that is not a point of the curve's prime-order subgroup (nodes would refuse
        // their credentials): 32 bytes of 0xaa are off the curve, the identity (1, 0, ..., 0) has order 1.
        for (String bad : List.of("aa".repeat(32), "01" + "00".repeat(31))) {
            r = exec("keys", "--node", "pump-8", "--registry", reg.toString(), "--gateway-key", bad, "--out-dir", dir.resolve("nodes").toString());
            assertEquals(2, r.code(), bad);
            assertTrue(r.err().contains("--gateway-key " + bad + ": not a valid Ed25519 public key"), r.err());
            assertTrue(Files.notExists(dir.resolve("nodes/pump-8.key")));
        }
        // A second run for an existing node is refused (no key is overwritten).
        r = exec("keys", "--node", "pump-7", "--registry", reg.toString(), "--gateway-key", GATEWAY_KEY, "--out-dir", dir.resolve("nodes").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("pump-7 already has a key"), r.err());
    }

    @Test
    void runWithTheEmbeddedBrokerRunsTheConfiguredRoundsAndStatusReadsTheRetainedState() throws Exception {
        Path reg = dir.resolve("keys.txt");
        assertEquals(0, exec("keys", "--count", "5", "--registry", reg.toString(), "--gateway-key", GATEWAY_KEY, "--out-dir", dir.resolve("nodes").toString()).code());
        int port = MosquittoBroker.freePort();
        Path cfg = dir.resolve("gw.properties");
        Files.writeString(cfg, "fleet = cli\nembedded.port = " + port + "\nbroker.uri = tcp://127.0.0.1:" + port
                + "\nmodel.dimension = 8\nround.deadlineMillis = 200\nround.max = 2\n");
        Result run = exec("run", "--config", cfg.toString(), "--embedded-broker");
        assertEquals(0, run.code(), run.err());
        assertTrue(Files.exists(dir.resolve("state/gateway.key")));
        assertTrue(Files.isDirectory(dir.resolve("state/paho")), "Paho's persistence lives under the state directory");

        // status against a gateway that runs now
        GatewayConfig c = GatewayConfig.load(cfg);
        try (Gateway gw = Gateway.start(c, Gateway.Options.embeddedBroker())) {
            assertTrue(gw.status().running() || gw.status().round() >= 1);
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            Result st;
            do {
                st = exec("status", "--config", cfg.toString(), "--timeout-ms", "2000");
            } while (!st.out().contains("round=") && System.nanoTime() < end);
            assertEquals(0, st.code(), st.err());
            assertTrue(st.out().contains("state=online"), st.out());
            assertTrue(st.out().contains("fleet=cli"), st.out());
            assertTrue(st.out().contains("aggregator=nnm(1) > centered-clip(1, 3)"), st.out());
        }
    }

    @Test
    void keysWithAConfigPinTheGatewaysOwnKeyAndStatusWarnsOfAForgedRetainedStatus() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(
                EmbeddedBroker.options().port(0))) {
            Path cfg = dir.resolve("gw.properties");
            Files.writeString(cfg, "fleet = st\nbroker.uri = " + broker.uri() + "\nkeys.file = keys.txt\nmodel.dimension = 4\n");
            Result r = exec("keys", "--config", cfg.toString(), "--count", "1", "--out-dir", dir.resolve("nodes").toString());
            assertEquals(0, r.code(), r.err());
            GatewayConfig c = GatewayConfig.load(cfg);
            byte[] seed = Gateway.gatewaySeed(c);
            assertEquals(HexFormat.of().formatHex(Ed25519Keys.publicKeyOf(seed)),
                    HexFormat.of().formatHex(KeyFiles.readCredentials(dir.resolve("nodes/node-01.key")).gatewayKey()),
                    "the key of the config's state.dir is pinned");
            Topics t = new Topics("st");
            byte[] body = TextMessage.builder().put("protocol", 1).put("state", "online")
                    .put("gateway", "gateway").put("fleet", "st").put("publicKey", "00").build().toBytes();
            byte[] other = new byte[32];
            other[0] = 9;
            try (MqttLink l = new MqttLink(
                    MqttSettings.builder(broker.uri(), "publisher").build(), List.of(),
                    (x, y) -> { }, null, null)) {
                l.connect();
                l.publish(t.gatewayStatus(), SignedText.sign(t.gatewayStatus(), body,
                        FrameSigner.ed25519(other)), 1, true).waitForCompletion(5000);
                Result forged = exec("status", "--config", cfg.toString(), "--timeout-ms", "1500");
                assertEquals(3, forged.code(), forged.out() + forged.err());
                assertTrue(forged.out().contains("WARNING: message on " + t.gatewayStatus() + " is not signed by the gateway's key"),
                        forged.out());
                l.publish(t.gatewayStatus(), SignedText.sign(t.gatewayStatus(), body,
                        FrameSigner.ed25519(seed)), 1, true).waitForCompletion(5000);
                Result genuine = exec("status", "--config", cfg.toString(), "--timeout-ms", "1500");
                assertEquals(0, genuine.code(), genuine.out() + genuine.err());
                assertTrue(genuine.out().contains("# signed by this gateway's key"), genuine.out());
            }
        }
    }

    @Test
    void helpOnEverySubcommandPrintsItsUsageAndExitsZero() {
        for (String sub : List.of("run", "keys", "status", "reputation", "unban", "verify-audit", "mosquitto-config")) {
            Result r = exec(sub, "--help");
            assertEquals(0, r.code(), sub + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: qora-edge-gateway " + sub), sub + ": " + r.out());
            assertEquals("", r.err(), sub);
        }
    }

    @Test
    void aMissingConfigOrKeysFileIsNamedAsNotFound() throws Exception {
        Result noConfig = exec("run", "--config", dir.resolve("nothere.properties").toString());
        assertEquals(2, noConfig.code());
        assertEquals("error: " + dir.resolve("nothere.properties") + " not found (--config)", noConfig.err().strip());
        Path cfg = dir.resolve("nokeys.properties");
        Files.writeString(cfg, "model.dimension = 8\nstate.dir = st\n");
        Result noKeys = exec("run", "--config", cfg.toString());
        assertEquals(2, noKeys.code());
        assertTrue(noKeys.err().startsWith("error: config key keys.file = " + dir.resolve("keys.txt") + ": file not found"),
                noKeys.err());
        assertFalse(Files.exists(dir.resolve("st")), "a refused start creates no state directory");
    }

    @Test
    void reputationBeforeTheFirstRoundListsTheRegisteredNodesWithALegend() throws Exception {
        Path cfg = dir.resolve("rep.properties");
        Files.writeString(cfg, "model.dimension = 8\nkeys.file = rep-keys.txt\nstate.dir = rep-state\n");
        assertEquals(0, exec("keys", "--count", "2", "--registry", dir.resolve("rep-keys.txt").toString(), "--gateway-key",
                GATEWAY_KEY, "--out-dir", dir.resolve("rep-nodes").toString()).code());
        Result r = exec("reputation", "--config", cfg.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("fleet default: no round yet"), r.out());
        assertEquals(2, r.out().lines().filter(l -> l.matches("node-0[12] +0\\.500000 no .*\\(not seen yet\\)")).count(), r.out());
        assertTrue(r.out().contains("banned below 0.200000 (reputation.ban-below)"), r.out());
    }

    @Test
    void runReportsABadConfigWithoutAStackTrace() throws Exception {
        Path cfg = dir.resolve("bad.properties");
        Files.writeString(cfg, "model.dimension = 8\nf = two\n");
        Result r = exec("run", "--config", cfg.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: config key f = two is not an integer"), r.err());
    }

    @Test
    void reputationUnbanAndVerifyAuditWorkOnTheStateDirectory() throws Exception {
        Path reg = dir.resolve("keys.txt");
        assertEquals(0, exec("keys", "--count", "2", "--registry", reg.toString(), "--gateway-key", GATEWAY_KEY, "--out-dir", dir.resolve("nodes").toString()).code());
        Path cfg = dir.resolve("gw.properties");
        Files.writeString(cfg, "fleet = f\nkeys.file = keys.txt\nmodel.dimension = 4\nstate.dir = state\n");
        Path state = dir.resolve("state");
        TreeMap<String, NodeReputation> rep = new TreeMap<>();
        rep.put("node-01", new NodeReputation(150_000, true, 7, 9, 0, 8, 0));
        rep.put("node-02", new NodeReputation(650_000, false, -1, 9, 9, 0, 0));
        StateFile.write(state.resolve("gateway.state"), new GatewayState("f",
                "gateway", 10, "model", Bfp16Block.of(0, new short[4]), new TreeMap<>(), rep,
                new TreeMap<>(), null, 9, 0));
        Result r = exec("reputation", "--config", cfg.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("collecting round 10"), r.out());
        assertTrue(r.out().matches("(?s).*node-01\\s+0\\.150000\\s+since round 7.*"), r.out());
        assertTrue(r.out().matches("(?s).*node-02\\s+0\\.650000\\s+no.*"), r.out());
        r = exec("unban", "--config", cfg.toString(), "node-02");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("node-02 is not banned"), r.err());
        r = exec("unban", "--config", cfg.toString(), "node-01", "--reason", "sensor replaced");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, Files.list(state.resolve("control")).count());
        r = exec("verify-audit", "--config", cfg.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("does not exist yet"), r.out());
        // A log whose line was altered after signing does not verify.
        byte[] seed = new byte[32];
        String line = AuditLog.sign(new AuditRecord("f", "gateway",
                HexFormat.of().formatHex(Ed25519Keys.publicKeyOf(seed)), 1,
                AuditRecord.GENESIS, "failed", "below quorum",
                new AuditRecord.Config("krum", "common", 1, 0, 1, 4, "model", ""), "d", List.of(),
                0, List.of(), new long[0], new int[0], new int[0], 0, "", "d", List.of(), List.of(),
                new AuditRecord.Timing(1, 2, 3, true, 0), false),
                AuditRecord.GENESIS, FrameSigner.ed25519(seed));
        Files.writeString(state.resolve("audit.log"), line + "\n");
        r = exec("verify-audit", "--config", cfg.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 records"), r.out());
        Files.writeString(state.resolve("audit.log"), line.replace("below quorum", "below quorun") + "\n");
        r = exec("verify-audit", "--config", cfg.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("signature does not verify"), r.err());
    }
}
