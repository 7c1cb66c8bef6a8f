package org.qoraedge.gateway.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.VerifyingKey;
import picocli.CommandLine;

class GatewayCliTest {
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
        Result r = exec("keys", "--count", "3", "--scheme", "ed25519", "--registry", reg.toString(), "--out-dir",
                dir.resolve("nodes").toString());
        assertEquals(0, r.code(), r.err());
        r = exec("keys", "--node", "pump-7", "--registry", reg.toString(), "--out-dir", dir.resolve("nodes").toString());
        assertEquals(0, r.code(), r.err());
        Map<String, VerifyingKey> registry = KeyFiles.readRegistry(reg);
        assertEquals(java.util.List.of("node-01", "node-02", "node-03", "pump-7"), java.util.List.copyOf(registry.keySet()));
        NodeCredentials n2 = KeyFiles.readCredentials(dir.resolve("nodes/node-02.key"));
        assertTrue(Files.readString(reg).contains(n2.registryLine()));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("nodes/node-02.key"))));
        // A second run for an existing node is refused (no key is overwritten).
        r = exec("keys", "--node", "pump-7", "--registry", reg.toString(), "--out-dir", dir.resolve("nodes").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("pump-7 already has a key"), r.err());
    }

    @Test
    void runWithTheEmbeddedBrokerRunsTheConfiguredRoundsAndStatusReadsTheRetainedState() throws Exception {
        Path reg = dir.resolve("keys.txt");
        assertEquals(0, exec("keys", "--count", "5", "--registry", reg.toString(), "--out-dir", dir.resolve("nodes").toString()).code());
        int port = org.qoraedge.gateway.testing.MosquittoBroker.freePort();
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
            assertTrue(st.out().contains("aggregator=krum"), st.out());
        }
    }

    @Test
    void runReportsABadConfigWithoutAStackTrace() throws Exception {
        Path cfg = dir.resolve("bad.properties");
        Files.writeString(cfg, "model.dimension = 8\nf = two\n");
        Result r = exec("run", "--config", cfg.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: config key f = two is not an integer"), r.err());
    }
}
