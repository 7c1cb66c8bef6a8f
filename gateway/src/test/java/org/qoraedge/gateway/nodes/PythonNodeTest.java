package org.qoraedge.gateway.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.daemon.GatewayMain;
import org.qoraedge.gateway.round.RoundReport;
import org.qoraedge.gateway.state.StateStore;
import picocli.CommandLine;

/**
 * The Python node of {@code gateway/nodes/python} (package {@code qora_node}): its own unit tests,
 * and Python node processes taking part in rounds of a real gateway over its embedded broker, with
 * credentials files written by the gateway's {@code keys} command.
 *
 * <p>Needs Debian's {@code /usr/bin/python3} with {@code python3-paho-mqtt}, {@code python3-nacl} and
 * {@code python3-numpy}: without them the tests are skipped with a message, except when
 * {@code CI=true}, where they fail. Each Python process's output goes to files under the test's
 * temporary directory, and is quoted in a failure's message.
 */
class PythonNodeTest {
    /** Debian's interpreter (the one that sees Debian's packages); {@code -Dqora.python=...} names another. */
    private static final Path PYTHON = Path.of(System.getProperty("qora.python", "/usr/bin/python3"));
    /** Module to import, and the Debian package that provides it. */
    private static final Map<String, String> MODULES = new TreeMap<>(Map.of("paho.mqtt.client", "python3-paho-mqtt", "nacl.signing",
            "python3-nacl", "numpy", "python3-numpy"));
    private static final int D = 8;
    private static final int ROUNDS = 3;
    private static final String FLEET = "py";
    private static final Duration WAIT = Duration.ofSeconds(25);

    @TempDir
    Path tmp;

    @Test
    void thePythonUnitTestsPass() throws Exception {
        Path pkg = requirePython();
        Result r = run(pkg, tmp.resolve("unittest"), Duration.ofSeconds(60), "-m", "unittest", "discover", "-s", "tests", "-t", ".");
        assertEquals(0, r.code(), "python3 -m unittest failed:\n" + r.out() + r.err());
        assertTrue(r.err().strip().endsWith("OK"), r.err());
        assertTrue(r.err().contains("Ran "), r.err());
    }

