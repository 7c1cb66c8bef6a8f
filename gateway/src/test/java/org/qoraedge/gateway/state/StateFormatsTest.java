package org.qoraedge.gateway.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.reputation.NodeReputation;

/**
 * The state file and round journal formats, version 1: golden files checked to the bit (a format
 * change must add a version, not silently change these), every refusal, torn tails.
 *
 * <p>The golden files were written by {@link #main} from {@link #goldenState()}; the expected field
 * values below are hand-written, so the files also pin the encoding of those values.
 */
class StateFormatsTest {
    private static final String GOLDEN_STATE = "gateway-state-v1.bin";
    private static final String GOLDEN_JOURNAL = "round-journal-v1.bin";

    @TempDir
    Path tmp;

    /** The state the golden file holds, written out by hand. */
    static GatewayState goldenState() {
        TreeMap<String, Long> seq = new TreeMap<>(Map.of("node-01", 17L, "node-02", 3L));
        TreeMap<String, NodeReputation> rep = new TreeMap<>();
        rep.put("node-01", new NodeReputation(512_345, false, -1, 12, 10, 0, 0));
        rep.put("node-02", new NodeReputation(100_000, true, 11, 12, 1, 9, 2));
        TreeMap<String, String> reg = new TreeMap<>();
        reg.put("node-01", "hmac-sha256 " + "ab".repeat(32));
        reg.put("node-02", "ed25519 " + "cd".repeat(32));
        return new GatewayState("golden", "gw-1", 13, "m1", Bfp16Block.of(-20, new short[] {1, -2, 32767, -32767}), seq, rep, reg,
                "{\"format\":\"qora-audit/1\",\"signature\":\"00\"}", 11, 1);
    }

    @Test
    void theGoldenStateFileDecodesToItsHandWrittenFieldsAndReEncodesToTheSameBytes() throws IOException {
        byte[] golden = resource(GOLDEN_STATE);
        assertArrayEquals(new byte[] {'Q', 'S', 'T', 'A', 0, 1}, Arrays.copyOf(golden, 6), "magic and version 1");
        GatewayState s = StateFile.decode(golden, GOLDEN_STATE);
        GatewayState g = goldenState();
        assertEquals("golden", s.fleet());
        assertEquals("gw-1", s.gatewayId());
        assertEquals(13, s.round());
        assertEquals("m1", s.modelId());
        assertEquals(-20, s.model().exponent());
        assertArrayEquals(new short[] {1, -2, 32767, -32767}, s.model().mantissas());
        assertEquals(g.sequences(), s.sequences());
        assertEquals(g.reputation(), s.reputation());
        assertEquals(g.registry(), s.registry());
        assertEquals(g.lastAuditLine(), s.lastAuditLine());
        assertEquals(11, s.roundsAggregated());
        assertEquals(1, s.roundsFailed());
        assertArrayEquals(golden, StateFile.encode(g), "version 1 encodes exactly as the golden file");
    }

