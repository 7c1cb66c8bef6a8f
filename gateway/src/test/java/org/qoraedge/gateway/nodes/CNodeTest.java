package org.qoraedge.gateway.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.daemon.GatewayMain;
import org.qoraedge.gateway.round.RoundReport;
import org.tinylog.Logger;
import picocli.CommandLine;

/**
 * The C node library of {@code gateway/nodes/c}: its own tests ({@code make test}), its Cortex-M
 * cross-build ({@code make cortex-m}), and C example nodes ({@code make example}, libmosquitto and
 * OpenSSL) that join a real gateway with key files written by the {@code keys} command and take
 * part in its rounds. Without gcc, make, the libmosquitto, OpenSSL or Mbed TLS headers, or
 * arm-none-eabi-gcc, a test is skipped with a message, except when {@code CI=true}, where it
 * fails. The builds go to {@code gateway/nodes/c/target/}.
 */
class CNodeTest {
    /** Maven runs the tests in {@code gateway/}. */
    private static final Path DIR = Path.of("nodes", "c");
    private static final Pattern SUMMARY = Pattern.compile("(?m)^(\\d+) passed, (\\d+) failed$");
    private static final Pattern ROUND_LINE = Pattern.compile(
            "(?m)^round=(\\d+) model_d=(\\d+) model_e=(-?\\d+) model_digest=([0-9a-f]{64}) update_e=(-?\\d+) sequence=(\\d+)"
                    + " frame_bytes=(\\d+)$");

    @TempDir
    Path tmp;

    private record Result(int code, String output) {
    }

