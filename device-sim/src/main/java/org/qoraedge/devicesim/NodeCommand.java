package org.qoraedge.devicesim;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.qoraedge.devicesim.data.FashionMnist;
import org.qoraedge.devicesim.data.LocalData;
import org.qoraedge.devicesim.data.SyntheticSensorData;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.model.Evaluation;
import org.qoraedge.devicesim.model.Model;
import org.qoraedge.devicesim.model.Models;
import org.qoraedge.devicesim.mqtt.BrokerProbe;
import org.qoraedge.devicesim.mqtt.ExternalGateway;
import org.qoraedge.devicesim.mqtt.MqttScenario;
import org.qoraedge.devicesim.train.LocalTraining;
import org.qoraedge.devicesim.train.TrainingConfig;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.random.SplitMix64;
import org.qoraedge.gateway.client.NodeClient;
import org.qoraedge.gateway.client.NodeListener;
import org.qoraedge.gateway.client.RoundStart;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectionNotice;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One sensor node that joins a running gateway (the daemon): its credentials file (written by the
 * gateway's {@code keys} command, the gateway's key pinned in it), its own data, local training from
 * each global model it receives, one signed update per round, one line per round; it stops cleanly
 * on SIGINT or SIGTERM (finishing nothing half-way: an update is either acknowledged by the broker
 * or not sent) and after {@code --rounds} rounds.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "One node joining a running gateway: trains on its own data (the built-in synthetic sensor stream,"
                + " Fashion-MNIST, a CSV file or IDX files) from each global model the gateway publishes, and publishes its"
                + " signed update; one line per round; stops on Ctrl-C / SIGTERM or after --rounds.")
final class NodeCommand implements Callable<Integer> {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration QUIET_HINT = Duration.ofSeconds(30);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--broker", required = true, description = "the gateway's broker, tcp://HOST:PORT or ssl://HOST:PORT")
    String broker;

    @Option(names = "--key", required = true, description = "this node's key file (the gateway's 'keys --out-dir' wrote"
            + " it, e.g. gw/nodes/node-07.key)")
    Path key;

    @Mixin
    DeviceSim.JoinOptions join;

    @Option(names = "--data", defaultValue = "synthetic", description = "synthetic | fashion-mnist | csv:FILE | idx:IMAGES,LABELS"
            + " (default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--classes", description = "classes of the gateway's model, for csv: and idx: data (labels 0 .. C-1)")
    Integer classes;

    @Option(names = "--data-dir", description = "directory of the Fashion-MNIST IDX files (default: /usr/share/datasets/fashion-mnist)")
    Path dataDir;

    @Option(names = "--shard", defaultValue = "1/1", description = "K/N: this node trains on the K-th of N IID shards of the"
            + " data (default: ${DEFAULT-VALUE}, all of it)")
    String shard;

    @Option(names = "--model", defaultValue = "logreg", description = "logreg | mlp | mlp-N (default: ${DEFAULT-VALUE}); its"
            + " size must be the gateway's model.dimension")
    String model;

    @Option(names = "--rounds", defaultValue = "0", description = "stop after this many rounds (default: ${DEFAULT-VALUE},"
            + " run until stopped)")
    int rounds;

    @Mixin
    DeviceSim.TrainingOptions trainingOptions;

