package org.qoraedge.crosscheck.conformance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vector files from a directory: refusals found by fuzzing them (org.qoraedge.crosscheck.fuzz.VectorFileFuzzTest). */
class VectorFilesTest {
    private static final String CASE = "{\"kind\":\"encode\",\"id\":\"one\",\"input\":{\"x\":[\"3f800000\"]},\"expected\":{\"e\":-15}}\n";

    @TempDir
    Path dir;

    /** Found by VectorFileFuzzTest (corpus input finding-not-utf8): the reader's MalformedInputException leaked, naming nothing. */
    @Test
    void refusesAVectorFileThatIsNotUtf8NamingTheFile() throws IOException {
        byte[] second = CASE.replace("one", "tw\u00f6").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(dir.resolve("cases.jsonl"), (CASE + new String(second, StandardCharsets.ISO_8859_1))
                .getBytes(StandardCharsets.ISO_8859_1));
        IOException e = assertThrows(IOException.class, () -> VectorFiles.load(dir));
        assertTrue(e.getMessage().startsWith("cases.jsonl: not valid UTF-8"), e.getMessage());
    }

    /** Seen while fixing the finding above: a kind or id that is not a string ended the load with Gson's exception. */
    @Test
    void refusesACaseWhoseKindOrIdIsNotAStringNamingTheFileAndLine() throws IOException {
        for (String bad : new String[] {"{\"kind\":{},\"id\":\"x\"", "{\"kind\":\"encode\",\"id\":[]", "{\"kind\":null,\"id\":\"x\""}) {
            Files.writeString(dir.resolve("cases.jsonl"), CASE + bad + ",\"input\":{},\"expected\":{}}\n");
            IOException e = assertThrows(IOException.class, () -> VectorFiles.load(dir), bad);
            assertTrue(e.getMessage().startsWith("cases.jsonl:2: \"kind\" and \"id\" must be strings"), e.getMessage());
        }
    }
}