    /** Skips (or, with CI=true, fails) when a tool or a header is missing. */
    private static void require(List<String> commands, List<String> headers) throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (String c : commands) {
            if (onPath(c) == null) {
                missing.add(c);
            }
        }
        if (!headers.isEmpty() && onPath("gcc") != null) {
            for (String h : headers) {
                Process p = new ProcessBuilder("gcc", "-fsyntax-only", "-x", "c", "-").redirectErrorStream(true).start();
                p.getOutputStream().write(("#include <" + h + ">\n").getBytes(StandardCharsets.US_ASCII));
                p.getOutputStream().close();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    missing.add("<" + h + ">");
                }
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String message = "the C node tests need " + String.join(", ", missing)
                + " (apt-get install -y gcc make libssl-dev libmbedtls-dev libmosquitto-dev gcc-arm-none-eabi)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + " and CI=true, so this is a failure, not a skip");
        }
        Assumptions.abort(message);
    }

    private static Path onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs a command in gateway/, its output (stdout and stderr) in a file under the test's directory. */
    private Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "cmd", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertTrue(p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), String.join(" ", command) + " did not end within " + timeout);
            return new Result(p.exitValue(), Files.readString(out));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void makeTestPassesTheEncodeVectorsTheProtocolFramesAndTheRefusals() throws Exception {
        require(List.of("gcc", "make"), List.of("openssl/evp.h", "mbedtls/md.h"));
        Result r = run(Duration.ofSeconds(120), "make", "-C", DIR.toString(), "test");
        assertEquals(0, r.code(), r.output());
        // Built with the built-in SHA-256, and without it (hooks on OpenSSL, then on Mbed TLS): three runs, no failure.
        Matcher m = SUMMARY.matcher(r.output());
        int runs = 0;
        while (m.find()) {
            runs++;
            assertEquals("0", m.group(2), r.output());
            assertTrue(Long.parseLong(m.group(1)) > 6000, m.group());
        }
        assertEquals(3, runs, r.output());
        // encode.jsonl's 352 cases (6 refusals) and hand.jsonl's 9 encode cases (1 refusal).
        assertTrue(r.output().contains("encode vectors: 361 cases (7 refusals)"), r.output());
        assertTrue(r.output().contains("encode vectors: 352 cases (6 refusals)"), r.output());
        assertTrue(r.output().contains("docs/PROTOCOL.md section 12: 2 qora-vector frames rebuilt byte for byte"), r.output());
        assertTrue(r.output().contains("(SHA-256 and HMAC hooks on Mbed TLS)"), r.output());
    }

    @Test
    void theCortexMBuildReportsCodeSizeAndStackUse() throws Exception {
        require(List.of("make", "arm-none-eabi-gcc", "arm-none-eabi-size", "arm-none-eabi-ar"), List.of());
        Result r = run(Duration.ofSeconds(120), "make", "-C", DIR.toString(), "cortex-m");
        assertEquals(0, r.code(), r.output());
        Path report = DIR.resolve("target/cortex-m/report.txt");
        assertTrue(Files.isRegularFile(report), "no " + report);
        String text = Files.readString(report);
        assertTrue(r.output().contains(text.strip()), "make cortex-m prints the report");
        // Two size tables (with and without the built-in SHA-256), each with its total.
        Matcher totals = Pattern.compile("(?m)^\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\d+\\s+[0-9a-f]+\\s+\\(TOTALS\\)$").matcher(text);
        List<Integer> textBytes = new ArrayList<>();
        while (totals.find()) {
            textBytes.add(Integer.parseInt(totals.group(1)));
            assertEquals("0", totals.group(2), "no initialised data: " + totals.group());
            assertEquals("0", totals.group(3), "no static RAM: " + totals.group());
        }
        assertEquals(2, textBytes.size(), text);
        assertTrue(textBytes.get(1) < textBytes.get(0), "leaving SHA-256 out makes the library smaller: " + textBytes);
        // Stack use of every function from the .su files, and the worst case of the API functions.
        assertTrue(Pattern.compile("(?m)^src/qora_frame\\.c:\\d+:\\d+:qora_frame_build\\t\\d+\\tstatic$").matcher(text).find(), text);
        assertTrue(Pattern.compile("(?m)^\\s*\\d+  qora_node_on_model  \\+ hook$").matcher(text).find(), text);
        assertTrue(text.contains("memcmp memcpy memset"), "the only C library functions the library calls: " + text);
    }

    @Test
    void cExampleNodesJoinAGatewayAndTheirUpdatesAreAggregatedForThreeRounds() throws Exception {
        require(List.of("gcc", "make"), List.of("mosquitto.h", "openssl/evp.h"));
        Result build = run(Duration.ofSeconds(120), "make", "-C", DIR.toString(), "example");
        assertEquals(0, build.code(), build.output());
        Path binary = DIR.resolve("target/host/qora-node").toAbsolutePath();

        int dimension = 16;
        int rounds = 3;
        Path cfg = tmp.resolve("gw.properties");
        Files.writeString(cfg, "fleet = c-fleet\nkeys.file = keys.txt\nmodel.dimension = " + dimension
                + "\nround.max = " + rounds + "\nround.deadlineMillis = 20000\nstate.dir = state\n");
        // Two HMAC and two Ed25519 nodes, with the gateway key of the config's state.dir pinned.
        assertEquals(0, keys("keys", "--config", cfg.toString(), "--count", "2", "--prefix", "c-hmac-", "--out-dir", tmp.resolve("nodes").toString()));
        assertEquals(0, keys("keys", "--config", cfg.toString(), "--count", "2", "--prefix", "c-ed-", "--scheme", "ed25519",
                "--out-dir", tmp.resolve("nodes").toString()));
        List<String> ids = List.of("c-ed-01", "c-ed-02", "c-hmac-01", "c-hmac-02"); // canonical order

        BlockingQueue<RoundReport> reports = new LinkedBlockingQueue<>();
        Map<String, Process> nodes = new TreeMap<>();
        Map<String, Path> outputs = new TreeMap<>();
        try (Gateway gw = Gateway.start(GatewayConfig.load(cfg), Gateway.Options.embeddedBroker().embeddedPort(0).listener(reports::add))) {
            String port = gw.brokerUri().substring(gw.brokerUri().lastIndexOf(':') + 1);
            for (String id : ids) {
                Path out = tmp.resolve(id + ".out");
                outputs.put(id, out);
                nodes.put(id, new ProcessBuilder(binary.toString(), "--host", "127.0.0.1", "--port", port, "--fleet", "c-fleet",
                        "--key", tmp.resolve("nodes/" + id + ".key").toString(), "--rounds", Integer.toString(rounds), "--timeout-s", "30")
                        .redirectErrorStream(true).redirectOutput(out.toFile()).start());
            }
            for (Map.Entry<String, Process> e : nodes.entrySet()) {
                assertTrue(e.getValue().waitFor(40, TimeUnit.SECONDS), e.getKey() + " did not finish: " + Files.readString(outputs.get(e.getKey())));
                assertEquals(0, e.getValue().exitValue(), e.getKey() + ": " + Files.readString(outputs.get(e.getKey())));
            }
            assertTrue(gw.awaitFinished(Duration.ofSeconds(30)), "the gateway did not finish its rounds");
        } finally {
            for (Process p : nodes.values()) {
                p.destroyForcibly();
            }
        }

        // Every round aggregated the four C nodes' updates, none refused.
        List<String> modelDigests = new ArrayList<>();
        modelDigests.add(Digests.block(Bfp16Block.of(0, new short[dimension]))); // round 1 starts from zeros
        for (int round = 1; round <= rounds; round++) {
            RoundReport r = reports.poll(5, TimeUnit.SECONDS);
            assertNotNull(r, "no report of round " + round);
            assertEquals(round, r.round());
            assertTrue(r.aggregated(), "round " + round + " failed: " + r.failure());
            assertEquals(ids, r.acceptedIds(), "round " + round);
            assertEquals(0, r.rejectedTotal(), "round " + round + ": " + r.rejectedSummary());
            modelDigests.add(r.modelDigest());
        }
        assertEquals(rounds + 1, modelDigests.stream().distinct().count(), "each round changed the model: " + modelDigests);
        // Each node printed one line per round, naming the gateway's model of that round (verified and digest-checked).
        for (String id : ids) {
            String out = Files.readString(outputs.get(id));
            Logger.info("C node {} printed:\n{}", id, out.strip());
            Matcher m = ROUND_LINE.matcher(out);
            int round = 0;
            while (m.find()) {
                round++;
                assertEquals(round, Integer.parseInt(m.group(1)), id + ": " + out);
                assertEquals(dimension, Integer.parseInt(m.group(2)), id + ": " + out);
                assertEquals(modelDigests.get(round - 1), m.group(4), id + " round " + round + ": " + out);
                int frameBytes = 35 + "c-fleet".length() + id.length() + "model".length() + 2 * dimension + (id.startsWith("c-ed") ? 64 : 32);
                assertEquals(frameBytes, Integer.parseInt(m.group(7)), id + ": " + out);
            }
            assertEquals(rounds, round, id + ": " + out);
            assertTrue(!out.contains("notice ") && !out.contains("refused"), id + ": " + out);
        }
    }

    private static int keys(String... args) {
        CommandLine cl = GatewayMain.commandLine();
        StringWriter sink = new StringWriter();
        cl.setOut(new PrintWriter(sink, true));
        cl.setErr(new PrintWriter(sink, true));
        int code = cl.execute(args);
        if (code != 0) {
            Assertions.fail("keys " + String.join(" ", args) + ": " + sink);
        }
        return code;
    }
}
