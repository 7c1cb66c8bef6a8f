package org.qoraedge.crosscheck;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.qoraedge.crosscheck.conformance.ConformanceRun;
import org.qoraedge.crosscheck.conformance.VectorCase;
import org.qoraedge.crosscheck.conformance.VectorFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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
        ConformanceRun run = ConformanceRun.run(cases);
        PlatformInfo platform = PlatformInfo.current(false);
        out.printf("%-10s %7s %7s  %s%n", "kind", "passed", "failed", "digest");
        for (ConformanceRun.KindSummary k : run.kinds().values()) {
            out.printf("%-10s %7d %7d  %s%n", k.kind(), k.passed(), k.failed(), k.digest());
        }
        out.println(platform.line());
        out.printf("conformance: %d cases, %d passed, %d failed, %d ms%n", run.cases(), run.cases() - run.failed(),
                run.failed(), run.millis());
        out.println("conformance digest: " + run.digest());
        if (json != null) {
            writeReport(run, platform);
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

    private void writeReport(ConformanceRun run, PlatformInfo platform) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("report", "conformance");
        o.add("platform", platform.toJson());
        o.addProperty("cases", run.cases());
        o.addProperty("failed", run.failed());
        o.addProperty("millis", run.millis());
        JsonObject kinds = new JsonObject();
        for (ConformanceRun.KindSummary k : run.kinds().values()) {
            JsonObject ko = new JsonObject();
            ko.addProperty("passed", k.passed());
            ko.addProperty("failed", k.failed());
            ko.addProperty("digest", k.digest());
            kinds.add(k.kind(), ko);
        }
        o.add("kinds", kinds);
        JsonArray failing = new JsonArray();
        run.failures().forEach(f -> failing.add(f.id()));
        o.add("failures", failing);
        o.addProperty("digest", run.digest());
        Path parent = json.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(json, new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n", StandardCharsets.UTF_8);
    }
}
