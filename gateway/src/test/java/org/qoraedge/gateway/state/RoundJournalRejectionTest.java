package org.qoraedge.gateway.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A journal's rejection entries: one writer and one reader, and what the reader refuses. */
class RoundJournalRejectionTest {
    private static final Path FILE = Path.of("rounds/00000000000000000007.journal");

    @Test
    void aRejectionReadsBackAsWritten(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.journal");
        RoundJournal.Rejection written = new RoundJournal.Rejection("node-9", -1, -1, "ef".repeat(32), "malformed");
        try (RoundJournal j = RoundJournal.create(f, "fleet", 7, new byte[] {1})) {
            j.rejected(written);
        }
        RoundJournal.Contents c = RoundJournal.read(f, false);
        assertEquals(7, RoundJournal.roundOf(f));
        assertEquals(written, RoundJournal.Rejection.parse(f, c.entries().get(1)));
    }

    @Test
    void aDamagedRejectionIsRefusedNamingTheFieldNotThrownAsANumberFormatError() {
        for (String[] bad : List.of(
                new String[] {"node-9\n7\n42\nabc", "has 4 fields, not 5"},
                new String[] {"node-9\n7\n42\nabc\nmalformed\nextra", "has 6 fields, not 5"},
                new String[] {"node-9\nseven\n42\nabc\nmalformed", "frame round is not a number: seven"},
                new String[] {"node-9\n7\n99999999999999999999\nabc\nmalformed", "sequence is not a number"})) {
            RoundJournal.Entry e = new RoundJournal.Entry(RoundJournal.REJECTED, bad[0].getBytes(StandardCharsets.UTF_8));
            StateException x = assertThrows(StateException.class, () -> RoundJournal.Rejection.parse(FILE, e));
            assertTrue(x.getMessage().contains(bad[1]) && x.getMessage().startsWith(FILE.toString()), x.getMessage());
        }
        RoundJournal.Entry accepted = new RoundJournal.Entry(RoundJournal.ACCEPTED, new byte[] {1});
        assertThrows(StateException.class, () -> RoundJournal.Rejection.parse(FILE, accepted));
    }
}
