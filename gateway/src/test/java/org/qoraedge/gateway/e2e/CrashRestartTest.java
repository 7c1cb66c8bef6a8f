package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.gateway.aggregation.AggregationResult;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.aggregation.RoundBuffer;
import org.qoraedge.gateway.aggregation.RoundBufferFactory;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.audit.ReputationReplay;
import org.qoraedge.gateway.broker.EmbeddedBroker;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.client.TopKSparsifier;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.state.FaultInjection;
import org.qoraedge.gateway.state.GatewayState;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateFile;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * The gateway daemon in its own JVM, killed at chosen points of a round (the JVM halts as under
 * {@code kill -9}) or by SIGKILL at arbitrary moments, and restarted on the same state directory,
 * while six nodes keep publishing through a broker that outlives it. Afterwards: the audit chain
 * verifies, every round is recorded exactly once with all six updates, each round starts from the
 * previous round's model, every round replays bit for bit from its kept frames, and the final model
 * equals the one computed here without any crash.
 */
class CrashRestartTest {
    private static final String FLEET = "crash";
    private static final int D = 256;
    private static final int ROUNDS = 4;
    private static final List<String> SPARSE_NODES = List.of("node-01", "node-02");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", 6);

    @ParameterizedTest
    @EnumSource(FaultInjection.Point.class)
    void aGatewayKilledAtAPointOfRoundTwoLosesNothing(FaultInjection.Point point) throws Exception {
        run(List.of(point.name() + "@2"), 0);
    }

    @Test
    void aGatewayKilledBySigkillAtArbitraryMomentsLosesNothing() throws Exception {
        run(List.of(), 3);
    }

    @Test
    void aGatewayKilledBySigkillAndAtACrashPointLosesNothingOnMosquitto() throws Exception {
        try (MosquittoBroker mosquitto = MosquittoBroker.start(tmp.resolve("mosquitto"))) {
            run(mosquitto.uri(), List.of(FaultInjection.Point.AFTER_JOURNAL_APPEND.name() + "@2"), 2);
        }
    }