    @Test
    void aStateFileRoundTripsThroughAnAtomicWrite() throws IOException {
        Path f = tmp.resolve("gateway.state");
        StateFile.write(f, goldenState());
        assertEquals(goldenState().reputation(), StateFile.read(f).reputation());
        assertFalse(Files.exists(tmp.resolve("gateway.state.tmp")), "the temp file was renamed");
        GatewayState none = new GatewayState("f", "g", 1, "m", Bfp16Block.of(0, new short[] {0}), new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), null, 0, 0);
        StateFile.write(f, none);
        assertNull(StateFile.read(f).lastAuditLine());
    }

    @Test
    void aStateWithCenteredClippingsReferenceIsVersionTwoAndReadsBackWithoutItVersionOneAsBefore() throws IOException {
        GatewayState golden = StateFile.decode(resource(GOLDEN_STATE), "golden");
        assertNull(golden.reference(), "a version-1 file has no reference");
        byte[] v1 = StateFile.encode(golden);
        assertEquals(1, v1[5], "without a reference the state is written as version 1");
        Bfp16Block ref = Bfp16Block.of(-7, new short[] {3, -4, 5});
        GatewayState withRef = new GatewayState(golden.fleet(), golden.gatewayId(), golden.round(), golden.modelId(),
                golden.model(), golden.sequences(), golden.reputation(), golden.registry(), golden.lastAuditLine(),
                golden.roundsAggregated(), golden.roundsFailed(), ref);
        byte[] v2 = StateFile.encode(withRef);
        assertEquals(2, v2[5]);
        GatewayState back = StateFile.decode(v2, "v2");
        assertEquals(Digests.block(ref), Digests.block(back.reference()));
        assertEquals(Digests.block(golden.model()), Digests.block(back.model()));
        byte[] cut = Arrays.copyOf(v2, v2.length - 40);
        assertThrows(StateException.class, () -> StateFile.decode(cut, "cut"));
    }

    @Test
    void everyDamageToAStateFileIsRefusedWithWhatIsWrong() throws IOException {
        byte[] golden = resource(GOLDEN_STATE);
        for (int i = 0; i < golden.length; i += 7) {
            byte[] b = golden.clone();
            b[i] ^= 0x10;
            StateException e = assertThrows(StateException.class, () -> StateFile.decode(b, "x"), "flipped byte " + i);
            assertTrue(e.getMessage().contains("checksum") || e.getMessage().contains("QSTA") || e.getMessage().contains("version"),
                    e.getMessage());
        }
        assertTrue(assertThrows(StateException.class, () -> StateFile.decode(Arrays.copyOf(golden, golden.length - 1), "x"))
                .getMessage().contains("checksum"));
        byte[] v3 = golden.clone();
        v3[5] = 3;
        assertTrue(assertThrows(StateException.class, () -> StateFile.decode(v3, "x")).getMessage().contains("version 3"));
        assertTrue(assertThrows(StateException.class, () -> StateFile.decode(new byte[10], "x")).getMessage().contains("QSTA"));
    }

    @Test
    void theGoldenJournalReadsBackEntryByEntry() throws IOException {
        RoundJournal.Contents c = RoundJournal.read(resourcePath(GOLDEN_JOURNAL), false);
        assertEquals(7, c.round());
        assertEquals("golden", c.fleet());
        assertEquals(0, c.tornBytes());
        assertEquals(4, c.entries().size());
        assertEquals(RoundJournal.MODEL, c.entries().get(0).type());
        assertArrayEquals(new byte[] {1, 2, 3}, c.entries().get(0).payload());
        assertEquals(RoundJournal.ACCEPTED, c.entries().get(1).type());
        assertArrayEquals(new byte[] {4, 5}, c.entries().get(1).payload());
        assertEquals(RoundJournal.REJECTED, c.entries().get(2).type());
        assertEquals("node-9\n7\n42\n" + "ef".repeat(32) + "\nbad-signature", c.entries().get(2).text());
        assertEquals(RoundJournal.RESTART, c.entries().get(3).type());
        Path copy = tmp.resolve("j");
        writeGoldenJournal(copy);
        assertArrayEquals(resource(GOLDEN_JOURNAL), Files.readAllBytes(copy), "version 1 writes exactly as the golden file");
    }

    @Test
    void aJournalCutAnywhereInItsLastEntryLosesOnlyThatEntryAndDamageElsewhereIsRefused() throws IOException {
        byte[] golden = resource(GOLDEN_JOURNAL);
        RoundJournal.Contents whole = RoundJournal.read(resourcePath(GOLDEN_JOURNAL), false);
        int lastEntryBytes = 9; // the restart entry: type, length 0, CRC
        for (int cut = 1; cut < lastEntryBytes; cut++) {
            Path f = tmp.resolve("cut" + cut);
            Files.write(f, Arrays.copyOf(golden, golden.length - cut));
            RoundJournal.Contents c = RoundJournal.read(f, true);
            assertEquals(whole.entries().size() - 1, c.entries().size(), "cut " + cut);
            assertEquals(lastEntryBytes - cut, c.tornBytes());
            assertThrows(StateException.class, () -> RoundJournal.read(f, false), "strict reading refuses a torn tail");
            List<RoundJournal.Contents> out = new ArrayList<>();
            try (RoundJournal j = RoundJournal.reopen(f, "golden", 7, out)) {
                j.restarted();
            }
            RoundJournal.Contents again = RoundJournal.read(f, false);
            assertEquals(whole.entries().size(), again.entries().size(), "the torn bytes were cut and a new entry appended");
        }
        // A flipped byte inside the accepted entry (not the last one) is damage, not a torn write.
        byte[] b = golden.clone();
        int acceptedPayload = indexOf(golden, new byte[] {'A', 0, 0, 0, 2, 4, 5}) + 5;
        b[acceptedPayload] ^= 1;
        Path f = tmp.resolve("damaged");
        Files.write(f, b);
        StateException e = assertThrows(StateException.class, () -> RoundJournal.read(f, true));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        List<RoundJournal.Contents> out = new ArrayList<>();
        assertTrue(assertThrows(StateException.class, () -> RoundJournal.reopen(resourcePath(GOLDEN_JOURNAL), "golden", 8, out))
                .getMessage().contains("round 7"));
    }

    @Test
    void theStoreRefusesASecondGatewayOnTheSameDirectory() throws IOException {
        try (StateStore a = StateStore.open(tmp, 0)) {
            StateException e = assertThrows(StateException.class, () -> StateStore.open(tmp, 0));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertNull(a.load());
        }
        try (StateStore b = StateStore.open(tmp, 0)) {
            assertNull(b.load(), "the lock was released");
        }
    }

    @Test
    void unbanRequestsAreListedInNodeOrderAndRemovedWhenDone() throws IOException {
        try (StateStore s = StateStore.open(tmp, 0)) {
            StateStore.requestUnban(tmp, "node-b", "rewired");
            StateStore.requestUnban(tmp, "node-a", "");
            List<StateStore.UnbanRequest> r = s.unbanRequests();
            assertEquals(List.of("node-a", "node-b"), r.stream().map(StateStore.UnbanRequest::node).toList());
            assertEquals("rewired", r.get(1).reason());
            s.done(r.get(0));
            assertEquals(1, s.unbanRequests().size());
        }
    }

    private static void writeGoldenJournal(Path f) throws IOException {
        try (RoundJournal j = RoundJournal.create(f, "golden", 7, new byte[] {1, 2, 3})) {
            j.accepted(new byte[] {4, 5});
            j.rejected("node-9", 7, 42, "ef".repeat(32), "bad-signature");
            j.restarted();
        }
    }

    /**
     * Writes the golden files into directory {@code args[0]}: only for a deliberate format change,
     * which must come with a new version (run it with the test classpath).
     */
    public static void main(String[] args) throws IOException {
        Files.write(Path.of(args[0], GOLDEN_STATE), StateFile.encode(goldenState()));
        writeGoldenJournal(Path.of(args[0], GOLDEN_JOURNAL));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found: " + new String(needle, StandardCharsets.ISO_8859_1));
    }

    private Path resourcePath(String name) throws IOException {
        Path p = tmp.resolve("res-" + name);
        if (!Files.exists(p)) {
            Files.write(p, resource(name));
        }
        return p;
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = StateFormatsTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("test resource " + name + " is missing next to " + StateFormatsTest.class.getName());
            }
            return in.readAllBytes();
        }
    }
}
