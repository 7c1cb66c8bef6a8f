package org.qoraedge.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.state.GatewayState;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateFile;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.TcpProxy;
import org.qoraedge.gateway.testing.TestNodes;
import org.tinylog.Logger;

/**
 * A soak under faults: the gateway daemon in its own JVM, Mosquitto (persistence on) in its own
 * process, six nodes each behind its own fault-injecting {@link TcpProxy}. A schedule drawn from a
 * seed picks, for each round, faults at random moments: the gateway killed with SIGKILL (and
 * started again), Mosquitto stopped (SIGTERM or SIGKILL) and started again on the same port, a
 * node's connection cut, delayed or half-closed. Nodes keep going: they reconnect, and while the
 * round they published for is still the current one they publish again after a while (the gateway
 * refuses the copy as a duplicate when the first one got through).
 *
 * <p>Checked at each gateway kill (before the restart): the state file reads, the audit log's
 * complete lines verify, and the state's round follows the last audit record (or the one the
 * state carries and the next start appends). At the end: the whole audit log verifies with the
 * gateway's key; each round is recorded exactly once, in order, aggregated with all six updates;
 * each starts from the previous round's model and ends with the model computed here by the
 * reference Multi-Krum; each replays bit for bit from its kept frames; reputation folds from the
 * records; the state's round is the last audit round + 1; every update that was in a journal
 * when the gateway was killed is accepted in that round's record (no accepted update lost); no
 * frame is accepted twice; and every frame the broker acknowledged to a node reached the gateway,
 * except after a SIGKILL of Mosquitto (which loses what it had not saved).
 *
 * <p>Short by default (CI: 12 rounds, every kind of fault at least once); the soak: {@code -Dqora.soak.rounds=300 -Dqora.soak.seed=N}
 * (docs/FAULTS.md).
 */
class FaultSoakTest {
    private static final String FLEET = "soak";
    private static final int D = 16;
    private static final int NODES = 6;
    private static final Duration RESEND = Duration.ofSeconds(4);
    private static final long ROUND_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(3);

    @TempDir
    Path tmp;

    private final List<NodeCredentials> nodes = TestNodes.fleet("node-", NODES);
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    /** Frames a node published and the broker acknowledged: frame digest -> "node round seq". */
    private final Map<String, String> brokerAcked = new ConcurrentHashMap<>();
    /** Frame digests that were in a journal (accepted) when the gateway was killed, by round. */
    private final Map<Long, Set<String>> journaledAtKill = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> figures = new ConcurrentHashMap<>();
    private final List<Process> gateways = new ArrayList<>();
    private volatile boolean stop;
    /** Rounds that took longer than 15 s to close (faults included), with their time in ms. */
    private final Map<Long, Long> slowRounds = new TreeMap<>();

