package org.qoraedge.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Format {@code qora-audit/1}, pinned by golden lines: the first two records written by a real
 * gateway (the rounds cross-check replays, gateway test program {@code RecordedRounds}). They must
 * keep verifying, parse to the values below, and re-serialise to the exact signed bytes.
 */
class AuditFormatTest {
    @TempDir
    Path tmp;

    @Test
    void goldenLinesVerifyParseToTheirValuesAndReSerialiseByteForByte() throws IOException {
        List<String> lines = List.of(resource("audit-v1.jsonl").split("\n"));
        byte[] key = HexFormat.of().parseHex(resource("audit-v1.pub").strip());
        AuditRecord r1 = AuditLog.verify(lines.get(0), key);
        AuditRecord r2 = AuditLog.verify(lines.get(1), key);
        assertEquals(AuditRecord.GENESIS, r1.prev());
        assertEquals(AuditLog.hash(lines.get(0)), r2.prev(), "the chain link is the SHA-256 of the whole previous line");
        assertEquals(1, r1.round());
        assertEquals("recorded", r1.fleet());
        assertEquals("multi-krum", r1.config().aggregator());
        assertEquals(2, r1.config().f());
        assertEquals(1000, r1.config().dimension());
        assertEquals(8, r1.config().expected().size());
        assertEquals(List.of("sensor-01", "sensor-02", "sensor-03", "sensor-04", "sensor-05", "sensor-06", "sensor-07", "sensor-08"),
                r1.canonicalOrder());
        assertArrayEquals(new int[] {1, 6, 0, 7, 3, 4, 2, 5}, r1.ranking());
        assertArrayEquals(new int[] {1, 6}, r1.selected(), "Multi-Krum m = n - 2f - 2 = 2");
        assertEquals(17508836804L, r1.scores()[0]);
        assertEquals(-19, r1.referenceExponent());
        assertEquals(r1.modelAfter(), r2.modelBefore(), "round 2 starts from round 1's model");
        assertEquals(8, r1.frames().size());
        // Reputation by hand (docs/REPUTATION.md): sensor-02 selected in round 1: 0.5 decayed stays 0.5, + 0.02;
        // in range in round 2: 0.5 + floor(0.02 * 0.95) = 0.519.
        assertEquals(new AuditRecord.ReputationChange("sensor-02", 500_000, 520_000, "selected"), r1.reputation().get(1));
        assertEquals(new AuditRecord.ReputationChange("sensor-02", 520_000, 519_000, "in-range"), r2.reputation().get(1));
        // Parsing and writing again gives the signed body exactly.
        for (String line : lines) {
            AuditRecord r = AuditLog.verify(line, key);
            String body = line.substring(0, line.lastIndexOf(",\"signature\":\"")) + "}";
            assertEquals(body, r.toJson());
        }
    }

    @Test
    void alteredRemovedOrReorderedLinesAreRefusedNamingTheLine() throws IOException {
        List<String> lines = List.of(resource("audit-v1.jsonl").split("\n"));
        byte[] key = HexFormat.of().parseHex(resource("audit-v1.pub").strip());
        Path log = tmp.resolve("audit.log");
        Files.writeString(log, lines.get(0) + "\n" + lines.get(1) + "\n");
        assertEquals(2, AuditLog.verifyFile(log, key).records().size());
        Files.writeString(log, lines.get(1) + "\n" + lines.get(0) + "\n");
        AuditException e = assertThrows(AuditException.class, () -> AuditLog.verifyFile(log, key));
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("prev"), e.getMessage());
        Files.writeString(log, lines.get(0) + "\n" + lines.get(1).replace("\"round\":2", "\"round\":3") + "\n");
        e = assertThrows(AuditException.class, () -> AuditLog.verifyFile(log, key));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("signature does not verify"), e.getMessage());
        byte[] other = new byte[32];
        other[0] = 1;
        e = assertThrows(AuditException.class, () -> AuditLog.verifyFile(log, other));
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
        Files.writeString(log, lines.get(0) + "\n" + lines.get(1).substring(0, 40));
        e = assertThrows(AuditException.class, () -> AuditLog.verifyFile(log, key));
        assertTrue(e.getMessage().contains("torn"), e.getMessage());
        assertEquals(40, AuditLog.truncateTorn(log));
        assertEquals(1, AuditLog.verifyFile(log, key).records().size());
    }

    @Test
    void inboxDropsAreWrittenOnlyWhenThereWereAnyAndReadBack() throws IOException {
        AuditRecord r = AuditLog.verify(List.of(resource("audit-v1.jsonl").split("\n")).get(0), null);
        assertTrue(!r.toJson().contains("inboxDropped"), "a round without drops does not mention them");
        AuditRecord.Timing t = r.timing();
        AuditRecord dropped = new AuditRecord(r.fleet(), r.gatewayId(), r.gatewayKey(), r.round(), r.prev(), r.outcome(), r.failure(),
                r.config(), r.modelBefore(), r.frames(), r.framesOmitted(), r.canonicalOrder(), r.scores(), r.ranking(), r.selected(),
                r.referenceExponent(), r.aggregateDigest(), r.modelAfter(), r.reputation(), r.operator(),
                new AuditRecord.Timing(t.openedAtMillis(), t.closedAtMillis(), t.closeMicros(), t.deadlineReached(), t.restarts(), 17),
                r.framesKept());
        assertTrue(dropped.toJson().contains("\"restarts\":0,\"inboxDropped\":17}"), dropped.toJson());
        assertEquals(17, AuditRecord.parse(dropped.toJson()).timing().inboxDropped());
        assertEquals(dropped.toJson(), AuditRecord.parse(dropped.toJson()).toJson());
    }

    @Test
    void lastLineAndTruncateTornReadOnlyTheEndAcrossBlockBoundaries() throws IOException {
        Path log = tmp.resolve("long.log");
        assertEquals(null, AuditLog.lastLine(log));
        String a = "a".repeat(70_000);
        String b = "b".repeat(140_000); // longer than two 64 KiB blocks
        Files.writeString(log, a + "\n" + b + "\n");
        assertEquals(b, AuditLog.lastLine(log));
        Files.writeString(log, a + "\n" + b + "\n" + "c".repeat(100_000)); // torn tail
        assertEquals(b, AuditLog.lastLine(log), "a torn tail is not a line");
        assertEquals(100_000, AuditLog.truncateTorn(log));
        assertEquals(a.length() + b.length() + 2, Files.size(log));
        assertEquals(0, AuditLog.truncateTorn(log));
        Files.writeString(log, "no newline at all");
        assertEquals(null, AuditLog.lastLine(log));
        assertEquals(17, AuditLog.truncateTorn(log));
        assertEquals(0, Files.size(log));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = AuditFormatTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("test resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