    /**
     * Runs {@link #ROUNDS} rounds: the first gateway process crashes at each fault spec in turn
     * (each restart gets the next spec, the last one none), then {@code sigkills} more times the
     * running gateway is killed with SIGKILL after a pseudo-random delay.
     */
    private void run(List<String> faults, int sigkills) throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBroker.options().port(0))) {
            run(broker.uri(), faults, sigkills);
        }
    }

    /** The same against a broker already running at {@code brokerUri} (in its own process or this JVM). */
    private void run(String brokerUri, List<String> faults, int sigkills) throws Exception {
        Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes);
        Path state = tmp.resolve("state");
        {
            Path config = tmp.resolve("gateway.properties");
            Files.writeString(config, String.join("\n", "broker.uri = " + brokerUri, "fleet = " + FLEET,
                    "keys.file = " + keys, "aggregator = multi-krum", "f = 1", "model.id = m-crash", "model.dimension = " + D,
                    "round.deadlineMillis = 60000", "state.dir = " + state, "state.keepFrames = -1", ""), StandardCharsets.UTF_8);
            List<Process> processes = new ArrayList<>();
            int next = 0;
            Process gw = start(config, faults.isEmpty() ? null : faults.get(next++), processes);
            byte[] gatewayKey = awaitGatewayKey(state);
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> drivers = new ArrayList<>();
            List<NodeClient> clients = new ArrayList<>();
            try {
                for (NodeCredentials c : nodes) {
                    // node-01 and node-02 send SPARSE UPDATE frames: recovery reads them back from the journal
                    NodeClient n = NodeClient.builder(brokerUri, FLEET, c).gatewayKey(gatewayKey)
                            .density(SPARSE_NODES.contains(c.nodeId()) ? 0.25 : 1.0)
                            .connectTimeout(Duration.ofSeconds(10)).build();
                    n.connect();
                    clients.add(n);
                    Thread t = new Thread(() -> drive(n, failures), "driver-" + c.nodeId());
                    t.setDaemon(true);
                    drivers.add(t);
                    t.start();
                }
                SplittableRandom random = new SplittableRandom(20261121L);
                int killed = 0;
                long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (committedRounds(state) < ROUNDS) {
                    assertTrue(System.nanoTime() < end, "rounds did not complete; committed " + committedRounds(state)
                            + ", gateway output: " + output(processes));
                    if (!gw.isAlive()) {
                        assertEquals(137, gw.exitValue(), "the gateway stopped, but not at a crash point: " + output(processes));
                        gw = start(config, next < faults.size() ? faults.get(next++) : null, processes);
                    } else if (killed < sigkills && committedRounds(state) >= killed) {
                        Thread.sleep(200 + random.nextInt(1500));
                        gw.destroyForcibly().waitFor(); // SIGKILL
                        killed++;
                        gw = start(config, null, processes);
                    }
                    Thread.sleep(20);
                }
                for (Thread t : drivers) {
                    t.join(WAIT.toMillis());
                }
                assertTrue(failures.isEmpty(), "node drivers failed: " + failures);
                assertEquals(faults.size(), next, "every fault point was reached: " + output(processes));
            } finally {
                for (NodeClient n : clients) {
                    n.close();
                }
                gw.destroy();
                gw.waitFor(30, TimeUnit.SECONDS);
                gw.destroyForcibly();
            }
            check(state, gatewayKey, faults);
        }
    }

    private void check(Path state, byte[] gatewayKey, List<String> faults) throws Exception {
        AuditLog.Verified v = AuditLog.verifyFile(state.resolve(StateStore.AUDIT_LOG), gatewayKey);
        List<AuditRecord> recs = v.records();
        assertTrue(recs.size() >= ROUNDS, "records: " + recs.size());
        Bfp16Block model = ModelUpdate.zeros(D);
        AggregationSettings agg = new AggregationSettings(AggregatorKind.MULTI_KRUM, AggregationSettings.parseMetric("common"), 1, 0, 1);
        boolean restartedMidRound = false;
        Map<String, TopKSparsifier> mirrors = new HashMap<>();
        for (String id : SPARSE_NODES) {
            mirrors.put(id, new TopKSparsifier(0.25));
        }
        for (int i = 0; i < ROUNDS; i++) {
            AuditRecord r = recs.get(i);
            assertEquals(i + 1, r.round(), "rounds are recorded once each, in order");
            assertTrue(r.aggregated(), "round " + r.round() + ": " + r.failure());
            assertEquals(6, r.canonicalOrder().size(), "round " + r.round() + " has every update: " + r.canonicalOrder());
            assertEquals(Digests.block(model), r.modelBefore(), "round " + r.round() + " starts from the previous model");
            restartedMidRound |= r.timing().restarts() > 0;
            // The round computed here, without the gateway: the reference Multi-Krum over the same updates.
            RoundBuffer buf = RoundBufferFactory.reference().open(r.round(), D, agg);
            for (NodeCredentials c : nodes) {
                Bfp16Block u = TestNodes.update(c.nodeId(), r.round(), D, false);
                // a sparse node's update as the gateway densifies it: its selection, one per round in order
                buf.add(c.nodeId(), SPARSE_NODES.contains(c.nodeId()) ? mirrors.get(c.nodeId()).select(u).densify() : u);
            }
            AggregationResult res = buf.close();
            model = ModelUpdate.add(model, res.aggregate());
            assertEquals(Digests.block(model), r.modelAfter(), "round " + r.round() + " model");
            assertEquals(res.scoresDigest(), Digests.scores(r.scores()), "round " + r.round() + " scores");
            ReplayReport rep = Replay.replay(r, RoundJournal.read(state.resolve(StateStore.ROUNDS_DIR)
                    .resolve(StateStore.journalName(r.round())), false));
            assertTrue(rep.matches(), "round " + r.round() + " replays: " + rep.lines());
        }
        // Reputation restored from the state after each crash equals reputation folded from the records alone.
        ReputationReplay.Result rep = ReputationReplay.check(recs);
        assertTrue(rep.matches(), rep.mismatch());
        assertEquals(recs.size(), rep.roundsChecked());
        GatewayState st = StateFile.read(state.resolve(StateStore.STATE_FILE));
        assertTrue(st.round() > ROUNDS, "state round " + st.round());
        boolean midRoundFault = faults.stream().anyMatch(f -> f.startsWith("AFTER_JOURNAL") || f.startsWith("DURING")
                || f.startsWith("BEFORE") || f.startsWith("MID"));
        if (midRoundFault) {
            assertTrue(restartedMidRound, "a record counts the restart inside its round");
        }
        assertFalse(Files.exists(state.resolve("gateway.state.tmp")) && faults.isEmpty(), "no temp state left behind");
    }

    private static void drive(NodeClient n, ConcurrentLinkedQueue<Throwable> failures) {
        try {
            long r = 1;
            while (r <= ROUNDS) {
                RoundStart s = n.awaitRound(r, WAIT);
                n.publishUpdate(s, TestNodes.update(n.nodeId(), s.round(), D, false));
                r = s.round() + 1;
            }
        } catch (Exception e) {
            failures.add(e);
        }
    }

    /** Rounds committed so far: the state file's round minus one (0 before the first close). */
    private static long committedRounds(Path state) {
        try {
            Path f = state.resolve(StateStore.STATE_FILE);
            return Files.exists(f) ? StateFile.read(f).round() - 1 : 0;
        } catch (IOException | RuntimeException e) {
            return 0; // being replaced right now: an atomic rename, so the next read sees a whole file
        }
    }

    private Process start(Path config, String fault, List<Process> processes) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx128m");
        if (fault != null) {
            cmd.add("-Dqora.faultInjection=" + fault);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.qoraedge.gateway.daemon.GatewayMain");
        cmd.add("run");
        cmd.add("--config");
        cmd.add(config.toString());
        File log = tmp.resolve("gateway-" + processes.size() + ".log").toFile();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        processes.add(p);
        return p;
    }

    private String output(List<Process> processes) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < processes.size(); i++) {
            Path f = tmp.resolve("gateway-" + i + ".log");
            String s = Files.exists(f) ? Files.readString(f) : "";
            sb.append("\n--- gateway process ").append(i).append(" ---\n").append(s.length() > 4000 ? s.substring(s.length() - 4000) : s);
        }
        return sb.toString();
    }

    private static byte[] awaitGatewayKey(Path state) throws Exception {
        Path f = state.resolve("gateway.key");
        long end = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(f) || KeyFiles.read(f).isEmpty()) {
            assertTrue(System.nanoTime() < end, "the gateway did not create its key");
            Thread.sleep(20);
        }
        return Ed25519Keys.publicKeyOf(KeyFiles.read(f).get(0).key());
    }
}