    @Option(names = "--density", defaultValue = "1.0", description = "fraction of the update's coordinates sent each"
            + " round, in (0, 1]: below 1 the node sends SPARSE UPDATE frames, top-k by magnitude with error feedback"
            + " (docs/PROTOCOL.md section 4.1) (default: ${DEFAULT-VALUE}, dense)")
    double density;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the shard and of the local shuffling (default:"
            + " ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        DeviceSim.quietLogging();
        PrintWriter out = spec.commandLine().getOut();
        if (rounds < 0) {
            throw new InvalidConfigException("--rounds must be >= 0 (0: until stopped), got " + rounds);
        }
        if (!(density > 0 && density <= 1)) {
            throw new InvalidConfigException("--density must be in (0, 1], got " + density);
        }
        int[] kn = shard(shard);
        ExternalGateway gateway = join.gateway(broker);
        NodeCredentials me = ExternalGateway.readKey(key);
        TrainTest local = load(kn);
        Model m = Models.create(model, local.train().numFeatures(), local.train().numClasses());
        TrainingConfig training = trainingOptions.config();
        String what = model + " on " + data + " (" + local.train().numFeatures() + " features, " + local.train().numClasses()
                + " classes)";
        out.printf(Locale.ROOT, "node %s joining fleet %s on %s: %s, %d training and %d held-out samples%n", me.nodeId(),
                gateway.fleet(), gateway.brokerUri(), what, local.train().size(), local.test().size());
        out.flush();

        AtomicBoolean stopping = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stopping.set(true);
            main.interrupt();
            try {
                done.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "node-shutdown");
        BrokerProbe.check(gateway.brokerUri());
        Runtime.getRuntime().addShutdownHook(hook);
        long played = 0;
        long lastRound = 0;
        try (NodeClient client = gateway.client(me).listener(new NodeListener() {
            @Override
            public void rejected(RejectionNotice n) {
                synchronized (out) {
                    out.println("  the gateway refused this node's frame: " + n);
                    out.flush();
                }
            }
        }).density(density).build()) {
            try {
                client.connect();
            } catch (IOException e) {
                throw new MqttScenario.ScenarioException("cannot connect to " + gateway.brokerUri() + " within "
                        + MqttScenario.CONNECT_TIMEOUT.toSeconds() + " s: " + e.getMessage());
            }
            out.println("connected; waiting for the gateway's round announcement");
            out.flush();
            long next = 1;
            long quietSince = System.nanoTime();
            boolean hinted = false;
            boolean checked = false;
            while (!stopping.get() && (rounds == 0 || played < rounds)) {
                RoundStart r;
                try {
                    r = client.awaitRound(next, POLL);
                } catch (TimeoutException e) {
                    if (!hinted && System.nanoTime() - quietSince > QUIET_HINT.toNanos()) {
                        hinted = true;
                        out.println("no round " + (next == 1 ? "announcement" : ">= " + next) + " for " + QUIET_HINT.toSeconds()
                                + " s: is the gateway running with fleet = " + gateway.fleet() + " on this broker"
                                + (client.refusedMessages() > 0 ? " (" + client.refusedMessages() + " announcements or models"
                                        + " refused: not signed by the pinned gateway key " + key + ")" : "") + "?");
                        out.flush();
                    }
                    continue;
                } catch (InterruptedException e) {
                    break;
                }
                if (!checked) {
                    ExternalGateway.checkDimension(r.announcement(), m, what);
                    checked = true;
                }
                hinted = false;
                if (!client.inCohort(r)) {
                    // The gateway draws a cohort (round.cohort) and did not ask this node: no training, no update.
                    out.println("round " + r.round() + ": not in the cohort the gateway drew; waiting for the next round");
                    out.flush();
                    next = r.round() + 1;
                    quietSince = System.nanoTime();
                    continue;
                }
                long t0 = System.nanoTime();
                float[] global = Bfp16.decode(r.model());
                Evaluation before = m.evaluate(global, local.test());
                float[] update = LocalTraining.update(m, global, local.train(), training,
                        SplitMix64.derive(seed, kn[0], r.round()));
                Bfp16Block block = Bfp16.encode(update);
                long trainMs = (System.nanoTime() - t0) / 1_000_000;
                long sequence;
                try {
                    sequence = client.publishUpdate(r, block);
                } catch (IOException e) {
                    out.println("round " + r.round() + ": update not sent: " + e.getMessage() + " (trying the next round)");
                    out.flush();
                    next = r.round() + 1;
                    continue;
                }
                played++;
                lastRound = r.round();
                out.printf(Locale.ROOT, "round %d  model %s  held-out accuracy %.2f%%  trained in %d ms  update sent (sequence %d,"
                        + " %d bytes on the wire)%n", r.round(), r.announcement().modelDigest().substring(0, 12),
                        100 * before.accuracy(), trainMs, sequence, client.lastUpdateBytes());
                out.flush();
                next = r.round() + 1;
                quietSince = System.nanoTime();
            }
        } finally {
            out.println((stopping.get() ? "stopped" : "done") + ": " + played + " updates sent"
                    + (lastRound > 0 ? ", the last for round " + lastRound : ""));
            out.flush();
            done.countDown();
            if (!stopping.get()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // the JVM is shutting down already
                }
            }
        }
        return 0;
    }

    private TrainTest load(int[] kn) throws Exception {
        String lower = data.strip().toLowerCase(Locale.ROOT);
        boolean file = lower.startsWith("csv:") || lower.startsWith("idx:");
        int c;
        if (file) {
            if (classes == null || classes < 2) {
                throw new InvalidConfigException("--classes C (>= 2) is required with --data " + data
                        + ": the number of classes of the gateway's model");
            }
            c = classes;
        } else {
            if (classes != null) {
                throw new InvalidConfigException("--classes applies to csv: and idx: data; " + data + " has its own classes");
            }
            c = lower.equals("synthetic") ? SyntheticSensorData.CLASS_NAMES.length : FashionMnist.CLASS_NAMES.length;
        }
        return LocalData.load(data, dataDir, kn[0], kn[1], seed, c);
    }

    private static int[] shard(String s) {
        String[] p = s.split("/", -1);
        try {
            if (p.length == 2) {
                return new int[] {Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip())};
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidConfigException("--shard " + s + " is not K/N (for example 3/20)");
    }
}
