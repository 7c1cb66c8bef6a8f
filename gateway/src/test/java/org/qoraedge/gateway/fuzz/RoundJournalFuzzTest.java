package org.qoraedge.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateException;

/**
 * A round's journal (docs/STATE.md), read for recovery (a torn last entry allowed) and for replay
 * (nothing torn allowed): any file either reads to entries that account for every byte of it, or
 * is refused with a {@link StateException} naming the file.
 */
class RoundJournalFuzzTest {
    @TempDir
    Path tmp;

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void journalsReadToEntriesThatAccountForEveryByteOrAreRefusedWithAStateException(byte[] content) throws IOException {
        Path file = tmp.resolve("00000000000000000001.journal");
        Files.write(file, content);
        RoundJournal.Contents strict = null;
        RoundJournal.Contents lenient = null;
        try {
            strict = RoundJournal.read(file, false);
        } catch (StateException e) {
            FuzzAssertions.assertNames(file.toString(), e);
        }
        try {
            lenient = RoundJournal.read(file, true);
        } catch (StateException e) {
            FuzzAssertions.assertNames(file.toString(), e);
        }
        if (strict != null) {
            assertTrue(lenient != null && lenient.tornBytes() == 0, "an intact journal is also read for recovery");
            assertEquals(strict.entries().size(), lenient.entries().size());
        }
        if (lenient != null) {
            long used = 4 + 2 + 8 + 2 + lenient.fleet().getBytes(StandardCharsets.UTF_8).length + lenient.tornBytes();
            for (RoundJournal.Entry e : lenient.entries()) {
                used += 1 + 4 + e.payload().length + 4;
            }
            if (lenient.fleet().indexOf('\uFFFD') < 0) {
                assertEquals(content.length, used, "header, entries and torn tail cover the file");
            }
        }
    }
}
