package org.qoraedge.crosscheck.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qoraedge.crosscheck.CrossCheck;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.FrameSigner;
import picocli.CommandLine;

/**
 * Rounds recorded by a real gateway (embedded broker, eight nodes over MQTT, two Byzantine, four
 * Multi-Krum rounds, and four rounds of a pipeline; written by gateway's test program
 * {@code RecordedRounds}) replay here from
 * their audit log and kept frames, bit for bit, reputation included. The same files are replayed,
 * node HMAC signatures checked, on every architecture {@code scripts/cross-arch.sh} runs.
 */
class RecordedGatewayReplayTest {
    private static final String BASE = "/org/qoraedge/crosscheck/replay/recorded";

    @TempDir
    Path tmp;

    /**
     * {@code recorded}: Multi-Krum (f = 2); {@code recorded-pipeline}: norm-screen(1, 1) > nnm(1) > multi-krum(1);
     * {@code recorded-cohort}: the default rule on a cohort of five of the eight nodes each round
     * ({@code round.byzantineFraction = 1/5}), whose draw replay repeats.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "-pipeline", "-cohort"})
    void aRealGatewaysRoundsReplayBitForBitWithNodeSignaturesAndReputation(String set) throws IOException {
        Path dir = copyFixture(set);
        String key = Files.readString(dir.resolve("gateway.pub"), StandardCharsets.US_ASCII).strip();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CrossCheck());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("replay", dir.resolve("audit.log").toString(), "--gateway-key", key, "--keys",
                dir.resolve("keys.txt").toString());
        String all = out + "\n" + err;
        assertEquals(0, code, all);
        assertTrue(all.contains("4 records (rounds 1 to 4), signatures and chain verified"), all);
        assertTrue(all.contains("replayed 4 rounds: 4 match, 0 mismatch; 0 without frames"), all);
        assertTrue(all.contains("reputation: recomputed over 4 rounds, every recorded change matches"), all);

        // One altered byte in a kept frame (the block of round 3's second update) is found.
        Path j = dir.resolve("rounds").resolve("00000000000000000003.journal");
        byte[] b = Files.readAllBytes(j);
        b[b.length / 2] ^= 1;
        Files.write(j, b);
        cl = new CommandLine(new CrossCheck());
        StringWriter out2 = new StringWriter();
        cl.setOut(new PrintWriter(out2));
        cl.setErr(new PrintWriter(new StringWriter()));
        assertEquals(1, cl.execute("replay", dir.resolve("audit.log").toString(), "--gateway-key", key), out2.toString());
    }

    /**
     * A record whose cohort inputs were changed and signed again with the gateway's own key (kept in
     * the fixture for this test: a throwaway key) passes the signature and chain checks but not the
     * replay: the cohort drawn from them is not the one the round ran with.
     */
    @Test
    void aCohortRecordedOtherwiseThanItWasDrawnFailsTheReplay() throws IOException {
        Path dir = copyFixture("-cohort");
        copy("-cohort", "gateway.key", dir.resolve("gateway.key"));
        String seedHex = Files.readAllLines(dir.resolve("gateway.key")).stream().filter(l -> !l.startsWith("#") && !l.isBlank())
                .findFirst().orElseThrow().strip().split("\\s+")[2];
        byte[] seed = HexFormat.of().parseHex(seedHex);
        String key = HexFormat.of().formatHex(Ed25519Keys.publicKeyOf(seed));
        List<String> lines = Files.readAllLines(dir.resolve("audit.log"), StandardCharsets.UTF_8);
        List<String> forged = new ArrayList<>();
        String prev = AuditRecord.GENESIS;
        for (String line : lines) {
            AuditRecord r = AuditLog.verify(line, Ed25519Keys.publicKeyOf(seed));
            if (r.round() == 2) {
                AuditRecord.Config c = r.config();
                AuditRecord.CohortInputs k = c.cohort();
                AuditRecord.Config smaller = new AuditRecord.Config(c.aggregator(), c.metric(), c.f(), c.m(), c.minUpdates(),
                        c.dimension(), c.modelId(), c.reputationSettings(), c.expected(),
                        new AuditRecord.CohortInputs(k.size() - 1, k.eligible(), k.byzantineFraction(), k.f()));
                r = r.withConfig(smaller);
            }
            String signed = AuditLog.sign(r, prev, FrameSigner.ed25519(seed));
            forged.add(signed);
            prev = AuditLog.hash(signed);
        }
        Files.write(dir.resolve("audit.log"), forged, StandardCharsets.UTF_8);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CrossCheck());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("replay", dir.resolve("audit.log").toString(), "--gateway-key", key);
        String all = out + "\n" + err;
        assertEquals(1, code, all);
        assertTrue(all.contains("4 records (rounds 1 to 4), signatures and chain verified"), all);
        assertTrue(all.contains("round 2        aggregated replayed  MISMATCH in cohort"), all);
    }

    /**
     * {@code recorded-buffered}: four buffers of four updates in buffered mode (docs/PROTOCOL.md
     * section 6.3, the default rule, {@code round.maxStaleness = 2}, reputation off), two of them
     * holding a slow node's update trained from version 1 (weights 2 and 1), the last refusing one
     * as {@code stale-update}. Replay recomputes each weight from the version its signed frame names;
     * one altered byte in a kept frame is found.
     */
    @Test
    void aRealGatewaysBuffersReplayBitForBitWithTheirStalenessWeights() throws IOException {
        Path dir = copyFixture("-buffered");
        String key = Files.readString(dir.resolve("gateway.pub"), StandardCharsets.US_ASCII).strip();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CrossCheck());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("replay", dir.resolve("audit.log").toString(), "--gateway-key", key, "--keys",
                dir.resolve("keys.txt").toString(), "--details");
        String all = out + "\n" + err;
        assertEquals(0, code, all);
        assertTrue(all.contains("4 records (rounds 1 to 4), signatures and chain verified"), all);
        assertTrue(all.contains("replayed 4 rounds: 4 match, 0 mismatch; 0 without frames"), all);
        assertTrue(all.contains("buffered.frames"), all);

        Path j = dir.resolve("rounds").resolve("00000000000000000003.journal");
        byte[] b = Files.readAllBytes(j);
        b[b.length / 2] ^= 1;
        Files.write(j, b);
        cl = new CommandLine(new CrossCheck());
        StringWriter out2 = new StringWriter();
        cl.setOut(new PrintWriter(out2));
        cl.setErr(new PrintWriter(new StringWriter()));
        assertEquals(1, cl.execute("replay", dir.resolve("audit.log").toString(), "--gateway-key", key), out2.toString());
    }

    /**
     * {@code recorded-private}: four rounds of {@code nnm(2) > centered-clip(2, 3)} with central noise
     * ({@code sigma^2 = 25/4}) in which four nodes send sparse updates. With the operator's secret
     * every round replays, its model after included; without it only the first round can be
     * recomputed (the others' reference is a noised aggregate) and its model after is not checked;
     * another secret draws other noise.
     */
    @Test
    void aRealGatewaysNoisedRoundsWithSparseUpdatesReplayOnlyWithTheSecret() throws IOException {
        Path dir = copyFixture("-private");
        Path secret = dir.resolve("central.secret");
        copy("-private", "central.secret", secret);
        ownerOnly(secret);
        String key = Files.readString(dir.resolve("gateway.pub"), StandardCharsets.US_ASCII).strip();
        String log = dir.resolve("audit.log").toString();
        String all = replay(0, log, "--gateway-key", key, "--keys", dir.resolve("keys.txt").toString(), "--central-secret",
                secret.toString(), "--details");
        assertTrue(all.contains("replayed 4 rounds: 4 match, 0 mismatch; 0 without frames\n"), all);
        assertTrue(all.contains("modelAfter"), all);
        assertTrue(all.contains("central noise sigma^2 25/4"), all);

        all = replay(0, log, "--gateway-key", key);
        assertTrue(all.contains("round 1        aggregated replayed  match"), all);
        assertTrue(all.contains("round 2        aggregated not replayed: its centered-clipping reference is round 1's noised"
                + " aggregate; give --central-secret"), all);
        assertTrue(all.contains("replayed 1 round: 1 match, 0 mismatch; 0 without frames; 4 with central noise not checked"),
                all);

        Path other = dir.resolve("other.secret");
        Files.writeString(other, "ab".repeat(32));
        ownerOnly(other);
        all = replay(1, log, "--gateway-key", key, "--central-secret", other.toString());
        assertTrue(all.contains("round 1        aggregated replayed  MISMATCH in modelAfter"), all);

        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rw-r--r--"));
        all = replay(2, log, "--central-secret", other.toString());
        assertTrue(all.contains("can be read by its group; make it readable by its owner only (chmod 600)"), all);
    }

    private static void ownerOnly(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    /** Runs {@code cross-check replay ARGS}, asserts its exit code, returns what it printed. */
    private static String replay(int expectedCode, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CrossCheck());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] a = new String[args.length + 1];
        a[0] = "replay";
        System.arraycopy(args, 0, a, 1, args.length);
        int code = cl.execute(a);
        String all = out + "\n" + err;
        assertEquals(expectedCode, code, all);
        return all;
    }

    private Path copyFixture(String set) throws IOException {
        Path dir = tmp.resolve("recorded" + set);
        Files.createDirectories(dir.resolve("rounds"));
        for (String f : new String[] {"audit.log", "keys.txt", "gateway.pub"}) {
            copy(set, f, dir.resolve(f));
        }
        for (int r = 1; r <= 4; r++) {
            String name = String.format("%020d.journal", r);
            copy(set, "rounds/" + name, dir.resolve("rounds").resolve(name));
        }
        return dir;
    }

    private static void copy(String set, String name, Path to) throws IOException {
        String resource = BASE + set + "/" + name;
        try (InputStream in = RecordedGatewayReplayTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("test resource " + resource + " is missing");
            }
            Files.write(to, in.readAllBytes());
        }
    }
}