    private void count(String what) {
        figures.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private long figure(String what) {
        AtomicLong v = figures.get(what);
        return v == null ? 0 : v.get();
    }

    @Test
    void roundsUnderGatewayKillsBrokerRestartsAndBrokenConnectionsLoseNothing() throws Exception {
        int rounds = Integer.getInteger("qora.soak.rounds", 12);
        long seed = Long.getLong("qora.soak.seed", 20261204L);
        long started = System.nanoTime();
        MosquittoBroker.requireBinary();
        if (System.getProperty("qora.soak.dir") != null) { // keep everything (state, logs) for a look afterwards
            tmp = Files.createDirectories(Path.of(System.getProperty("qora.soak.dir")).toAbsolutePath());
            try (Stream<Path> old = Files.list(tmp)) {
                // A soak resumed from another run's state would check that run's rounds too.
                assertTrue(old.findAny().isEmpty(), tmp + " is not empty: give qora.soak.dir a new or empty directory");
            }
        }
        MosquittoBroker mosquitto = MosquittoBroker.startPersistent(tmp.resolve("mosquitto"));
        List<TcpProxy> proxies = new ArrayList<>();
        List<NodeClient> clients = new ArrayList<>();
        List<Thread> drivers = new ArrayList<>();
        ScheduledExecutorService restorer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-restorer");
            t.setDaemon(true);
            return t;
        });
        Path state = tmp.resolve("state");
        byte[] gatewayKey;
        Process gw = null;
        try {
            Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), nodes);
            Path props = tmp.resolve("gateway.properties");
            Files.writeString(props, String.join("\n", "broker.uri = " + mosquitto.uri(), "fleet = " + FLEET, "keys.file = " + keys,
                    "aggregator = multi-krum", "f = 1", "model.id = m-soak", "model.dimension = " + D,
                    "round.deadlineMillis = 120000", "state.dir = " + state, "state.keepFrames = -1", ""), StandardCharsets.UTF_8);
            gatewayKey = Gateway.publicKey(GatewayConfig.load(props));
            gw = startGateway(props);
            for (NodeCredentials c : nodes) {
                TcpProxy proxy = new TcpProxy(mosquitto.port());
                proxies.add(proxy);
                NodeClient n = NodeClient.builder(proxy.uri(), FLEET, c).gatewayKey(gatewayKey)
                        .connectTimeout(Duration.ofSeconds(30)).publishTimeout(Duration.ofSeconds(5)).build();
                n.connect();
                clients.add(n);
                Thread t = new Thread(() -> drive(n, rounds), "soak-driver-" + c.nodeId());
                t.setDaemon(true);
                drivers.add(t);
                t.start();
            }
            SplittableRandom schedule = new SplittableRandom(seed);
            long roundStarted = System.nanoTime();
            for (long r = 1; r <= rounds; r++) {
                awaitOpen(state, r, gw);
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - roundStarted);
                roundStarted = System.nanoTime();
                if (r > 1 && took > 15_000) {
                    synchronized (slowRounds) {
                        slowRounds.put(r - 1, took);
                    }
                }
                // The schedule for round r: each kind of fault with its own probability, at random moments.
                boolean proxyFault = schedule.nextInt(100) < 35;
                int proxyKind = schedule.nextInt(4); // cut, delay, half-close toward the broker, toward the node
                int victim = schedule.nextInt(NODES);
                long proxyAt = schedule.nextInt(600);
                long proxyFor = 200 + schedule.nextInt(1800);
                boolean brokerRestart = schedule.nextInt(100) < 5;
                boolean brokerSigkill = schedule.nextBoolean();
                // Every kind at least once in every ten rounds, so that a short run covers them all.
                if (r % 10 == 4 || r % 10 == 8) {
                    brokerRestart = true;
                    brokerSigkill = r % 10 == 8;
                }
                long brokerAt = schedule.nextInt(600);
                long brokerDown = schedule.nextInt(1000);
                boolean gatewayKill = schedule.nextInt(100) < 20;
                long gatewayAt = schedule.nextInt(1500);
                if (r % 10 == 6) {
                    gatewayKill = true;
                }
                if (r % 10 == 2 || r % 10 == 9) {
                    proxyFault = true;
                    proxyKind = r % 10 == 2 ? 0 : 1;
                }
                if (proxyFault) {
                    Thread.sleep(proxyAt);
                    TcpProxy p = proxies.get(victim);
                    switch (proxyKind) {
                        case 0 -> {
                            p.cut();
                            count("proxy cut");
                            restorer.schedule(() -> {
                                try {
                                    p.restore();
                                } catch (IOException e) {
                                    failures.add("proxy restore: " + e);
                                }
                            }, proxyFor, TimeUnit.MILLISECONDS);
                        }
                        case 1 -> {
                            p.delay(50 + proxyFor / 4);
                            count("proxy delay");
                            restorer.schedule(() -> p.delay(0), proxyFor, TimeUnit.MILLISECONDS);
                        }
                        default -> {
                            p.halfClose(proxyKind == 2);
                            count(proxyKind == 2 ? "proxy half-close toward broker" : "proxy half-close toward node");
                        }
                    }
                }
                if (brokerRestart) {
                    Thread.sleep(brokerAt);
                    mosquitto.stop(brokerSigkill);
                    count(brokerSigkill ? "mosquitto SIGKILL + restart" : "mosquitto SIGTERM + restart");
                    Thread.sleep(brokerDown);
                    mosquitto = mosquitto.restart();
                }
                if (gatewayKill) {
                    Thread.sleep(gatewayAt);
                    gw = killAndRestart(gw, props, state, gatewayKey);
                }
                if (!mosquitto.isAlive()) {
                    count("unexpected mosquitto exits");
                    fail("mosquitto exited by itself: " + Files.readString(mosquitto.dir().resolve("mosquitto.log")));
                }
                if (r % 25 == 0) { // a checkpoint while the gateway runs: the complete lines of the log verify
                    List<AuditRecord> recs = AuditLog.verifyFile(state.resolve(StateStore.AUDIT_LOG), gatewayKey).records();
                    assertTrue(recs.size() >= r - 1 && recs.get(recs.size() - 1).round() == recs.size(), "checkpoint at round " + r);
                    count("checkpoints (audit log verified while running)");
                    writeReport(seed, r - 1 + " of " + rounds + " rounds closed, in progress", started);
                }
                if (!failures.isEmpty()) {
                    fail("failures: " + failures + logs());
                }
            }
            awaitOpen(state, rounds + 1, gw);
            stop = true;
            for (Thread t : drivers) {
                t.join(30_000);
            }
        } finally {
            stop = true;
            restorer.shutdownNow();
            for (NodeClient n : clients) {
                n.close();
            }
            if (gw != null) {
                gw.destroy();
                gw.waitFor(30, TimeUnit.SECONDS);
                gw.destroyForcibly();
            }
            for (TcpProxy p : proxies) {
                p.close();
            }
            mosquitto.close();
        }
        assertTrue(failures.isEmpty(), "failures: " + failures + logs());
        check(state, gatewayKey, rounds);
        Logger.info(writeReport(seed, rounds + " rounds, all checks passed", started));
    }

    /** Writes the figures so far to {@code qora.soak.report} (default target/fault-soak-report.txt). */
    private String writeReport(long seed, String what, long started) throws IOException {
        long wall = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        StringBuilder sb = new StringBuilder("fault soak: seed " + seed + ", " + what + ", " + wall + " s\n");
        new TreeMap<>(figures).forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
        synchronized (slowRounds) {
            sb.append("  rounds slower than 15 s (round=ms): ").append(slowRounds).append('\n');
        }
        Path report = Path.of(System.getProperty("qora.soak.report", "target/fault-soak-report.txt"));
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, sb.toString(), StandardCharsets.UTF_8);
        return sb.toString();
    }

    /** A node: for each round, publish; while the round stays open, publish again every {@link #RESEND}. */
    private void drive(NodeClient n, int rounds) {
        long r = 1;
        try {
            while (!stop) {
                RoundStart s;
                try {
                    s = n.awaitRound(r, Duration.ofSeconds(1));
                } catch (TimeoutException notYet) {
                    continue;
                }
                r = s.round();
                if (r > rounds) {
                    return;
                }
                Bfp16Block update = TestNodes.update(n.nodeId(), r, D, false);
                long lastTry = Long.MIN_VALUE / 2;
                boolean first = true;
                while (!stop && n.currentRound().round() == r) {
                    if (System.nanoTime() - lastTry >= RESEND.toNanos()) {
                        if (!first) {
                            count("node resends");
                        }
                        first = false;
                        byte[] frame = n.encodeUpdate(r, s.announcement().modelId(), update);
                        lastTry = System.nanoTime();
                        try {
                            n.publishRaw(n.topics().update(n.nodeId()), frame);
                            brokerAcked.put(Digests.hex(frame), n.nodeId() + " round " + r);
                        } catch (IOException unsure) {
                            count("node publishes not acknowledged by the broker");
                        }
                    }
                    Thread.sleep(50);
                }
                r = r + 1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failures.add(n.nodeId() + ": " + e);
        }
    }

    /** Waits until round {@code r} is being collected (rounds before it committed). */
    private void awaitOpen(Path state, long r, Process gw) throws Exception {
        long end = System.currentTimeMillis() + ROUND_TIMEOUT_MS;
        while (stateRound(state) < r) {
            if (!gw.isAlive()) {
                count("unexpected gateway exits");
                fail("the gateway exited by itself with " + gw.exitValue() + logs());
            }
            if (System.currentTimeMillis() > end) {
                fail("round " + (r - 1) + " did not close within " + ROUND_TIMEOUT_MS + " ms; state round " + stateRound(state) + logs());
            }
            Thread.sleep(20);
        }
    }

    private static long stateRound(Path state) {
        try {
            Path f = state.resolve(StateStore.STATE_FILE);
            return Files.exists(f) ? StateFile.read(f).round() : 1;
        } catch (IOException | RuntimeException e) {
            return 0; // being replaced: an atomic rename, the next read sees a whole file
        }
    }

    /**
     * SIGKILL, then, before the restart: the state and the audit log are consistent, and the
     * accepted frames of the open round's journal are noted (each must be in that round's record).
     */
    private Process killAndRestart(Process gw, Path props, Path state, byte[] gatewayKey) throws Exception {
        gw.destroyForcibly().waitFor();
        count("gateway SIGKILL + restart");
        GatewayState st = StateFile.read(state.resolve(StateStore.STATE_FILE));
        List<AuditRecord> recs = AuditLog.verifyFile(state.resolve(StateStore.AUDIT_LOG), gatewayKey).records();
        long lastAudited = recs.isEmpty() ? 0 : recs.get(recs.size() - 1).round();
        if (lastAudited == st.round() - 2 && st.lastAuditLine() != null) {
            count("kills between the state file and the audit append");
            assertEquals(st.round() - 1, AuditLog.verify(st.lastAuditLine(), gatewayKey).round(), "the state carries the missing line");
        } else {
            assertEquals(st.round() - 1, lastAudited, "state round " + st.round() + " follows the last audit round");
        }
        Path journal = state.resolve(StateStore.ROUNDS_DIR).resolve(StateStore.journalName(st.round()));
        if (Files.exists(journal)) {
            RoundJournal.Contents c = RoundJournal.read(journal, true);
            Set<String> accepted = journaledAtKill.computeIfAbsent(st.round(), k -> ConcurrentHashMap.newKeySet());
            for (RoundJournal.Entry e : c.entries()) {
                if (e.type() == RoundJournal.ACCEPTED) {
                    accepted.add(Digests.hex(e.payload()));
                    count("journaled updates at kills");
                }
            }
            if (c.tornBytes() > 0) {
                count("torn journal tails at kills");
            }
        }
        return startGateway(props);
    }

    private Process startGateway(Path props) throws IOException {
        Path log = tmp.resolve("gateway-" + gateways.size() + ".log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m",
                "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1", "-Dtinylog.configuration=tinylog.properties", "-cp",
                System.getProperty("java.class.path"), "org.qoraedge.gateway.daemon.GatewayMain", "run", "--config", props.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        gateways.add(p);
        return p;
    }

    private void check(Path state, byte[] gatewayKey, int rounds) throws Exception {
        AuditLog.Verified v = AuditLog.verifyFile(state.resolve(StateStore.AUDIT_LOG), gatewayKey);
        List<AuditRecord> recs = v.records();
        assertTrue(recs.size() >= rounds, "records: " + recs.size());
        Bfp16Block model = ModelUpdate.zeros(D);
        AggregationSettings agg = new AggregationSettings(AggregatorKind.MULTI_KRUM, AggregationSettings.parseMetric("common"), 1, 0, 1);
        Map<String, Long> acceptedIn = new HashMap<>();
        Set<String> seenByGateway = new HashSet<>();
        for (int i = 0; i < recs.size(); i++) {
            AuditRecord r = recs.get(i);
            assertEquals(i + 1, r.round(), "each round recorded once, in order");
            if (!r.aggregated()) {
                count("failed-closed rounds");
                fail("round " + r.round() + " failed closed: " + r.failure());
            }
            assertEquals(NODES, r.canonicalOrder().size(), "round " + r.round() + " aggregates every node: " + r.canonicalOrder());
            assertEquals(Digests.block(model), r.modelBefore(), "round " + r.round() + " starts from the previous model");
            for (AuditRecord.FrameEntry e : r.frames()) {
                seenByGateway.add(e.frameDigest());
                if (e.accepted()) {
                    Long before = acceptedIn.put(e.frameDigest(), r.round());
                    assertEquals(null, before, "frame " + e.frameDigest() + " accepted twice");
                } else {
                    count("refused frames: " + e.status());
                }
            }
            if (r.timing().restarts() > 0) {
                count("rounds continued after a gateway restart");
            }
            RoundBuffer buf = RoundBufferFactory.reference().open(r.round(), D, agg);
            for (NodeCredentials c : nodes) {
                buf.add(c.nodeId(), TestNodes.update(c.nodeId(), r.round(), D, false));
            }
            AggregationResult res = buf.close();
            model = ModelUpdate.add(model, res.aggregate());
            assertEquals(Digests.block(model), r.modelAfter(), "round " + r.round() + " model");
            ReplayReport rep = Replay.replay(r, RoundJournal.read(state.resolve(StateStore.ROUNDS_DIR)
                    .resolve(StateStore.journalName(r.round())), false));
            assertTrue(rep.matches(), "round " + r.round() + " replays: " + rep.lines());
            count("rounds recorded, aggregated and replayed");
        }
        // No accepted update lost: what a journal held when the gateway was killed is accepted in that round's record.
        long lost = 0;
        Map<String, String> lostList = new LinkedHashMap<>();
        for (Map.Entry<Long, Set<String>> e : journaledAtKill.entrySet()) {
            if (e.getKey() > recs.size()) {
                continue; // the round still open at the end
            }
            for (String digest : e.getValue()) {
                if (!Long.valueOf(e.getKey()).equals(acceptedIn.get(digest))) {
                    lost++;
                    lostList.put(digest, "round " + e.getKey() + " (accepted in " + acceptedIn.get(digest) + "; record: "
                            + recs.get((int) (e.getKey() - 1)).frames() + ")");
                }
            }
        }
        figures.put("accepted updates lost", new AtomicLong(lost));
        assertEquals(0, lost, "journaled updates missing from their round's record: " + lostList);
        // Frames the broker acknowledged to a node and the gateway never saw (refused frames count as seen).
        long lastRound = recs.get(recs.size() - 1).round();
        long unseen = 0;
        for (Map.Entry<String, String> e : brokerAcked.entrySet()) {
            long round = Long.parseLong(e.getValue().substring(e.getValue().lastIndexOf(' ') + 1));
            if (round < lastRound && !seenByGateway.contains(e.getKey())) {
                unseen++;
            }
        }
        figures.put("broker-acknowledged frames the gateway never saw", new AtomicLong(unseen));
        if (figure("mosquitto SIGKILL + restart") == 0) {
            assertEquals(0, unseen, "every frame the broker acknowledged reached the gateway");
        }
        ReputationReplay.Result rep = ReputationReplay.check(recs);
        assertTrue(rep.matches(), rep.mismatch());
        GatewayState st = StateFile.read(state.resolve(StateStore.STATE_FILE));
        assertEquals(lastRound + 1, st.round(), "the state's round follows the last audit round");
        figures.put("rounds aggregated twice", new AtomicLong(0)); // asserted above: each round number once, in order
        figures.put("gateway processes", new AtomicLong(gateways.size()));
    }

    private String logs() {
        StringBuilder sb = new StringBuilder();
        for (int i = Math.max(0, gateways.size() - 2); i < gateways.size(); i++) {
            Path f = tmp.resolve("gateway-" + i + ".log");
            try {
                String s = Files.exists(f) ? Files.readString(f) : "";
                sb.append("\n--- gateway process ").append(i).append(" ---\n").append(s.length() > 4000 ? s.substring(s.length() - 4000) : s);
            } catch (IOException e) {
                sb.append("\n(").append(f).append(": ").append(e).append(')');
            }
        }
        return sb.toString();
    }
}
