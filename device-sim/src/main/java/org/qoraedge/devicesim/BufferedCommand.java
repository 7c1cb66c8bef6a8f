package org.qoraedge.devicesim;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.mqtt.BufferedScenario;
import org.qoraedge.devicesim.report.BufferedReport;
import org.qoraedge.devicesim.sim.AggregatorSpec;
import org.qoraedge.devicesim.sim.Fleet;
import org.qoraedge.devicesim.sim.NodeSpeeds;
import org.qoraedge.devicesim.sim.SimConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code device-sim buffered}: synchronous against buffered rounds on the same fleet of nodes with
 * heterogeneous speeds, each over MQTT through a real gateway ({@link BufferedScenario}); prints the
 * accuracy at the same virtual times and at the same numbers of updates, writes the CSV and two plots.
 */
@Command(name = "buffered", mixinStandardHelpOptions = true,
        description = "Synchronous rounds against buffered asynchronous ones (round.mode = buffered) on the same fleet over MQTT,"
                + " nodes of seeded heterogeneous speeds on a virtual clock; writes OUT/buffered.csv, OUT/buffered-time.png and"
                + " OUT/buffered-updates.png.")
final class BufferedCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    DeviceSim.RunOptions run;

    @Option(names = "--byzantine", defaultValue = "0", description = "how many nodes are Byzantine (default: ${DEFAULT-VALUE})")
    int byzantine;

    @Option(names = "--attack", defaultValue = "none", description = "model-level attack spec, e.g. sign-flip, alie (default: ${DEFAULT-VALUE})")
    String attack;

    @Option(names = "--aggregator", defaultValue = "multikrum-common",
            description = "the rule: mean | multikrum-common | multikrum-pairwise [:m=M], or a pipeline that averages"
                    + " (default: ${DEFAULT-VALUE}); Multi-Krum and the mean take f = the Byzantine count in the synchronous"
                    + " run and --buffer-f in the buffered one")
    String aggregator;

    @Option(names = "--buffer-aggregator", description = "the buffered gateway's rule when it differs (a pipeline names its own f)")
    String bufferAggregator;

    @Option(names = "--buffer-size", defaultValue = "10", description = "round.bufferSize B (default: ${DEFAULT-VALUE})")
    int bufferSize;

    @Option(names = "--max-staleness", defaultValue = "4", description = "round.maxStaleness S (default: ${DEFAULT-VALUE})")
    int maxStaleness;

    @Option(names = "--server-step-shift", defaultValue = "0",
            description = "round.serverStepShift k: the buffered gateway adds each buffer's aggregate times 2^-k (default: ${DEFAULT-VALUE})")
    int serverStepShift;

    @Option(names = "--buffer-f", defaultValue = "-1",
            description = "f of the buffered gateway's rule (default: the Byzantine count, at most B: attackers can send first after"
                    + " every version and take that many seats of each buffer)")
    int bufferF;

    @Option(names = "--mean-train-ms", defaultValue = "1000",
            description = "a typical node's training time per update, virtual ms (default: ${DEFAULT-VALUE}); each node's pace is"
                    + " this times a seeded factor in [0.5, 1.5)")
    long meanTrainMillis;

    @Option(names = "--slow-fraction", defaultValue = "0.1", description = "fraction of the nodes that are slow, drawn from the seed"
            + " (default: ${DEFAULT-VALUE})")
    double slowFraction;

    @Option(names = "--slow-factor", defaultValue = "10", description = "how many times slower they are (default: ${DEFAULT-VALUE})")
    double slowFactor;

    @Option(names = "--fast-byzantine", description = "Byzantine nodes send 1 virtual ms after each model they take, in the"
            + " buffered run (they need not train); default: at the fleet's speeds")
    boolean fastByzantine;

    @Option(names = "--broker", description = "external MQTT broker tcp://host:port (default: each gateway's embedded broker)")
    String broker;

    @Option(names = "--out", defaultValue = "buffered-out", description = "output directory (default: ${DEFAULT-VALUE})")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        DeviceSim.quietLogging();
        PrintWriter out = spec.commandLine().getOut();
        SimConfig cfg = run.builder().byzantine(byzantine).attack(attack).aggregator(aggregator).build();
        NodeSpeeds speeds = new NodeSpeeds(cfg.seed(), cfg.nodes(), slowFraction, slowFactor, meanTrainMillis);
        BufferedScenario.Settings settings = new BufferedScenario.Settings(bufferSize, maxStaleness, serverStepShift, bufferF,
                bufferAggregator == null ? null : AggregatorSpec.parse(bufferAggregator), speeds, broker, fastByzantine);
        TrainTest data = run.load();
        Files.createDirectories(outDir);
        List<String> byz = Fleet.byzantineIds(cfg);
        out.println("sync against buffered over MQTT: " + cfg.dataset() + ", " + cfg.model() + ", " + speeds + ", "
                + cfg.byzantine() + " Byzantine (" + (cfg.attackFree() ? "no attack" : cfg.attack()) + "), sync "
                + cfg.aggregator().id() + " for " + cfg.rounds() + " rounds, buffered B = " + bufferSize + ", S = " + maxStaleness
                + ", server step 2^-" + serverStepShift
                + ", " + (bufferAggregator != null ? bufferAggregator : cfg.aggregator().id())
                + (fastByzantine ? ", Byzantine nodes send at once" : "") + ", seed " + cfg.seed() + ", broker "
                + (broker == null ? "embedded" : broker));
        out.println("Byzantine: " + (byz.isEmpty() ? "none" : String.join(" ", byz)));
        out.flush();
        BufferedScenario.Comparison c = BufferedScenario.run(cfg, data, settings, (mode, p) -> {
            if (mode.equals("sync") || p.version() % 10 == 0) {
                out.printf(Locale.ROOT, "%-8s %5d  t = %8.1f s  updates %6d  accuracy %.2f%%%n", mode, p.version(),
                        p.virtualMillis() / 1000.0, p.received(), 100 * p.accuracy());
                out.flush();
            }
        });
        out.printf(Locale.ROOT, "buffered gateway's f: %d; updates the nodes discarded as too stale: %d; real time: sync %.1f s,"
                + " buffered %.1f s%n", c.bufferF(), c.discarded(), c.syncWallMillis() / 1000.0, c.bufferedWallMillis() / 1000.0);
        out.println();
        out.println("accuracy at the same virtual time:");
        out.print(BufferedReport.byTime(c, 10));
        out.println();
        out.println("accuracy after the same number of updates received:");
        out.print(BufferedReport.byUpdates(c, 10));
        out.println();
        out.print(BufferedReport.summary(c));
        Path csv = outDir.resolve("buffered.csv");
        BufferedReport.writeCsv(c, csv);
        String title = String.format(Locale.ROOT, "%s, %d nodes (%d %.0fx slower), %d Byzantine: sync vs buffered B=%d S=%d step 2^-%d",
                cfg.dataset(), cfg.nodes(), speeds.slowCount(), slowFactor, cfg.byzantine(), bufferSize, maxStaleness, serverStepShift);
        BufferedReport.plot(c, title, outDir.resolve("buffered-time.png"), outDir.resolve("buffered-updates.png"));
        out.println("wrote " + csv + ", " + outDir.resolve("buffered-time.png") + ", " + outDir.resolve("buffered-updates.png"));
        return 0;
    }
}
