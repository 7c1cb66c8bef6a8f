package org.qoraedge.devicesim;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.qoraedge.devicesim.attack.AttackCatalogue;
import org.qoraedge.devicesim.attack.ProtocolAttackSpec;
import org.qoraedge.devicesim.data.DatasetLoadException;
import org.qoraedge.devicesim.data.Datasets;
import org.qoraedge.devicesim.data.Partition;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.mqtt.ExternalFleet;
import org.qoraedge.devicesim.mqtt.ExternalGateway;
import org.qoraedge.devicesim.mqtt.MqttScenario;
import org.qoraedge.devicesim.mqtt.ProtocolFrames;
import org.qoraedge.devicesim.report.Charts;
import org.qoraedge.devicesim.report.JsonReport;
import org.qoraedge.devicesim.report.MatrixReport;
import org.qoraedge.devicesim.report.RoundTable;
import org.qoraedge.devicesim.sim.AggregatorSpec;
import org.qoraedge.devicesim.sim.Fleet;
import org.qoraedge.devicesim.sim.InProcessSimulator;
import org.qoraedge.devicesim.sim.MatrixCell;
import org.qoraedge.devicesim.sim.MatrixRunner;
import org.qoraedge.devicesim.sim.RoundRecord;
import org.qoraedge.devicesim.sim.SimConfig;
import org.qoraedge.devicesim.sim.SimResult;
import org.qoraedge.devicesim.train.TrainingConfig;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.gateway.client.privacy.ZcdpAccountant;
import org.qoraedge.gateway.round.RoundReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The device-sim command line: {@code simulate} (one in-process run), {@code scenario} and
 * {@code demo} (the fleet over MQTT against a real gateway, with model- and protocol-level
 * attacks), {@code matrix} (a grid of runs, in process or over MQTT) and {@code attacks} (the
 * catalogue).
 */
@Command(name = "device-sim", mixinStandardHelpOptions = true, version = "device-sim 0.1.0-SNAPSHOT",
        description = "Simulated federated-learning nodes, honest and Byzantine: in-process rounds, or a fleet over MQTT against a real gateway.",
        subcommands = {DeviceSim.Simulate.class, DeviceSim.Scenario.class, DeviceSim.Demo.class, DeviceSim.Matrix.class, DeviceSim.ListAttacks.class,
            BufferedCommand.class,
            NodeCommand.class})
