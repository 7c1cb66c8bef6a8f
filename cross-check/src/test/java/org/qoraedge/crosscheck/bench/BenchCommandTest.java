package org.qoraedge.crosscheck.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.crosscheck.CrossCheck;
import picocli.CommandLine;

class BenchCommandTest {
    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CrossCheck());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void benchmarksASmallRoundAgainstTheReferenceAndWritesJson(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("bench.json");
        Result r = run("bench", "--nodes", "11", "--dim", "1031", "--threads", "2", "--reps", "2", "--warmup", "1",
                "--json", json.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        for (String line : new String[] {"fast Krum scoring (whole round)", "fast Multi-Krum round (with mean)",
            "ns per pair-coordinate", "incremental close, Multi-Krum", "reference Krum scoring", "speed-up over the reference",
            "fast results identical to the reference: Krum yes, Multi-Krum yes",
            "incremental results identical to the whole-round fast path: yes", "kernels: "}) {
            assertTrue(r.out().contains(line), "missing \"" + line + "\" in:\n" + r.out());
        }
        JsonObject o = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("bench", o.get("report").getAsString());
        assertEquals(11, o.getAsJsonObject("parameters").get("nodes").getAsInt());
        assertTrue(o.getAsJsonObject("checks").get("identical").getAsBoolean());
        assertTrue(o.getAsJsonObject("fastKrum").get("medianMs").getAsDouble() > 0);
        assertTrue(o.getAsJsonObject("reference").get("krumSpeedup").getAsDouble() > 0);
        assertTrue(o.getAsJsonObject("incremental").getAsJsonObject("closeMultiKrum").get("medianMs").getAsDouble() > 0);
    }

    @Test
    void skipsTheReferenceWhenAskedAndRefusesImpossibleRounds() {
        Result r = run("bench", "--nodes", "5", "--dim", "10", "--reps", "1", "--warmup", "0", "--reference-reps", "0",
                "--no-incremental", "--metric", "PAIRWISE");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("reference skipped (--reference-reps 0)"), r.out());
        Result bad = run("bench", "--nodes", "5", "--f", "2");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("need --nodes >= 2f + 3"), bad.err());
    }

    @Test
    void benchmarksEveryRobustRuleAgainstItsReference(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("robust.json");
        Result r = run("bench", "--rule", "all", "--nodes", "23", "--dim", "517", "--threads", "2", "--reps", "2", "--warmup", "1",
                "--json", json.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        for (String line : new String[] {"norm-screen(l=5, h=5) kept indices", "median(f=5)", "trimmed-mean(b=5)", "nnm(f=5)",
            "centered-clip(f=5, L=3) from the zero block", "norm-screen(l=5, h=5) > nnm(f=5) > multi-krum(f=5, m=1, metric=COMMON)",
            "multi-krum(f=5, m=1, metric=COMMON), closing a round buffer"}) {
            assertTrue(r.out().contains(line), "missing \"" + line + "\" in:\n" + r.out());
        }
        assertEquals(7, r.out().split("identical\\n", -1).length - 1, r.out());
        JsonObject o = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("bench-robust", o.get("report").getAsString());
        assertTrue(o.get("identical").getAsBoolean());
        assertEquals(7, o.getAsJsonArray("rules").size());
        for (var rule : o.getAsJsonArray("rules")) {
            JsonObject x = rule.getAsJsonObject();
            assertTrue(x.get("identicalToReference").getAsBoolean(), x.toString());
            assertTrue(x.get("speedup").getAsDouble() > 0, x.toString());
            assertTrue(x.getAsJsonObject("fast").get("medianMs").getAsDouble() > 0, x.toString());
        }
    }

    @Test
    void refusesAnUnknownRuleAndAPipelineWithoutQuorum() {
        Result bad = run("bench", "--rule", "geometric-median", "--nodes", "20", "--dim", "10");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--rule geometric-median is not one of krum, all, norm-screen"), bad.err());
        Result few = run("bench", "--rule", "pipeline", "--nodes", "11", "--dim", "10", "--f", "3");
        assertEquals(2, few.code());
        assertTrue(few.err().contains("the pipeline needs n - 2f >= 2f + 3"), few.err());
        Result median = run("bench", "--rule", "median", "--nodes", "11", "--dim", "10", "--f", "3", "--reps", "1", "--warmup", "0");
        assertEquals(0, median.code(), median.out() + median.err());
    }
}