    @Test
    void pythonNodesWithBothSchemesTakePartInRoundsAndTrainOnTheGatewaysModel() throws Exception {
        Path pkg = requirePython();
        Path cfg = tmp.resolve("gw.properties");
        Files.writeString(cfg, "fleet = " + FLEET + "\nkeys.file = keys.txt\nstate.dir = state\nmodel.id = logreg\nmodel.dimension = " + D
                + "\nround.max = " + ROUNDS + "\nround.deadlineMillis = 20000\n");
        // Credentials as operators make them: the keys command pins the gateway key of the config's state.dir.
        keys("--config", cfg.toString(), "--count", "2", "--prefix", "py-h", "--out-dir", tmp.resolve("nodes").toString());
        keys("--config", cfg.toString(), "--count", "2", "--prefix", "py-e", "--scheme", "ed25519", "--out-dir",
                tmp.resolve("nodes").toString());
        List<String> ids = List.of("py-e01", "py-e02", "py-h01", "py-h02"); // canonical order
        assertTrue(Files.readString(tmp.resolve("nodes/py-e01.key")).contains(" ed25519 "));
        assertTrue(Files.readString(tmp.resolve("nodes/py-h01.key")).contains(" hmac-sha256 "));

        BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
        GatewayConfig config = GatewayConfig.load(cfg);
        Map<String, Process> nodes = new TreeMap<>();
        try (Gateway gw = Gateway.start(config, Gateway.Options.embeddedBroker().embeddedPort(0).listener(reports::add))) {
            assertTrue(gw.brokerUri().startsWith("tcp://127.0.0.1:"), gw.brokerUri());
            long deadline = System.nanoTime() + WAIT.toNanos();
            try {
                for (String id : ids) {
                    nodes.put(id, start(pkg, tmp.resolve("out-" + id), "-m", "qora_node", "--key", tmp.resolve("nodes/" + id + ".key").toString(),
                            "--broker", gw.brokerUri(), "--fleet", FLEET, "--rounds", String.valueOf(ROUNDS), "--timeout", "20"));
                }
                for (Map.Entry<String, Process> e : nodes.entrySet()) {
                    long left = deadline - System.nanoTime();
                    boolean done = e.getValue().waitFor(Math.max(left, 0), TimeUnit.NANOSECONDS);
                    Path out = tmp.resolve("out-" + e.getKey());
                    assertTrue(done, e.getKey() + " did not finish within " + WAIT + ": " + read(out));
                    assertEquals(0, e.getValue().exitValue(), e.getKey() + " failed: " + read(out));
                }
            } finally {
                for (Process p : nodes.values()) {
                    p.destroyForcibly();
                }
            }

            List<RoundReport> closed = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                RoundReport r = reports.poll(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS);
                assertNotNull(r, "round " + (i + 1) + " did not close");
                assertTrue(r.aggregated(), r.failure());
                assertEquals(ids, r.acceptedIds(), "every Python node's update is accepted in round " + r.round());
                assertTrue(r.rejected().isEmpty(), r.rejectedSummary());
                assertFalse(r.deadlineReached(), "round " + r.round() + " closed by its deadline, not by the last node");
                closed.add(r);
            }
            assertTrue(gw.awaitFinished(WAIT));

            // What each node printed: the digest of the model it started from, of the update it sent, its sequence.
            Map<String, List<Map<String, String>>> lines = new TreeMap<>();
            for (String id : ids) {
                lines.put(id, roundLines(tmp.resolve("out-" + id)));
                assertEquals(ROUNDS, lines.get(id).size(), id + ": " + read(tmp.resolve("out-" + id)));
            }
            List<AuditRecord> audit = AuditLog.verifyFile(config.stateDir().resolve(StateStore.AUDIT_LOG), gw.publicKey()).records();
            assertEquals(ROUNDS, audit.size());
            String model = Digests.block(ModelUpdate.zeros(D));
            for (int i = 0; i < ROUNDS; i++) {
                AuditRecord rec = audit.get(i);
                long round = i + 1;
                assertEquals(round, rec.round());
                assertEquals(model, rec.modelBefore());
                assertEquals(ids, rec.canonicalOrder());
                Map<String, AuditRecord.FrameEntry> frames = new TreeMap<>();
                for (AuditRecord.FrameEntry f : rec.frames()) {
                    frames.put(f.node(), f);
                }
                assertEquals(ids, List.copyOf(frames.keySet()));
                for (String id : ids) {
                    Map<String, String> line = lines.get(id).get(i);
                    AuditRecord.FrameEntry f = frames.get(id);
                    assertEquals(String.valueOf(round), line.get("round"), id);
                    assertEquals(model, line.get("model"), id + " trained round " + round + " on the gateway's model");
                    assertTrue(f.accepted(), id + " round " + round + ": " + f.status());
                    assertEquals(line.get("update"), f.blockDigest(), id + " round " + round + ": the block the gateway accepted");
                    assertEquals(line.get("sequence"), String.valueOf(f.sequence()), id);
                }
                model = closed.get(i).modelDigest();
                assertEquals(model, rec.modelAfter());
            }
        }
    }

    /** The lines {@code round=... node=... model=... loss=... update=... sequence=...} a node printed. */
    private static List<Map<String, String>> roundLines(Path out) throws IOException {
        List<Map<String, String>> rounds = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("stdout"), StandardCharsets.UTF_8)) {
            if (!line.startsWith("round=")) {
                continue;
            }
            Map<String, String> m = new LinkedHashMap<>();
            for (String kv : line.split(" ")) {
                int eq = kv.indexOf('=');
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            rounds.add(m);
        }
        return rounds;
    }

    private static void keys(String... args) {
        CommandLine cl = GatewayMain.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String[] full = new String[args.length + 1];
        full[0] = "keys";
        System.arraycopy(args, 0, full, 1, args.length);
        assertEquals(0, cl.execute(full), err.toString());
    }

    /**
     * The package's directory, once Debian's Python 3 and the three modules are known to be there:
     * skips the test (or, with CI=true, fails it) naming what is missing.
     */
    static Path requirePython() throws IOException, InterruptedException {
        Path pkg = packageDir();
        String missing = null;
        if (!Files.isExecutable(PYTHON)) {
            missing = PYTHON + " is not installed";
        } else {
            StringBuilder script = new StringBuilder("import importlib\nfor m in [");
            for (String m : MODULES.keySet()) {
                script.append('\'').append(m).append("',");
            }
            script.append("]:\n    try:\n        importlib.import_module(m)\n    except ImportError:\n        print(m)\n");
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", script.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                missing = PYTHON + " did not answer within 30 s";
            } else if (p.exitValue() != 0 || !out.isEmpty()) {
                List<String> packages = new ArrayList<>();
                for (Map.Entry<String, String> e : MODULES.entrySet()) {
                    if (out.contains(e.getKey())) {
                        packages.add(e.getValue());
                    }
                }
                missing = PYTHON + " lacks " + (packages.isEmpty() ? out : String.join(", ", packages));
            }
        }
        if (missing != null) {
            String message = missing + " (apt-get install -y python3 python3-paho-mqtt python3-nacl python3-numpy); the Python node"
                    + " tests need them";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message + " and CI=true, so this is a failure, not a skip");
            }
            Assumptions.abort(message);
        }
        return pkg;
    }

    /** gateway/nodes/python, from the gateway module (Maven's working directory) or the repository root. */
    static Path packageDir() {
        for (Path p : List.of(Path.of("nodes/python"), Path.of("gateway/nodes/python"))) {
            if (Files.isRegularFile(p.resolve("qora_node/__init__.py"))) {
                return p.toAbsolutePath();
            }
        }
        throw new IllegalStateException("gateway/nodes/python not found from " + Path.of("").toAbsolutePath());
    }

    private record Result(int code, String out, String err) {
    }

    private static Result run(Path pkg, Path outDir, Duration timeout, String... args) throws IOException, InterruptedException {
        Process p = start(pkg, outDir, args);
        try {
            assertTrue(p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), "python3 " + String.join(" ", args) + " ran longer than " + timeout);
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(outDir.resolve("stdout")), Files.readString(outDir.resolve("stderr")));
    }

    /** Starts {@code /usr/bin/python3 -B args} in the package's directory, its output in files under {@code outDir}. */
    private static Process start(Path pkg, Path outDir, String... args) throws IOException {
        Files.createDirectories(outDir);
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-B"));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).directory(pkg.toFile())
                .redirectOutput(outDir.resolve("stdout").toFile())
                .redirectError(outDir.resolve("stderr").toFile());
        b.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        b.environment().put("PYTHONPATH", pkg.toString());
        return b.start();
    }

    private static String read(Path outDir) throws IOException {
        return "stdout:\n" + Files.readString(outDir.resolve("stdout")) + "stderr:\n" + Files.readString(outDir.resolve("stderr"));
    }
}
