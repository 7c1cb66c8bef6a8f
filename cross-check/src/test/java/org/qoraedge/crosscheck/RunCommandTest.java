package org.qoraedge.crosscheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.crosscheck.conformance.VectorFiles;
import picocli.CommandLine;

class RunCommandTest {
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

    static String bundled(String name) throws Exception {
        try (var in = VectorFiles.class.getResourceAsStream(VectorFiles.BUNDLED + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String digestLine(String out) {
        return out.lines().filter(l -> l.startsWith("conformance digest: ")).findFirst().orElseThrow();
    }

    @Test
    void runsTheBundledVectorsAndWritesAReport(@TempDir Path tmp) throws Exception {
        Path report = tmp.resolve("sub/run.json");
        Result r = run("run", "--json", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("conformance: 2063 cases, 2063 passed, 0 failed"), r.out());
        assertTrue(r.out().contains("platform: os.arch=" + System.getProperty("os.arch")), r.out());
        JsonObject json = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals(digestLine(r.out()).substring("conformance digest: ".length()), json.get("digest").getAsString());
        assertEquals(System.getProperty("os.arch"), json.getAsJsonObject("platform").get("osArch").getAsString());
        assertEquals(12, json.getAsJsonObject("groups").size());
        assertEquals(digestLine(r.out()), digestLine(run("run").out()), "the digest is stable from run to run");
    }

    @Test
    void acceptsAnyConformingDirectoryIncludingFilesItHasNeverSeen(@TempDir Path dir) throws Exception {
        // a new file name, lines from two kinds, an unknown extra key
        List<String> lines = new ArrayList<>(bundled("hand.jsonl").lines().toList());
        lines.add(lines.get(0).replace("\"id\":\"", "\"future\":1,\"id\":\"new-"));
        Files.write(dir.resolve("zz-never-seen.jsonl"), lines, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("notes.txt"), "not a vector file");
        Result r = run("run", "--vectors", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("38 cases, 38 passed, 0 failed"), r.out());
        assertTrue(!digestLine(r.out()).equals(digestLine(run("run").out())), "another set, another digest");
    }

    @Test
    void failsNamingTheFirstFailingCase(@TempDir Path dir) throws Exception {
        String line = bundled("hand.jsonl").lines().filter(l -> l.contains("\"id\":\"hand-enc-3-4\"")).findFirst().orElseThrow();
        Files.writeString(dir.resolve("bad.jsonl"), line.replace("\"m\":[24576,32767]", "\"m\":[24577,32767]") + "\n");
        Result r = run("run", "--vectors", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("hand-enc-3-4"), r.err());
        assertTrue(r.err().contains("m: expected [24577,32767], got [24576,32767]"), r.err());
    }

    @Test
    void refusesAMalformedFileNamingFileAndLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("broken.jsonl"), bundled("hand.jsonl").lines().findFirst().orElseThrow() + "\n{\"kind\":\n");
        Result r = run("run", "--vectors", dir.toString());
        assertTrue(r.code() != 0);
        assertTrue(r.err().contains("broken.jsonl:2"), r.err());
        Result missing = run("run", "--vectors", dir.resolve("nope").toString());
        assertTrue(missing.code() != 0);
        assertTrue(missing.err().contains("does not exist"), missing.err());
    }
}