public final class DeviceSim implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with its error handling: a refusal (bad setting, missing or malformed
     * dataset file, an aggregator refusing a round) prints one line naming the problem and exits 1;
     * anything else is a bug and keeps its stack trace.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new DeviceSim());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof DeviceSimException || ex instanceof DatasetLoadException
                    || ex instanceof FixedPointException) {
                cmd.getErr().println("device-sim " + cmd.getCommandName() + ": " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** How a node trains locally: shared by the simulations and the node command. */
    static final class TrainingOptions {
        @Option(names = "--epochs", defaultValue = "1", description = "local epochs per round (default: ${DEFAULT-VALUE})")
        int epochs = 1;

        @Option(names = "--batch-size", defaultValue = "32", description = "mini-batch size (default: ${DEFAULT-VALUE})")
        int batchSize = 32;

        @Option(names = "--lr", defaultValue = "0.1", description = "local SGD learning rate (default: ${DEFAULT-VALUE})")
        double lr = 0.1;

        TrainingConfig config() {
            return new TrainingConfig(epochs, batchSize, lr);
        }
    }

    /** Options shared by simulate and matrix. */
    static final class RunOptions {
        @Option(names = "--dataset", defaultValue = "synthetic", description = "synthetic | fashion-mnist (default: ${DEFAULT-VALUE})")
        String dataset;

        @Option(names = "--data-dir", description = "directory of the Fashion-MNIST IDX files (default: /usr/share/datasets/fashion-mnist)")
        Path dataDir;

        @Option(names = "--model", defaultValue = "logreg", description = "logreg | mlp | mlp-N (default: ${DEFAULT-VALUE})")
        String model;

        @Option(names = "--nodes", defaultValue = "20", description = "fleet size (default: ${DEFAULT-VALUE})")
        int nodes;

        @Option(names = "--rounds", defaultValue = "30", description = "rounds (default: ${DEFAULT-VALUE})")
        int rounds;

        @Mixin
        TrainingOptions training = new TrainingOptions();

        @Option(names = "--partition", defaultValue = "iid", description = "iid | dirichlet:ALPHA (default: ${DEFAULT-VALUE})")
        String partition;

        @Option(names = "--krum-f", defaultValue = "-1", description = "f given to Krum/Multi-Krum (default: the Byzantine count)")
        int krumF;

        @Option(names = "--seed", defaultValue = "1", description = "run seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--threads", defaultValue = "0", description = "training threads per round (default: available processors)")
        int threads;

        SimConfig.Builder builder() {
            return SimConfig.builder().dataset(dataset).model(model).nodes(nodes).rounds(rounds)
                    .training(training.config()).partition(Partition.parse(partition))
                    .krumF(krumF).seed(seed)
                    .threads(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        }

        TrainTest load() throws Exception {
            return Datasets.load(dataset, dataDir, seed);
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = "One in-process run: prints the per-round table, writes the JSON report and the accuracy plot.")
    static final class Simulate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        RunOptions run;

        @Option(names = "--byzantine", defaultValue = "0", description = "how many nodes are Byzantine (default: ${DEFAULT-VALUE})")
        int byzantine;

        @Option(names = "--byzantine-ids", split = ",", description = "exactly which nodes are Byzantine (default: drawn from the seed)")
        List<String> byzantineIds = new ArrayList<>();

        @Option(names = "--attack", defaultValue = "none", description = "attack spec, e.g. sign-flip, scaling:lambda=-4, alie (default: ${DEFAULT-VALUE})")
        String attack;

        @Option(names = "--aggregator", defaultValue = "multikrum-common",
                description = "mean | krum-common | krum-pairwise | multikrum-common | multikrum-pairwise [:m=M], or a pipeline"
                        + " in the gateway's syntax, e.g. \"norm-screen(2, 2) > nnm(2) > multi-krum(2)\" (default: ${DEFAULT-VALUE})")
        String aggregator;

        @Option(names = "--report", description = "JSON report file")
        Path report;

        @Option(names = "--plot", description = "accuracy curve PNG file")
        Path plot;

        @Mixin
        ChannelOptions channel;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            TrainTest data = run.load();
            SimConfig cfg = channel.apply(run.builder().byzantine(byzantineIds.isEmpty() ? byzantine : byzantineIds.size())
                    .byzantineIds(byzantineIds).attack(attack).aggregator(aggregator)).build();
            out.println("in-process simulation: " + cfg.dataset() + " (" + data.train().size() + " train, "
                    + data.test().size() + " test), " + cfg.model() + ", " + cfg.nodes() + " nodes, " + cfg.byzantine()
                    + " Byzantine (" + (cfg.attackFree() ? "no attack" : cfg.attack()) + "), " + cfg.aggregator().id()
                    + ", " + cfg.rounds() + " rounds, seed " + cfg.seed());
            List<String> byz = Fleet.byzantineIds(cfg);
            out.println("Byzantine: " + (byz.isEmpty() ? "none" : String.join(" ", byz)) + " (marked * when selected)");
            out.println(RoundTable.header());
            SimResult r = InProcessSimulator.run(cfg, data, rec -> {
                out.println(RoundTable.row(rec, byz));
                out.flush();
            });
            out.println(RoundTable.summary(r));
            out.println(channelSummary(r, channel.dpDelta));
            if (report != null) {
                JsonReport.write(r, report);
                out.println("report: " + report);
            }
            if (plot != null) {
                plotRun(out, "in process", r, data, plot);
            }
            return 0;
        }
    }

    /** The bytes the run's updates took on the wire, and its local DP guarantee. */
    static String channelSummary(SimResult r, double delta) {
        SimConfig cfg = r.config();
        long total = r.rounds().stream().mapToLong(RoundRecord::updateBytes).sum();
        int rounds = Math.max(1, r.rounds().size());
        return String.format(Locale.ROOT, "updates on the wire: %d bytes per round, %.0f per update (density %s, Byzantine density %s)",
                total / rounds, (double) total / rounds / cfg.nodes(), cfg.density(), cfg.byzantineDensity())
                + (cfg.localDp() ? "; " + privacySummary(cfg, rounds, delta) : "");
    }

    /** The local DP of {@code cfg} over {@code rounds} rounds: its (epsilon, delta) per round and over the run. */
    static String privacySummary(SimConfig cfg, int rounds, double delta) {
        if (cfg.dpSigma() <= 0) {
            return String.format(Locale.ROOT, "clipped to %s, no noise (no privacy guarantee)", cfg.dpClip());
        }
        ZcdpAccountant acc = ZcdpAccountant.of(cfg.dpSigma());
        return String.format(Locale.ROOT, "local DP: clip %s, sigma %s, per round (%.4g, %s)-DP, over %d rounds"
                + " (%.4g, %s)-DP (zCDP, Bun and Steinke 2016)", cfg.dpClip(), cfg.dpSigma(), acc.perRound(delta).epsilon(),
                delta, rounds, acc.afterRounds(rounds, delta).epsilon(), delta);
    }

    @Command(name = "scenario", mixinStandardHelpOptions = true,
            description = "The MQTT fleet: an in-process gateway (embedded broker, or --broker) and one node client per"
                    + " node; prints the per-round table, writes the JSON report and the accuracy plot.")
    static final class Scenario implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        RunOptions run;

        @Option(names = "--byzantine", defaultValue = "0", description = "how many nodes are Byzantine (default: ${DEFAULT-VALUE})")
        int byzantine;

        @Option(names = "--byzantine-ids", split = ",", description = "exactly which nodes are Byzantine (default: drawn from the seed)")
        List<String> byzantineIds = new ArrayList<>();

        @Option(names = "--attack", defaultValue = "none", description = "model-level attack spec, e.g. sign-flip, alie (default: ${DEFAULT-VALUE})")
        String attack;

        @Option(names = "--protocol-attack", defaultValue = "none",
                description = "protocol-level attack specs separated by ';' (none | all | stale-replay, wrong-signature, sybil,"
                        + " malformed-truncated, malformed-oversized, malformed-wrong-dimension, malformed-bad-version,"
                        + " flooding, with :name=value parameters); carried out on the wire by the Byzantine nodes"
                        + " (default: ${DEFAULT-VALUE})")
        String protocolAttack;

        @Option(names = "--protocol-attackers", defaultValue = "-1",
                description = "how many of the Byzantine nodes (the first ones) carry out the protocol attacks (default: all)")
        int protocolAttackers;

        @Option(names = "--reputation", defaultValue = "on",
                description = "on | off | weighted: the gateway's reputation ledger and its bans (docs/REPUTATION.md); off, the"
                        + " rounds are exactly the in-process simulator's; weighted, on with reputation.weighting = true (each"
                        + " update weighted by its node's reputation; a pipeline that averages) (default: ${DEFAULT-VALUE}, as the"
                        + " gateway)")
        String reputation;

        @Option(names = "--bans-lower-f", defaultValue = "on",
                description = "on | off: each node the gateway bans lowers the round's f by one (the gateway's"
                        + " round.bansLowerF; default: ${DEFAULT-VALUE}); off keeps f as declared, so a small fleet can"
                        + " fall below Krum's quorum once its attackers are banned")
        String bansLowerF;

        @Option(names = "--aggregator", defaultValue = "multikrum-common",
                description = "mean | krum-common | krum-pairwise | multikrum-common | multikrum-pairwise [:m=M], or a pipeline"
                        + " in the gateway's syntax, e.g. \"norm-screen(2, 2) > nnm(2) > multi-krum(2)\" (default: ${DEFAULT-VALUE})")
        String aggregator;

        @Option(names = "--broker", description = "external MQTT broker tcp://host:port (default: the gateway's embedded broker;"
                + " required with --gateway external: the daemon's broker)")
        String broker;

        @Option(names = "--cohort", defaultValue = "0",
                description = "K: each round asks only a cohort of K nodes drawn by the protocol's rule (the gateway's"
                        + " round.cohort, docs/PROTOCOL.md section 6.2); Krum, Multi-Krum and the mean take f as the fleet's"
                        + " Byzantine share of K, a pipeline keeps its own; 0: every node (default: ${DEFAULT-VALUE})")
        int cohort;

        @Option(names = "--gateway", defaultValue = "in-process",
                description = "in-process | external: start a gateway in this process (default), or join a gateway daemon that"
                        + " runs already (qora-edge-gateway run) on --broker, with the nodes' key files of --keys-dir")
        String gateway;

        @Mixin
        JoinOptions join;

        @Option(names = "--keys-dir", description = "with --gateway external: the directory of the nodes' key files, as the"
                + " gateway's 'keys --out-dir' wrote them (node-01.key ...)")
        Path keysDir;

        @Mixin
        ChannelOptions channel;

        @Option(names = "--max-non-zero", defaultValue = "0",
                description = "the in-process gateway's round.maxNonZero: it refuses updates with more non-zero coordinates"
                        + " (too-dense); 0: no bound (default: ${DEFAULT-VALUE})")
        int maxNonZero;

        @Option(names = "--central-sigma2",
                description = "the in-process gateway's privacy.central.sigma2: central noise of this variance (p/q or p, in"
                        + " the aggregate's LSB^2) on every aggregate, its secret derived from --seed (a simulation;"
                        + " docs/PRIVACY.md); default: none")
        String centralSigma2;

        @Option(names = "--report", description = "JSON report file")
        Path report;

        @Option(names = "--plot", description = "accuracy curve PNG file")
        Path plot;

        private Path keysDir() {
            if (keysDir == null) {
                throw new InvalidConfigException("--keys-dir is required with --gateway external: the directory the gateway's"
                        + " 'keys --out-dir' wrote the nodes' key files to");
            }
            return keysDir;
        }

        @Override
        public Integer call() throws Exception {
            if (gateway.equalsIgnoreCase("external")) {
                CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
                for (String inProcessOnly : List.of("--reputation", "--bans-lower-f", "--cohort", "--max-non-zero",
                        "--central-sigma2")) {
                    if (parsed.hasMatchedOption(inProcessOnly)) {
                        throw new InvalidConfigException(inProcessOnly + " sets the in-process gateway; an external gateway has"
                                + " its own settings (reputation.*, round.bansLowerF in its config)");
                    }
                }
                return runExternal(spec.commandLine().getOut(), run, byzantineIds.isEmpty() ? byzantine : byzantineIds.size(),
                        byzantineIds, attack, protocolAttack, protocolAttackers, parsed.hasMatchedOption("--aggregator")
                                ? aggregator : null, join.gateway(broker), keysDir(), report, plot, channel);
            }
            if (!gateway.equalsIgnoreCase("in-process")) {
                throw new InvalidConfigException("--gateway must be in-process or external, got '" + gateway + "'");
            }
            join.refuseWithoutExternal();
            if (keysDir != null) {
                throw new InvalidConfigException("--keys-dir applies with --gateway external only");
            }
            return runScenario(spec.commandLine().getOut(), run, byzantineIds.isEmpty() ? byzantine : byzantineIds.size(),
                    byzantineIds, attack, protocolAttack, protocolAttackers, reputation.equalsIgnoreCase("weighted")
                    || onOff("--reputation", reputation), onOff("--bans-lower-f", bansLowerF), aggregator, broker, report, plot,
                    reputation.equalsIgnoreCase("weighted"), cohort, channel, maxNonZero, centralSigma2);
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "A preset MQTT scenario: synthetic data, 20 nodes, 6 Byzantine (sign-flip, and a forged"
                    + " signature each round), nearest-neighbour mixing and centered clipping (nnm(6) > centered-clip(6, 3), the gateway's"
                    + " default rule), 10 rounds,"
                    + " embedded broker, the gateway's"
                    + " reputation on (it bans the sign-flippers); writes OUT/demo.json and OUT/demo.png.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--out", defaultValue = "demo-out", description = "output directory (default: ${DEFAULT-VALUE})")
        Path outDir;

        @Option(names = "--broker", description = "external MQTT broker tcp://host:port (default: the gateway's embedded broker)")
        String broker;

        @Option(names = "--reputation", defaultValue = "on",
                description = "on | off: the gateway's reputation ledger (default: ${DEFAULT-VALUE}: it bans the six"
                        + " sign-flippers after five rounds; the 14 honest nodes go on, above the rule's quorum of 13)")
        String reputation;

        @Override
        public Integer call() throws Exception {
            RunOptions run = new RunOptions();
            run.dataset = "synthetic";
            run.model = "logreg";
            run.nodes = 20;
            run.rounds = 10;
            run.partition = "iid";
            run.krumF = -1;
            run.seed = 1;
            run.threads = 0;
            Files.createDirectories(outDir);
            return runScenario(spec.commandLine().getOut(), run, 6, List.of(), "sign-flip", "wrong-signature", -1,
                    onOff("--reputation", reputation), true,
                    "nnm(6) > centered-clip(6,3)", broker, outDir.resolve("demo.json"), outDir.resolve("demo.png"), false);
        }
    }

    static int runScenario(PrintWriter out, RunOptions run, int byzantine, List<String> byzantineIds, String attack,
            String protocolAttack, int protocolAttackers, boolean reputation, boolean bansLowerF, String aggregator, String broker,
            Path report,
            Path plot, boolean weighting) throws Exception {
        return runScenario(out, run, byzantine, byzantineIds, attack, protocolAttack, protocolAttackers, reputation, bansLowerF,
                aggregator, broker, report, plot, weighting, 0, ChannelOptions.none(), 0, null);
    }

    static int runScenario(PrintWriter out, RunOptions run, int byzantine, List<String> byzantineIds, String attack,
            String protocolAttack, int protocolAttackers, boolean reputation, boolean bansLowerF, String aggregator, String broker,
            Path report,
            Path plot, boolean weighting, int cohort, ChannelOptions channel, int maxNonZero, String centralSigma2)
            throws Exception {
        quietLogging();
        List<ProtocolAttackSpec> protocol = ProtocolAttackSpec.parseList(protocolAttack);
        SimConfig cfg = channel.apply(run.builder().byzantine(byzantine).byzantineIds(byzantineIds).attack(attack)
                .aggregator(aggregator)).build();
        TrainTest data = run.load();
        String protocolText = protocol.isEmpty() ? "none"
                : String.join("; ", protocol.stream().map(ProtocolAttackSpec::spec).toList());
        out.println("MQTT scenario: " + cfg.dataset() + " (" + data.train().size() + " train, " + data.test().size()
                + " test), " + cfg.model() + ", " + cfg.nodes() + " nodes, " + cfg.byzantine() + " Byzantine ("
                + (cfg.attackFree() ? "no model attack" : cfg.attack()) + "; protocol: " + protocolText + "), "
                + cfg.aggregator().id() + ", " + cfg.rounds() + " rounds, seed " + cfg.seed() + ", broker "
                + (broker == null ? "embedded" : broker) + ", reputation " + (weighting ? "weighted" : reputation ? "on" : "off")
                + (cohort > 0 ? ", cohort " + cohort + " of " + cfg.nodes() : "")
                + (maxNonZero > 0 ? ", round.maxNonZero " + maxNonZero : "")
                + (centralSigma2 != null ? ", central noise sigma^2 " + centralSigma2 + " LSB^2" : ""));
        List<String> byz = Fleet.byzantineIds(cfg);
        out.println("Byzantine: " + (byz.isEmpty() ? "none" : String.join(" ", byz)) + " (marked * when selected)");
        if (!protocol.isEmpty()) {
            out.println("protocol attackers: " + String.join(" ",
                    MqttScenario.protocolAttackers(cfg, protocol, protocolAttackers)));
        }
        out.println(RoundTable.header());
        out.flush();
        MqttScenario.Options opts = MqttScenario.Options.defaults().broker(broker).protocolAttacks(protocol)
                .protocolAttackers(protocolAttackers).reputation(reputation).bansLowerF(bansLowerF).weighting(weighting)
                .cohort(cohort).maxNonZero(maxNonZero).centralSigma2(centralSigma2);
        MqttScenario.Result res = MqttScenario.run(cfg, data, opts, (rec, gw) -> {
            out.println(RoundTable.row(rec, byz) + (gw.aggregated() ? "" : "  FAILED CLOSED: " + gw.failure()));
            out.flush();
        });
        SimResult r = res.sim();
        out.println(RoundTable.summary(r) + "; " + res.rejectedTotal() + " frames rejected by the gateway"
                + byReason(res.rejectedByReason())
                + (res.failedRounds() > 0 ? "; " + res.failedRounds() + " rounds FAILED CLOSED (no new model)" : ""));
        if (cfg.density() < 1 || cfg.byzantineDensity() < 1 || cfg.localDp()) {
            out.println("updates: density " + cfg.density() + ", Byzantine density " + cfg.byzantineDensity() + " (SPARSE UPDATE"
                    + " frames below 1)" + (cfg.localDp() ? "; " + privacySummary(cfg, cfg.rounds(), channel.dpDelta) : ""));
        }
        if (res.cohortSeats() > 0) {
            out.printf(Locale.ROOT, "cohort seats: %d over %d rounds, Byzantine %d (%.1f%%; %d of %d nodes, %.1f%% of the fleet)%n",
                    res.cohortSeats(), cfg.rounds(), res.byzantineCohortSeats(), 100.0 * res.byzantineCohortSeats() / res.cohortSeats(),
                    byz.size(), cfg.nodes(), 100.0 * byz.size() / cfg.nodes());
        }
        for (ProtocolAttackSpec p : protocol) {
            String reason = ProtocolFrames.expectedOutcome(p.kind());
            out.printf(Locale.ROOT, "  %-26s %6d frames sent, gateway counted %6d %s%n", p.kind().id(),
                    res.framesSent().getOrDefault(p.kind().id(), 0L), res.rejectedByReason().getOrDefault(reason, 0L),
                    reason.equals(ProtocolFrames.NOT_DELIVERED) ? "(never delivered: the gateway subscribes to registered ids only)"
                            : reason);
        }
        long banned = res.rejectedByReason().getOrDefault("banned", 0L);
        if (banned > 0 && !protocol.isEmpty()) {
            out.printf(Locale.ROOT, "  %-26s %6s                 %6d banned: frames of banned nodes (updates and attack frames)"
                    + " are refused as banned before any other check, so an attack's frames sent after its node's ban are"
                    + " counted here, not under its own reason%n", "", "", banned);
        }
        if (report != null) {
            JsonReport.write(scenarioJson(res), report);
            out.println("report: " + report);
        }
        if (plot != null) {
            plotRun(out, "MQTT", r, data, plot);
        }
        out.flush();
        return 0;
    }

    /**
     * Writes the run's plot ({@link Charts#runPlot}); an attacked run is drawn beside the same fleet
     * without the attack, simulated in process for the plot (same seed, shards and rule).
     */
    static void plotRun(PrintWriter out, String transport, SimResult r, TrainTest data, Path plot) throws IOException {
        SimConfig cfg = r.config();
        double[] baseline = null;
        String baselineLabel = "";
        String extra = "";
        if (!cfg.attackFree()) {
            long t0 = System.nanoTime();
            SimResult clean = InProcessSimulator.run(cfg.toBuilder().attack(SimConfig.NO_ATTACK).build(), data, rec -> {
            });
            baseline = MatrixReport.withStart(clean);
            baselineLabel = String.format(Locale.ROOT, "no attack (in process, same fleet and rule): %.2f%%",
                    100 * clean.finalAccuracy());
            extra = String.format(Locale.ROOT, " (with the attack-free baseline, simulated in %.1f s)",
                    (System.nanoTime() - t0) / 1e9);
        }
        String label = String.format(Locale.ROOT, "%s: %.2f%%", cfg.attackFree() ? "no attack" : cfg.attack(),
                100 * r.finalAccuracy());
        Charts.runPlot(transport + ": " + cfg.dataset() + ", " + cfg.model() + ", " + cfg.aggregator().id() + ", "
                + r.byzantineIds().size() + " of " + cfg.nodes() + " Byzantine", label, r, baseline, baselineLabel, plot);
        out.println("plot: " + plot + extra);
    }

    /** " (reason n, reason n)" for a non-empty count by reason. */
    static String byReason(Map<String, Long> counts) {
        if (counts.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        counts.forEach((k, v) -> sb.append(sb.length() == 2 ? "" : ", ").append(k).append(' ').append(v));
        return sb.append(')').toString();
    }

    /** How nodes join a gateway daemon: its fleet, the nodes' key files, broker credentials and TLS. */
    static final class JoinOptions {
        @Option(names = "--fleet", defaultValue = "default", description = "with an external gateway: its fleet (default:"
                + " ${DEFAULT-VALUE}, the gateway's own default)")
        String fleet;

        @Option(names = "--username", description = "broker user name")
        String username;

        @Option(names = "--password", arity = "0..1", interactive = true, description = "broker password (without a value:"
                + " asked for on the terminal)")
        char[] password;

        @Option(names = "--trust-store", description = "PKCS#12 trust store for an ssl:// broker")
        Path trustStore;

        @Option(names = "--trust-store-password", arity = "0..1", interactive = true, description = "its password")
        char[] trustStorePassword;

        ExternalGateway gateway(String broker) {
            if (broker == null) {
                throw new InvalidConfigException("--broker is required to join a gateway daemon: the broker it uses"
                        + " (tcp://127.0.0.1:1883 for 'qora-edge-gateway run --embedded-broker')");
            }
            return new ExternalGateway(broker, fleet, username, password, trustStore, trustStorePassword);
        }

        /** These options only make sense against an external gateway. */
        void refuseWithoutExternal() {
            if (username != null || trustStore != null) {
                throw new InvalidConfigException("--username and --trust-store apply with --gateway external only");
            }
        }
    }

    static int runExternal(PrintWriter out, RunOptions run, int byzantine, List<String> byzantineIds, String attack,
            String protocolAttack, int protocolAttackers, String aggregator, ExternalGateway gateway, Path keysDir, Path report,
            Path plot, ChannelOptions channel) throws Exception {
        quietLogging();
        List<ProtocolAttackSpec> protocol = ProtocolAttackSpec.parseList(protocolAttack);
        SimConfig.Builder b = channel.apply(run.builder().byzantine(byzantine).byzantineIds(byzantineIds).attack(attack));
        if (aggregator != null) {
            b.aggregator(aggregator);
        }
        SimConfig cfg = b.build();
        TrainTest data = run.load();
        out.println("MQTT fleet joining the gateway of fleet " + gateway.fleet() + " on " + gateway.brokerUri() + ": "
                + cfg.dataset() + " (" + data.train().size() + " train, " + data.test().size() + " test), " + cfg.model() + ", "
                + cfg.nodes() + " nodes (keys in " + keysDir + "), " + cfg.byzantine() + " Byzantine ("
                + (cfg.attackFree() ? "no model attack" : cfg.attack()) + "; protocol: "
                + (protocol.isEmpty() ? "none" : String.join("; ", protocol.stream().map(ProtocolAttackSpec::spec).toList()))
                + "), " + cfg.rounds() + " rounds, seed " + cfg.seed());
        List<String> byz = Fleet.byzantineIds(cfg);
        out.println("Byzantine: " + (byz.isEmpty() ? "none" : String.join(" ", byz)) + " (marked * when selected)");
        out.println(RoundTable.header());
        out.flush();
        ExternalFleet.Result res = ExternalFleet.run(cfg, data, gateway, keysDir, protocol, protocolAttackers, aggregator == null,
                (rec, gatewayRound, failure) -> {
                    out.println(RoundTable.row(rec, byz) + "  (gateway round " + gatewayRound + ")"
                            + (failure.isEmpty() ? "" : "  FAILED CLOSED: " + failure));
                    out.flush();
                });
        SimResult r = res.sim();
        long rejected = res.rejectedByReason().values().stream().mapToLong(Long::longValue).sum();
        out.println(RoundTable.summary(r) + "; gateway rounds " + res.firstGatewayRound() + " to "
                + (res.firstGatewayRound() + r.rounds().size() - 1) + "; " + rejected + " frames rejected by the gateway"
                + byReason(res.rejectedByReason())
                + (res.failedRounds() > 0 ? "; " + res.failedRounds() + " rounds FAILED CLOSED (no new model)" : "")
                + (res.recordsMissing() > 0 ? "; " + res.recordsMissing() + " round records not received" : "")
                + (res.recordsRefused() > 0 ? "; " + res.recordsRefused() + " records on the audit topic did not verify" : ""));
        for (ProtocolAttackSpec p : protocol) {
            String reason = ProtocolFrames.expectedOutcome(p.kind());
            out.printf(Locale.ROOT, "  %-26s %6d frames sent, gateway counted %6d %s%n", p.kind().id(),
                    res.framesSent().getOrDefault(p.kind().id(), 0L), res.rejectedByReason().getOrDefault(reason, 0L), reason);
        }
        if (report != null) {
            JsonObject o = JsonReport.toJson(r);
            o.addProperty("transport", "mqtt");
            o.addProperty("gateway", "external");
            o.addProperty("broker", gateway.brokerUri());
            o.addProperty("firstGatewayRound", res.firstGatewayRound());
            JsonObject rej = new JsonObject();
            res.rejectedByReason().forEach(rej::addProperty);
            o.add("rejectedByReason", rej);
            o.addProperty("failedRounds", res.failedRounds());
            JsonReport.write(o, report);
            out.println("report: " + report);
        }
        if (plot != null) {
            plotRun(out, "MQTT, external gateway", r, data, plot);
        }
        out.flush();
        return 0;
    }

    /**
     * The scenario's JSON report: the in-process layout ({@link JsonReport}) with {@code transport}
     * {@code mqtt}, {@code broker}, {@code reputation}, {@code protocolAttacks} (each {@code spec},
     * {@code expectedReason}, {@code framesSent}, {@code rejected}: the gateway's count of that
     * reason), {@code protocolAttackers}, {@code rejectedByReason}, {@code rejectedTotal},
     * {@code failedRounds}, and per round {@code accepted} (updates the gateway accepted),
     * {@code aggregated} and {@code failure} (empty when aggregated, as in the gateway's round
     * record).
     */
    static JsonObject scenarioJson(MqttScenario.Result res) {
        JsonObject o = JsonReport.toJson(res.sim());
        o.addProperty("transport", "mqtt");
        o.addProperty("broker", res.embeddedBroker() ? "embedded" : res.brokerUri());
        o.addProperty("reputation", res.reputation());
        JsonArray attacks = new JsonArray();
        for (ProtocolAttackSpec p : res.protocolAttacks()) {
            String reason = ProtocolFrames.expectedOutcome(p.kind());
            JsonObject a = new JsonObject();
            a.addProperty("spec", p.spec());
            a.addProperty("expectedReason", reason);
            a.addProperty("framesSent", res.framesSent().getOrDefault(p.kind().id(), 0L));
            a.addProperty("rejected", res.rejectedByReason().getOrDefault(reason, 0L));
            attacks.add(a);
        }
        o.add("protocolAttacks", attacks);
        JsonArray ids = new JsonArray();
        res.protocolAttackers().forEach(ids::add);
        o.add("protocolAttackers", ids);
        JsonObject rej = new JsonObject();
        res.rejectedByReason().forEach(rej::addProperty);
        o.add("rejectedByReason", rej);
        o.addProperty("rejectedTotal", res.rejectedTotal());
        JsonArray rounds = o.getAsJsonArray("rounds");
        for (int i = 0; i < rounds.size(); i++) {
            RoundReport gw = res.gatewayReports().get(i);
            rounds.get(i).getAsJsonObject().addProperty("accepted", gw.acceptedIds().size());
            rounds.get(i).getAsJsonObject().addProperty("aggregated", gw.aggregated());
            rounds.get(i).getAsJsonObject().addProperty("failure", gw.aggregated() ? "" : gw.failure());
        }
        o.addProperty("failedRounds", res.failedRounds());
        if (res.cohortSeats() > 0) { // only cohort runs have them
            o.addProperty("cohortSeats", res.cohortSeats());
            o.addProperty("byzantineCohortSeats", res.byzantineCohortSeats());
        }
        return o;
    }

    static boolean onOff(String option, String value) {
        if (value.equalsIgnoreCase("on")) {
            return true;
        }
        if (value.equalsIgnoreCase("off")) {
            return false;
        }
        throw new InvalidConfigException(option + " must be on or off, got '" + value + "'");
    }

    /** The gateway, Paho and Moquette log through tinylog: only errors, on stderr (rejections are in the table). */
    static void quietLogging() {
        if (System.getProperty("tinylog.level") == null) {
            System.setProperty("tinylog.level", "error");
            System.setProperty("tinylog.writer.level", "error");
            System.setProperty("tinylog.writer.stream", "err");
        }
    }

    @Command(name = "matrix", mixinStandardHelpOptions = true,
            description = "A grid of runs (in process, or over MQTT with --transport mqtt): attacks x aggregators x Byzantine"
                    + " fractions; prints a progress line per run; writes matrix.md, matrix.csv, matrix.json, heatmap-f<F>.png"
                    + " and curves-<aggregator>-f<F>.png.")
    static final class Matrix implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        RunOptions run;

        @Option(names = "--attacks", defaultValue = "all", split = ";",
                description = "attack specs separated by ';' ('all': none and every model-level attack with its defaults) (default: ${DEFAULT-VALUE})")
        List<String> attacks;

        @Option(names = "--aggregators", defaultValue = "mean,krum-common,krum-pairwise,multikrum-common,multikrum-pairwise",
                split = ",(?![^()]*\\))", description = "aggregators, comma-separated (a pipeline's own commas, inside its"
                        + " parentheses, do not separate: \"mean,median(1),norm-screen(1, 1) > multi-krum(1)\"; default:"
                        + " ${DEFAULT-VALUE})")
        List<String> aggregators;

        @Option(names = "--byzantine-fractions", defaultValue = "0.3", split = ",",
                description = "fractions of Byzantine nodes; count = floor(fraction * nodes + 1/2) (default: ${DEFAULT-VALUE})")
        List<Double> fractions;

        @Option(names = "--out", defaultValue = "matrix-out", description = "output directory (default: ${DEFAULT-VALUE})")
        Path out;

        @Option(names = "--transport", defaultValue = "in-process",
                description = "in-process | mqtt: each cell an MQTT scenario (a gateway per cell, reputation off, on its"
                        + " embedded broker or --broker); same results, slower (default: ${DEFAULT-VALUE})")
        String transport;

        @Option(names = "--broker", description = "with --transport mqtt: external MQTT broker tcp://host:port (default: each gateway's embedded broker)")
        String broker;

        @Override
        public Integer call() throws Exception {
            PrintWriter o = spec.commandLine().getOut();
            boolean mqtt;
            if (transport.equals("in-process")) {
                mqtt = false;
                if (broker != null) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "--broker needs --transport mqtt");
                }
            } else if (transport.equals("mqtt")) {
                mqtt = true;
                quietLogging();
            } else {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--transport must be in-process or mqtt, got '" + transport + "'");
            }
            List<String> specs = new ArrayList<>();
            for (String a : attacks) {
                if (a.trim().equalsIgnoreCase("all")) {
                    specs.add(SimConfig.NO_ATTACK);
                    specs.addAll(AttackCatalogue.modelLevelIds());
                } else {
                    specs.add(a.trim());
                }
            }
            List<AggregatorSpec> aggs = aggregators.stream().map(AggregatorSpec::parse).toList();
            List<Integer> counts = new ArrayList<>();
            for (double fr : fractions) {
                if (!(fr >= 0 && fr < 0.5)) {
                    throw new CommandLine.ParameterException(new CommandLine(this),
                            "Byzantine fraction must be in [0, 0.5), got " + fr);
                }
                counts.add((int) Math.floor(fr * run.nodes + 0.5));
            }
            TrainTest data = run.load();
            SimConfig base = run.builder().build();
            int total = specs.size() * aggs.size() * counts.size();
            o.printf(Locale.ROOT, "matrix (%s): %s, %s, %d nodes, Byzantine counts %s, %d rounds, %d attacks x %d aggregators x %d"
                    + " fractions = %d runs%n", mqtt ? "MQTT, broker " + (broker == null ? "embedded" : broker) : "in process",
                    base.dataset(), base.model(), base.nodes(), counts, base.rounds(), specs.size(), aggs.size(), counts.size(), total);
            o.flush();
            MatrixRunner.CellRunner runner = mqtt
                    ? (cfg, d) -> MqttScenario.run(cfg, d, MqttScenario.Options.defaults().broker(broker).reputation(false),
                            (rec, rep) -> { }).sim()
                    : MatrixRunner.CellRunner.IN_PROCESS;
            long t0 = System.nanoTime();
            List<MatrixCell> cells = MatrixRunner.run(base, data, specs, aggs, counts, runner, (i, n, c) -> {
                double elapsed = (System.nanoTime() - t0) / 1e9;
                o.printf(Locale.ROOT, "[%d/%d] f=%d %-34s %-20s final %6.2f%%  byz selected %4d  %6.1f s  (elapsed %.0f s, ~%.0f s left)%n",
                        i, n, c.byzantine(), c.attack(), c.aggregator().id(), 100 * c.result().finalAccuracy(),
                        c.result().totalByzantineSelected(), c.result().wallMillis() / 1e3, elapsed, elapsed / i * (n - i));
                o.flush();
            });
            String title = base.dataset() + ", " + base.model() + ", " + base.nodes() + " nodes, " + base.rounds() + " rounds"
                    + (mqtt ? ", over MQTT" : "");
            for (Path p : MatrixReport.write(cells, title, mqtt ? "mqtt" : "in-process", out)) {
                o.println("wrote " + p);
            }
            o.print(MatrixReport.markdown(cells, title));
            o.printf(Locale.ROOT, "total %.1f s%n", (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    @Command(name = "attacks", mixinStandardHelpOptions = true,
            description = "Lists the attack catalogue: model-level (--attack, in process and over MQTT) and protocol-level"
                    + " (--protocol-attack, scenario only).")
    static final class ListAttacks implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().getOut().print(AttackCatalogue.describe());
            spec.commandLine().getOut().flush();
        }
    }
}
