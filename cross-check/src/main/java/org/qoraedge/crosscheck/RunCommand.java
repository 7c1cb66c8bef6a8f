package org.qoraedge.crosscheck;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.qoraedge.crosscheck.conformance.ConformanceRun;
import org.qoraedge.crosscheck.conformance.VectorCase;
import org.qoraedge.crosscheck.conformance.VectorFiles;
import org.qoraedge.crosscheck.report.DigestReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cross-check run}: every case of every vector file, per-kind counts, one digest. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs conformance vectors (default: the public set bundled in this jar).")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--vectors", paramLabel = "DIR", description = "Directory of *.jsonl vector files.")
    Path vectors;

    @Option(names = "--json", paramLabel = "FILE", description = "Write a JSON platform report here.")
    Path json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<VectorCase> cases = vectors == null ? VectorFiles.loadBundled() : VectorFiles.load(vectors);
        ConformanceRun run = ConformanceRun.run(cases, PlatformInfo.current(Platforms.vectorized()));
        out.printf("%-13s %7s %7s  %s%n", "kind", "passed", "failed", "digest");
        for (Map.Entry<String, DigestReport.Group> k : run.report().groups().entrySet()) {
            DigestReport.Group g = k.getValue();
            out.printf("%-13s %7d %7d  %s%n", k.getKey(), g.cases() - g.failed(), g.failed(), g.digest());
        }
        out.println(PlatformInfo.current(Platforms.vectorized()).line());
        out.printf("conformance: %d cases, %d passed, %d failed, %d ms%n", run.cases(), run.cases() - run.failed(),
                run.failed(), run.millis());
        out.println("conformance digest: " + run.digest());
        if (json != null) {
            run.report().write(json);
        }
        if (run.failed() > 0) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("FAILED: " + run.failed() + " case(s); first failing ids:");
            run.failures().stream().limit(10).forEach(f ->
                    err.println("  " + f.id() + " (" + f.source() + "): " + String.join("; ", f.problems())));
            return 1;
        }
        return 0;
    }
}
