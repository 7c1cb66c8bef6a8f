package org.qoraedge.crosscheck.fuzz;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.qoraedge.crosscheck.PlatformInfo;
import org.qoraedge.crosscheck.conformance.ConformanceRun;
import org.qoraedge.crosscheck.conformance.VectorFiles;

/**
 * Writes the seed corpus of the fuzz tests in this package: the first hand-written vector case of
 * each kind (accepted and refused), a report of a conformance run over them, the journals and
 * audit records of the recorded gateway rounds, plus a few minimal invalid inputs. Run from the
 * cross-check module directory: {@code java -cp <test classpath> org.qoraedge.crosscheck.fuzz.SeedCorpus}.
 * Inputs a fuzzing run found ({@code finding-*}) are added by hand and never regenerated.
 */
public final class SeedCorpus {
    private static final Path ROOT = Path.of("src/test/resources/org/qoraedge/crosscheck/fuzz");
    private static final String RECORDED = "/org/qoraedge/crosscheck/replay/recorded/";

    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        String vectors = "VectorFileFuzzTestInputs/vectorFilesRunEveryCaseOrAreRefusedWithAnIOExceptionNamingTheFile/";
        Set<String> seen = new HashSet<>();
        List<String> picked = new ArrayList<>();
        for (String line : text(VectorFiles.BUNDLED + "hand.jsonl").split("\n")) {
            var o = JsonParser.parseString(line).getAsJsonObject();
            String kind = o.get("kind").getAsString();
            boolean refuse = o.getAsJsonObject("expected").has("refuse");
            if (seen.add(kind + refuse)) {
                picked.add(line);
                write(vectors + "hand-" + kind + (refuse ? "-refused" : ""), (line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        write(vectors + "not-json", "{\"kind\":\n".getBytes(StandardCharsets.UTF_8));
        write(vectors + "no-expected", "{\"kind\":\"encode\",\"id\":\"x\",\"input\":{}}\n".getBytes(StandardCharsets.UTF_8));
        write(vectors + "unknown-kind", "{\"kind\":\"geometric-median\",\"id\":\"x\",\"input\":{},\"expected\":{}}\n"
                .getBytes(StandardCharsets.UTF_8));

        Path dir = Files.createTempDirectory("seed-vectors");
        Files.writeString(dir.resolve("hand.jsonl"), String.join("\n", picked) + "\n");
        ConformanceRun run = ConformanceRun.run(VectorFiles.load(dir), new PlatformInfo("amd64", "Linux", "Seed", "17", "17",
                2, false));
        Path report = ROOT.resolve("reference-report.json");
        run.report().write(report);
        String reports = "ReportFuzzTestInputs/compareEndsWithItsExitCodesWhateverTheReportsHold/";
        byte[] reportBytes = Files.readAllBytes(report);
        write(reports + "identical", reportBytes);
        write(reports + "other-digest", new String(reportBytes, StandardCharsets.UTF_8).replaceFirst("\"digest\": \"[0-9a-f]",
                "\"digest\": \"x").getBytes(StandardCharsets.UTF_8));
        write(reports + "groups-not-an-object", "{\"report\":\"conformance\",\"groups\":[],\"digest\":\"00\"}"
                .getBytes(StandardCharsets.UTF_8));

        String journals = "ReplayInputsFuzzTestInputs/journalsOfAnyShapeReplayToAReportOrAreRefusedWithAStateException/";
        byte[] first = null;
        for (int r = 1; r <= 4; r++) {
            String name = String.format(Locale.ROOT, "%020d.journal", r);
            byte[] j = bytes(RECORDED + "rounds/" + name);
            first = first == null ? j : first;
            write(journals + "recorded-round-" + r, j);
        }
        write(journals + "recorded-round-1-torn", Arrays.copyOf(first, first.length - 5));
        String records = "ReplayInputsFuzzTestInputs/auditRecordsOfAnyShapeReplayToAReportOrAreRefusedWithAnAuditException/";
        String[] lines = text(RECORDED + "audit.log").split("\n");
        for (int i = 0; i < lines.length; i++) {
            String body = lines[i].substring(0, lines[i].lastIndexOf(",\"signature\":")) + "}";
            write(records + "recorded-round-" + (i + 1), body.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String text(String resource) throws IOException {
        return new String(bytes(resource), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String resource) throws IOException {
        try (InputStream in = SeedCorpus.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing resource " + resource);
            }
            return in.readAllBytes();
        }
    }

    private static void write(String name, byte[] bytes) throws IOException {
        Path p = ROOT.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
    }
}
