package org.qoraedge.crosscheck.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.crosscheck.PlatformInfo;
import org.qoraedge.crosscheck.conformance.ConformanceRun;
import org.qoraedge.crosscheck.conformance.VectorCase;
import org.qoraedge.crosscheck.conformance.VectorFiles;

/**
 * Conformance vector files (JSON Lines, one case a line) as {@code cross-check run --vectors DIR}
 * reads them from a directory anyone can fill: a file is either refused with an
 * {@link IOException} naming the file and line, or every case of it runs, a malformed case being
 * reported as a failure of that case ({@link ConformanceRun} never throws).
 */
class VectorFileFuzzTest {
    private static final PlatformInfo PLATFORM = PlatformInfo.current(false);

    @TempDir
    Path tmp;

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void vectorFilesRunEveryCaseOrAreRefusedWithAnIOExceptionNamingTheFile(byte[] content) throws IOException {
        Files.write(tmp.resolve("cases.jsonl"), content);
        List<VectorCase> cases;
        try {
            cases = VectorFiles.load(tmp);
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains("cases.jsonl"), "refusal does not name the file: " + e);
            return;
        }
        ConformanceRun run = ConformanceRun.run(cases, PLATFORM);
        assertEquals(cases.size(), run.cases());
    }
}
