package org.qoraedge.crosscheck.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.crosscheck.report.CompareCommand;
import picocli.CommandLine;

/**
 * Platform reports as {@code cross-check compare} reads them, copied from other machines: whatever
 * a report holds, compare ends with its documented exit codes (0 identical, 1 different, 2 not
 * comparable or unreadable) and never with an exception.
 */
class ReportFuzzTest {
    @TempDir
    Path tmp;

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void compareEndsWithItsExitCodesWhateverTheReportsHold(byte[] content) throws IOException {
        Path reference = tmp.resolve("reference.json");
        try (InputStream in = ReportFuzzTest.class.getResourceAsStream("reference-report.json")) {
            Files.write(reference, in.readAllBytes());
        }
        Path other = tmp.resolve("other.json");
        Files.write(other, content);
        assertExitCode(reference, other);
        assertExitCode(other, reference);
    }

    private static void assertExitCode(Path first, Path second) {
        CommandLine cl = new CommandLine(new CompareCommand());
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(new StringWriter()));
        cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            throw e;
        });
        int code = cl.execute(first.toString(), second.toString());
        assertTrue(code == CompareCommand.IDENTICAL || code == CompareCommand.DIFFERENT || code == CompareCommand.NOT_COMPARABLE,
                "exit code " + code);
    }
}
