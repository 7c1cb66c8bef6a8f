package org.qoraedge.gateway.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.PipelineSpec;
import org.qoraedge.gateway.aggregation.AggregationSettings;
import org.qoraedge.gateway.aggregation.AggregatorKind;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.broker.EmbeddedBroker;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.daemon.Gateway;
import org.qoraedge.gateway.daemon.GatewayConfig;
import org.qoraedge.gateway.mqtt.MqttLink;
import org.qoraedge.gateway.mqtt.MqttSettings;
import org.qoraedge.gateway.mqtt.PahoReceivePath;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.Topics;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.round.Inbox;
import org.qoraedge.gateway.testing.MosquittoBroker;
import org.qoraedge.gateway.testing.RawMqtt;
import org.qoraedge.gateway.testing.TestNodes;

/**
 * Round latency and throughput over a real broker on loopback: N node clients and the gateway in
 * one JVM, every node publishing one update of dimension d per round, all at once. Not a unit
 * test: run it by hand (docs/PROTOCOL.md has no numbers; the issue's closing note does).
 *
 * <pre>
 * java -cp ... org.qoraedge.gateway.bench.RoundBench [mosquitto|embedded] [nodes] [dimension] [rounds]
 *     [krum|multi-krum|mean] [f] [common|pairwise] [hmac-sha256|ed25519]
 * </pre>
 *
 * With {@code -Dbench.noState=true} (in-process gateway only) nothing is persisted, to measure what
 * the state directory costs. Per round it prints: the end-to-end round time (first update sent to every node holding the
 * new model), the ingest time (first update sent to last update accepted by the gateway), the
 * gateway's close latency (last update accepted to new model computed), and the update
 * throughput in updates/s and MB/s of frames.
 */
