package org.qoraedge.crosscheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.crosscheck.PlatformInfo;

/**
 * A case that does not follow the format is reported as a failure of that case, and the run goes
 * on: cases found by fuzzing vector files (org.qoraedge.crosscheck.fuzz.VectorFileFuzzTest).
 */
class MalformedCasesTest {
    private static final String GOOD = "{\"kind\":\"encode\",\"id\":\"good\",\"input\":{\"x\":[\"3f800000\"]},"
            + "\"expected\":{\"e\":-15,\"m\":[32767]}}";

    @TempDir
    Path dir;

    private ConformanceRun run(String... lines) throws IOException {
        Files.writeString(dir.resolve("cases.jsonl"), String.join("\n", lines) + "\n");
        return ConformanceRun.run(VectorFiles.load(dir), PlatformInfo.current(false));
    }

    /** Found by VectorFileFuzzTest (corpus input finding-unknown-metric): Metric.valueOf's IllegalArgumentException ended the run. */
    @Test
    void aCaseWithAnUnknownMetricIsReportedMalformed() throws IOException {
        ConformanceRun r = run("{\"kind\":\"distance\",\"id\":\"bad-metric\",\"input\":{\"metric\":\"PAISWISE\",\"blocks\":"
                + "[{\"e\":0,\"m\":[3,4]},{\"e\":0,\"m\":[0,0]}]},\"expected\":{\"distances\":[25]}}", GOOD);
        assertMalformed(r, "bad-metric", "PAISWISE");
    }

    /** Seen while fixing the case above: a "refuse" that is not a boolean made mismatches() throw. */
    @Test
    void aCaseWhoseRefuseIsNotABooleanIsReportedMalformed() throws IOException {
        ConformanceRun r = run("{\"kind\":\"encode\",\"id\":\"bad-refuse\",\"input\":{\"x\":[\"3f800000\"]},"
                + "\"expected\":{\"refuse\":{}}}", GOOD);
        assertMalformed(r, "bad-refuse", "refuse");
    }

    /** The robust kinds are known now; a kind this version does not know is still a failure naming it, the file and the line. */
    @Test
    void aCaseOfAnUnknownKindIsReportedNamingTheKindTheFileAndTheLine() throws IOException {
        ConformanceRun r = run(GOOD, "{\"kind\":\"geometric-median\",\"id\":\"gm\",\"input\":{},\"expected\":{}}");
        assertEquals(1, r.failed());
        ConformanceRun.Failure f = r.failures().get(0);
        assertEquals("cases.jsonl:2", f.source());
        String problem = f.problems().get(0);
        assertTrue(problem.contains("unknown kind \"geometric-median\"") && problem.contains("cases.jsonl:2"), problem);
    }

    @Test
    void aRobustCaseWithoutItsParameterIsReportedMalformed() throws IOException {
        ConformanceRun r = run("{\"kind\":\"median\",\"id\":\"no-f\",\"input\":{\"blocks\":[{\"e\":0,\"m\":[1]}]},"
                + "\"expected\":{\"digest\":\"00\"}}", GOOD);
        assertMalformed(r, "no-f", "median");
    }

    /** Robust section 7: a pipeline whose step is not a known rule is refused, not malformed. */
    @Test
    void aPipelineWithAnUnknownRuleIsARefusal() throws IOException {
        ConformanceRun r = run("{\"kind\":\"pipeline\",\"id\":\"unknown-rule\",\"input\":{\"steps\":[{\"rule\":\"geomed\"}],"
                + "\"blocks\":[{\"e\":0,\"m\":[1]}]},\"expected\":{\"refuse\":true}}", GOOD);
        assertEquals(0, r.failed(), r.failures().toString());
    }

    private static void assertMalformed(ConformanceRun r, String id, String named) {
        assertEquals(2, r.cases());
        assertEquals(1, r.failed(), "only the malformed case fails");
        ConformanceRun.Failure f = r.failures().get(0);
        assertEquals(id, f.id());
        List<String> problems = f.problems();
        assertTrue(problems.size() == 1 && problems.get(0).contains("malformed") && problems.get(0).contains(named),
                problems.toString());
    }
}
