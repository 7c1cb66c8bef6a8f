package org.qoraedge.crosscheck;

import org.qoraedge.crosscheck.bench.BenchCommand;
import org.qoraedge.crosscheck.replay.ReplayCommand;
import org.qoraedge.crosscheck.report.CompareCommand;
import org.qoraedge.crosscheck.stress.StressCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cross-check} command line: conformance, stress, compare, bench, and replay of a gateway's audit log. */
@Command(name = "cross-check", mixinStandardHelpOptions = true, version = "cross-check 0.1.0",
        description = "Checks that this platform computes BFP-16 Krum results bit for bit as the spec says.",
        subcommands = {RunCommand.class, StressCommand.class,
            CompareCommand.class, BenchCommand.class,
            ReplayCommand.class})
public final class CrossCheck implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int execute(String... args) {
        return new CommandLine(new CrossCheck()).execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: run, stress, compare, bench or replay");
    }
}
