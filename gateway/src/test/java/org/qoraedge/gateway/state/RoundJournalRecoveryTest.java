package org.qoraedge.gateway.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reopening a journal after a crash checks it in one streaming pass and reads its entries one at a
 * time as the round is restored (a round of {@code n} frames of {@code 2 d} bytes never needs them
 * all in the heap), byte for byte what was appended, with a torn tail cut off.
 */
class RoundJournalRecoveryTest {
    @Test
    void reopenGivesEveryEntryByteForByteReadWhenAskedForAndCutsATornTail(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.journal");
        SplittableRandom r = new SplittableRandom(5);
        List<byte[]> frames = new ArrayList<>();
        try (RoundJournal j = RoundJournal.create(f, "fleet", 3, new byte[] {9, 9})) {
            for (int i = 0; i < 5; i++) {
                byte[] frame = new byte[1 + r.nextInt(200_000)]; // several read chunks each
                r.nextBytes(frame);
                frames.add(frame);
                j.accepted(frame);
            }
            j.rejected("node-1", 3, 4, "ab".repeat(32), "malformed");
        }
        long whole = Files.size(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {RoundJournal.ACCEPTED, 0, 1, 0})); // an append cut short
        }
        List<RoundJournal.Contents> out = new ArrayList<>();
        RoundJournal.reopen(f, "fleet", 3, out).close();
        assertEquals(whole, Files.size(f), "the torn tail is cut off");
        RoundJournal.Contents c = out.get(0);
        assertEquals(4, c.tornBytes());
        assertEquals(7, c.entries().size());
        assertEquals(RoundJournal.MODEL, c.entries().get(0).type());
        for (int i = 0; i < frames.size(); i++) {
            assertEquals(RoundJournal.ACCEPTED, c.entries().get(1 + i).type());
            assertArrayEquals(frames.get(i), c.entries().get(1 + i).payload(), "frame " + i);
        }
        assertEquals(RoundJournal.REJECTED, c.entries().get(6).type());
        assertEquals(7, RoundJournal.read(f, false).entries().size(), "strict reading agrees once the tail is cut");
    }

    @Test
    void anEntryChangedAfterTheJournalWasCheckedIsRefusedWhenRead(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("r.journal");
        try (RoundJournal j = RoundJournal.create(f, "fleet", 3, new byte[] {9, 9})) {
            j.accepted(new byte[1000]);
        }
        List<RoundJournal.Contents> out = new ArrayList<>();
        RoundJournal.reopen(f, "fleet", 3, out).close();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1}), Files.size(f) - 500 - 9 - 4); // inside the accepted frame
        }
        StateException e = assertThrows(StateException.class, () -> out.get(0).entries().get(1));
        assertTrue(e.getMessage().contains("changed after the journal was read"), e.getMessage());
    }
}
