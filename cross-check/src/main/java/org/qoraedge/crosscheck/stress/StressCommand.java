package org.qoraedge.crosscheck.stress;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.qoraedge.crosscheck.PlatformInfo;
import org.qoraedge.crosscheck.Platforms;
import org.qoraedge.crosscheck.report.DigestReport;
import org.qoraedge.fixedpoint.fast.FastKrum;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cross-check stress}: seeded rounds of every family, one digest plus one per family. */
@Command(name = "stress", mixinStandardHelpOptions = true,
        description = "Runs seeded stress rounds (encoder, distances, Krum, Multi-Krum, means, order) and prints their digests.")
public final class StressCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the SplitMix64 stream (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rounds", defaultValue = "100", description = "Rounds; each makes one case of every family (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--nodes-max", defaultValue = "64", description = "Largest round, 3..64 (default ${DEFAULT-VALUE}).")
    int maxNodes;

    @Option(names = "--dim-max", defaultValue = "4096", description = "Largest dimension, 1..4096 (default ${DEFAULT-VALUE}).")
    int maxDim;

    @Option(names = "--json", paramLabel = "FILE", description = "Write a JSON platform report here.")
    Path json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PlatformInfo platform = PlatformInfo.current(Platforms.vectorized());
        DigestReport report = StressRun.run(new StressRun.Parameters(seed, rounds, maxNodes, maxDim), platform);
        out.printf("%-20s %6s  %s%n", "family", "cases", "digest");
        for (Map.Entry<String, DigestReport.Group> g : report.groups().entrySet()) {
            out.printf("%-20s %6d  %s%n", g.getKey(), g.getValue().cases(), g.getValue().digest());
        }
        out.println(platform.line());
        out.printf("stress: seed=%d rounds=%d nodes-max=%d dim-max=%d, %d ms%n", seed, rounds, maxNodes, maxDim, report.millis());
        out.println("stress digest: " + report.digest());
        if (json != null) {
            report.write(json);
        }
        if (report.failed() > 0) {
            StringBuilder where = new StringBuilder();
            for (Map.Entry<String, DigestReport.Group> g : report.groups().entrySet()) {
                if (g.getValue().failed() > 0) {
                    where.append(where.length() == 0 ? "" : ", ").append(g.getKey()).append(' ').append(g.getValue().failed());
                }
            }
            spec.commandLine().getErr().println("FAILED: the fast path disagrees with the reference in " + report.failed()
                    + " case(s) (" + where + "; " + FastKrum.implementation() + ")");
            return 1;
        }
        return 0;
    }
}