public final class RoundBench {
    private RoundBench() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            // Node clients and a daemon may still be running: exit, do not hang.
            t.printStackTrace();
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroy);
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        String brokerKind = arg(args, 0, "mosquitto");
        int n = Integer.parseInt(arg(args, 1, "50"));
        int d = Integer.parseInt(arg(args, 2, "100000"));
        int rounds = Integer.parseInt(arg(args, 3, "5"));
        AggregatorKind agg = AggregatorKind.parse(arg(args, 4, "multi-krum"));
        int f = Integer.parseInt(arg(args, 5, String.valueOf(Math.max(0, (n - 3) / 4))));
        Metric metric = AggregationSettings.parseMetric(arg(args, 6, "common"));
        SignatureScheme scheme = SignatureScheme.ofKeyFileName(arg(args, 7, "hmac-sha256"));
        // Optional: jar=PATH runs the gateway as the daemon jar in its own JVM (xmx=SIZE caps its heap),
        // so its heap is measured alone; round figures then come from its audit records.
        // jfr=FILE records a profile of the daemon's JVM.
        // pipeline=LINE replaces the aggregator, f and metric by a pipeline line (docs/PROTOCOL.md section 8.1);
        // weighting=true turns on reputation.weighting.
        String jar = null;
        String xmx = "64m";
        List<String> jvmArgs = new ArrayList<>(); // jvm=ARG (repeatable): one more option for the daemon's JVM
        String pipeline = null;
        boolean weighting = false;
        String jfr = null;
        StringBuilder extraConfig = new StringBuilder();
        for (String a : args) {
            if (a.startsWith("jar=")) {
                jar = a.substring(4);
            } else if (a.startsWith("xmx=")) {
                xmx = a.substring(4);
            } else if (a.startsWith("jvm=")) {
                jvmArgs.add(a.substring(4));
            } else if (a.startsWith("pipeline=")) {
                pipeline = a.substring("pipeline=".length());
            } else if (a.equals("weighting=true")) {
                weighting = true;
            } else if (a.startsWith("jfr=")) {
                jfr = a.substring(4);
            } else if (a.startsWith("config=")) {
                extraConfig.append(a.substring("config=".length())).append('\n'); // config=KEY=VALUE: one more line of the daemon's config
            }
        }
        Path tmp = Files.createTempDirectory("qora-bench");

        List<NodeCredentials> creds = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            creds.add(TestNodes.credentials(String.format("node-%03d", i), scheme == SignatureScheme.ED25519));
        }
        Path keys = TestNodes.writeRegistry(tmp.resolve("keys.txt"), creds);
        System.out.printf(Locale.ROOT, "bench: broker=%s nodes=%d d=%d rounds=%d aggregator=%s f=%d metric=%s scheme=%s frame=%d bytes%n",
                brokerKind, n, d, rounds, agg.wireName(), f, metric.name().toLowerCase(Locale.ROOT), scheme.keyFileName(),
                Frame.size(5, 8, 5, d, scheme));
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.arch"));

        AutoCloseable broker;
        String uri;
        int port;
        if (brokerKind.equals("mosquitto")) {
            MosquittoBroker m = MosquittoBroker.start(tmp.resolve("mosquitto"));
            broker = m;
            uri = m.uri();
            port = m.port();
        } else {
            EmbeddedBroker e = EmbeddedBroker.start(EmbeddedBroker.options().port(0).maxMessageBytes(2 * Frame.maxSize(d) + 4096));
            broker = e;
            uri = e.uri();
            port = e.port();
        }
        BlockingQueue<Closed> reports = new LinkedBlockingQueue<>();
        GatewayConfig cfg = GatewayConfig.builder().brokerUri(uri).fleet("bench").keysFile(keys).aggregator(agg).metric(metric)
                .f(f).minUpdates(1).dimension(d).modelId("bench").deadline(Duration.ofSeconds(120)).maxRounds(rounds)
                .stateDir(Boolean.getBoolean("bench.noState") ? null : tmp.resolve("state")).inboxCapacity(4 * n)
                .inboxMaxBytes(Math.max(Inbox.DEFAULT_MAX_BYTES, 4 * Frame.maxUpdateSize(d))) // the smallest a model of d allows; the daemon gets it too
                .pipeline(pipeline == null ? null : PipelineSpec.parse(pipeline)).reputation(weighting
                        ? ReputationSettings.fromProperties(weightingOn()) : ReputationSettings.defaults()).build();
        if (pipeline != null) {
            System.out.println("rule: " + cfg.aggregation().ruleName() + (weighting ? ", reputation-weighted" : ""));
        }
        System.out.println("state directory: " + (cfg.stateDir() == null ? "none (-Dbench.noState=true: nothing persisted)"
                : cfg.stateDir() + " (journal forced before acks, state and audit written at each close)"));
        long startNanos = System.nanoTime();
        Gateway gw = null;
        Process daemon = null;
        MqttLink audit = null;
        byte[] daemonGatewayKey = null;
        List<String> daemonCommand = null; // the daemon starts once every node is connected and the ceiling measured
        if (jar == null) {
            gw = Gateway.start(cfg, Gateway.Options.external().listener(r -> reports.add(new Closed(r.round(), r.aggregated(),
                    r.failure(), r.acceptedIds().size(), r.result() == null ? 0 : r.result().selected().length, r.closeNanos(),
                    r.modelDigest(), System.nanoTime()))));
            System.out.printf(Locale.ROOT, "gateway start: %.0f ms (in this JVM)%n", (System.nanoTime() - startNanos) / 1e6);
        } else {
            Topics topics = new Topics("bench");
            audit = new MqttLink(MqttSettings.builder(uri, "bench-audit").build(), List.of(new MqttLink.Subscription(topics.audit(), 1)),
                    (topic, msg) -> {
                        AuditRecord t = AuditLog.verify(new String(msg.getPayload(), StandardCharsets.UTF_8), null);
                        reports.add(new Closed(t.round(), t.aggregated(), t.failure(), t.canonicalOrder().size(),
                                t.selected().length, t.timing().closeMicros() * 1000, t.modelAfter(), System.nanoTime()));
                    }, null, null);
            audit.connect();
            Path props = tmp.resolve("gw.properties");
            String rule = pipeline != null ? "aggregator = " + pipeline + (weighting ? "\nreputation.weighting = true" : "")
                    : "aggregator = " + agg.wireName() + "\nmetric = " + metric.name().toLowerCase(Locale.ROOT) + "\nf = " + f;
            Files.writeString(props, "broker.uri = " + uri + "\nfleet = bench\nkeys.file = keys.txt\n" + rule
                    + "\nmodel.id = bench\nmodel.dimension = " + d
                    + "\nround.deadlineMillis = 120000\nround.max = " + rounds + "\ninbox.capacity = " + (4 * n)
                    + "\ninbox.maxBytes = " + cfg.inboxMaxBytes() + "\nstate.dir = state\n"
                    + extraConfig);
            daemonGatewayKey = Gateway.publicKey(GatewayConfig.load(props)); // created before the daemon starts, which then uses it
            Path gcLog = tmp.resolve("gateway-gc.log");
            List<String> command = new ArrayList<>(List.of("java", "-Xmx" + xmx, "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "--add-modules",
                    "jdk.incubator.vector", "-Xlog:gc:file=" + gcLog));
            if (jfr != null) {
                // jfr=FILE: a profile of the gateway's JVM (jfr print --events jdk.ExecutionSample FILE).
                command.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
            }
            command.addAll(jvmArgs);
            command.addAll(List.of("-jar", jar, "run", "--config", props.toString()));
            daemonCommand = command;
        }
        byte[] gatewayKey = gw != null ? gw.publicKey() : daemonGatewayKey;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<NodeClient> nodes = new ArrayList<>();
        for (NodeCredentials c : creds) {
            nodes.add(NodeClient.builder(uri, "bench", c).gatewayKey(gatewayKey).connectTimeout(Duration.ofSeconds(120)).build());
        }
        long connectStart = System.nanoTime();
        List<Future<?>> connects = new ArrayList<>();
        for (NodeClient nc : nodes) {
            connects.add(pool.submit(() -> {
                nc.connect();
                return null;
            }));
        }
        for (Future<?> c : connects) {
            c.get();
        }
        System.out.printf(Locale.ROOT, "%d node clients connected in %.1f s%n", n, (System.nanoTime() - connectStart) / 1e9);
        // Updates prepared before timing: honest noise around a common direction.
        Bfp16Block[][] updates = new Bfp16Block[rounds + 1][n];
        for (int r = 1; r <= rounds; r++) {
            for (int i = 0; i < n; i++) {
                SplittableRandom common = new SplittableRandom(r);
                SplittableRandom own = new SplittableRandom(r * 7919L + i);
                float[] x = new float[d];
                for (int k = 0; k < d; k++) {
                    x[k] = (float) ((common.nextDouble() - 0.5) * 0.1 + (own.nextDouble() - 0.5) * 0.01);
                }
                updates[r][i] = Bfp16.encode(x);
            }
        }
        // The ceiling, measured in this run before the rounds: the same n publishers send n frames of the
        // update's size at once, received by a bare socket client that only reads and acknowledges them,
        // then by an MQTT link of this build (Paho, as the gateway and the nodes use it).
        int frameBytes = Math.toIntExact(Frame.size(5, 8, 5, d, scheme));
        double rawMBs = ceiling(nodes, pool, frameBytes, "bench/ceiling/raw", () -> {
            RawMqtt sub = RawMqtt.connect(port, "bench-ceiling-raw", true, 120_000);
            sub.subscribe("bench/ceiling/raw", 1);
            return received -> {
                int publishes = 0;
                while (publishes < received) {
                    if ((sub.receiveAndAck() >>> 32) == RawMqtt.PUBLISH) {
                        publishes++;
                    }
                }
                sub.close();
            };
        });
        double pahoMBs = ceiling(nodes, pool, frameBytes, "bench/ceiling/paho", () -> {
            CountDownLatch got = new CountDownLatch(n);
            MqttLink sub = new MqttLink(MqttSettings.builder(uri, "bench-ceiling-paho").build(),
                    List.of(new MqttLink.Subscription("bench/ceiling/paho", 1)), (topic, msg) -> got.countDown(), null, null);
            sub.connect();
            return received -> {
                if (!got.await(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the Paho subscriber got " + (n - got.getCount()) + " of " + n + " frames");
                }
                sub.close();
            };
        });
        System.out.printf(Locale.ROOT, "ceiling: %d frames of %d bytes sent at once by the %d node clients: a bare socket subscriber"
                + " receives %.1f MB/s (the broker alone), an MQTT link of this build (%s) %.1f MB/s%n", n, frameBytes, n, rawMBs,
                PahoReceivePath.bulk() ? "bulk decoding" : "Paho's byte-per-call decoding", pahoMBs);
        if (daemonCommand != null) {
            daemon = new ProcessBuilder(daemonCommand)
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("gateway.log").toFile()).start();
            System.out.printf(Locale.ROOT, "gateway: daemon jar in its own JVM, -Xmx%s, -XX:+UseSerialGC, --add-modules jdk.incubator.vector (as the systemd unit), log %s, GC log %s%n", xmx,
                    tmp.resolve("gateway.log"), tmp.resolve("gateway-gc.log"));
        }
        double[] roundMs = new double[rounds];
        double[] ingestMs = new double[rounds];
        double[] closeMs = new double[rounds];
        double[][] cpuMs = new double[3][rounds]; // gateway daemon, this JVM (the nodes), the whole machine
        long maxRssKiB = -1;
        for (int r = 1; r <= rounds; r++) {
            RoundStart[] starts = new RoundStart[n];
            byte[][] frames = new byte[n][];
            for (int i = 0; i < n; i++) {
                starts[i] = nodes.get(i).awaitRound(r, Duration.ofSeconds(120));
                frames[i] = nodes.get(i).encodeUpdate(r, "bench", updates[r][i]);
            }
            CountDownLatch sent = new CountDownLatch(n);
            long[] cpu0 = cpuMillis(daemon);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int idx = i;
                pool.execute(() -> {
                    try {
                        NodeClient nc = nodes.get(idx);
                        nc.publishRaw(nc.topics().update(nc.nodeId()), frames[idx]);
                    } catch (Exception e) {
                        e.printStackTrace();
                    } finally {
                        sent.countDown();
                    }
                });
            }
            Closed rep = reports.poll(180, TimeUnit.SECONDS);
            if (rep == null) {
                throw new IllegalStateException("round " + r + " did not close");
            }
            long closedAt = rep.seenNanos();
            if (r < rounds) {
                for (NodeClient nc : nodes) {
                    nc.awaitRound(r + 1, Duration.ofSeconds(120));
                }
            }
            long t1 = System.nanoTime();
            long[] cpu1 = cpuMillis(daemon);
            for (int k = 0; k < 3; k++) {
                cpuMs[k][r - 1] = cpu1[k] < 0 || cpu0[k] < 0 ? -1 : cpu1[k] - cpu0[k];
            }
            sent.await();
            closeMs[r - 1] = rep.closeNanos() / 1e6;
            ingestMs[r - 1] = (closedAt - rep.closeNanos() - t0) / 1e6;
            roundMs[r - 1] = (r < rounds ? t1 - t0 : closedAt - t0) / 1e6;
            if (daemon != null) {
                maxRssKiB = Math.max(maxRssKiB, procStatusKiB(daemon.pid(), "VmRSS"));
            }
            double mb = (double) n * frames[0].length / 1e6;
            // From the close seen here (its audit record or listener call) to every node holding the next round's model.
            String broadcast = r < rounds ? String.format(Locale.ROOT, ", then %.0f ms to every node", (t1 - closedAt) / 1e6) : "";
            System.out.printf(Locale.ROOT, "round %d: %s, accepted %d, selected %d, round %.0f ms%s, ingest %.0f ms (%.0f updates/s, %.1f MB/s), close %.0f ms%s, model %s%n",
                    r, rep.aggregated() ? "aggregated" : "FAILED " + rep.failure(), rep.accepted(), rep.selected(), roundMs[r - 1],
                    r < rounds ? " (to every node holding the new model)" : " (to close; last round)", ingestMs[r - 1],
                    n / (ingestMs[r - 1] / 1e3), mb / (ingestMs[r - 1] / 1e3), closeMs[r - 1], broadcast, rep.modelDigest().substring(0, 16));
        }
        System.out.printf(Locale.ROOT, "median: round %.0f ms, ingest %.0f ms, close %.0f ms%n", median(roundMs), median(ingestMs),
                median(closeMs));
        // CPU time over each round (first update sent to every node holding the model), less noisy than the
        // wall clock when comparing builds: the gateway's process, this JVM's nodes, and all processes
        // (busy time of every core, the broker and anything else running included).
        System.out.printf(Locale.ROOT, "median CPU per round: gateway %.0f ms, nodes (this JVM) %.0f ms, whole machine %.0f ms%n",
                median(cpuMs[0]), median(cpuMs[1]), median(cpuMs[2]));
        long peakRssKiB = daemon == null ? -1 : procStatusKiB(daemon.pid(), "VmHWM");
        pool.shutdownNow();
        for (NodeClient nc : nodes) {
            nc.close();
        }
        if (gw != null) {
            gw.close();
        }
        if (daemon != null) {
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroy();
            }
            audit.close();
            System.out.println("gateway daemon exit code " + daemon.waitFor() + "; last GC lines:");
            List<String> gc = Files.readAllLines(tmp.resolve("gateway-gc.log"));
            for (String line : gc.subList(Math.max(0, gc.size() - 4), gc.size())) {
                System.out.println("  " + line);
            }
            long maxAfter = 0;
            Matcher m;
            for (String line : gc) {
                m = Pattern.compile("->(\\d+)M\\(").matcher(line);
                if (m.find()) {
                    maxAfter = Math.max(maxAfter, Long.parseLong(m.group(1)));
                }
            }
            System.out.println("gateway heap: largest live set after a GC " + maxAfter + " MiB (cap -Xmx" + xmx + ")");
            System.out.println(peakRssKiB < 0 ? "gateway RSS: not measured (no /proc/<pid>/status on this system)"
                    : String.format(Locale.ROOT, "gateway RSS: largest after a round %.0f MiB, peak (VmHWM) %.0f MiB", maxRssKiB / 1024.0,
                            peakRssKiB / 1024.0));
        }
        broker.close();
        System.exit(0);
    }

    /** A subscriber for the ceiling: connected and subscribed when returned, then waits for the frames. */
    private interface Receiver {
        void await(int frames) throws Exception;
    }

    /** Opens a {@link Receiver}. */
    private interface ReceiverFactory {
        Receiver open() throws Exception;
    }

    /** MB/s from the first publish to the last frame received, every node publishing one frame at once. */
    private static double ceiling(List<NodeClient> nodes, ExecutorService pool, int frameBytes, String topic, ReceiverFactory subscriber)
            throws Exception {
        Receiver receiver = subscriber.open();
        byte[] frame = new byte[frameBytes];
        new SplittableRandom(1).nextBytes(frame);
        long t0 = System.nanoTime();
        for (NodeClient nc : nodes) {
            pool.execute(() -> {
                try {
                    nc.publishRaw(topic, frame);
                } catch (IOException e) {
                    e.printStackTrace();
                }
            });
        }
        receiver.await(nodes.size());
        return (double) nodes.size() * frameBytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    /** A closed round as seen by the bench (from a listener in-process, or from the audit topic). */
    private record Closed(long round, boolean aggregated, String failure, int accepted, int selected, long closeNanos,
            String modelDigest, long seenNanos) {
    }

    /** CPU milliseconds so far: of the daemon's process (-1 without one or without /proc), of this JVM, of every core's busy time. */
    private static long[] cpuMillis(Process daemon) {
        long own = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000L;
        return new long[] {daemon == null ? -1 : procTicks(Path.of("/proc", Long.toString(daemon.pid()), "stat"), true), own,
            procTicks(Path.of("/proc/stat"), false)};
    }

    /** utime + stime of a process's stat file, or the busy jiffies of /proc/stat's cpu line, in ms (100 ticks a second); -1 when unreadable. */
    private static long procTicks(Path file, boolean process) {
        try {
            String text = Files.readString(file);
            long ticks = 0;
            if (process) {
                String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
                ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
            } else {
                String[] f = text.substring(0, text.indexOf('\n')).split("\\s+");
                for (int i = 1; i < f.length; i++) {
                    if (i <= 3 || (i >= 6 && i <= 8)) { // user, nice, system, irq, softirq, steal (not idle, iowait, guest)
                        ticks += Long.parseLong(f[i]);
                    }
                }
            }
            return ticks * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A {@code kB} field of /proc/PID/status (VmRSS, VmHWM), or -1 when there is none (not Linux, process gone). */
    private static long procStatusKiB(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static Properties weightingOn() {
        Properties p = new Properties();
        p.setProperty(ReputationSettings.WEIGHTING, "true");
        return p;
    }

    private static String arg(String[] args, int i, String def) {
        return args.length > i ? args[i] : def;
    }
}
