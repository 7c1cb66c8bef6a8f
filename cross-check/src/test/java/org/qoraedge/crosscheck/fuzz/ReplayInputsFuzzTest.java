package org.qoraedge.crosscheck.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.audit.AuditException;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.audit.Replay;
import org.qoraedge.gateway.audit.ReplayReport;
import org.qoraedge.gateway.protocol.KeyFiles;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateException;

/**
 * What {@code cross-check replay} reads from a state directory: the round journals and the audit
 * records. Against the rounds a real gateway recorded (the replay tests' fixture), a journal or a
 * record of any shape replays to a report naming the mismatches, never an exception ({@link Replay}
 * promises it); a journal it cannot read at all is refused with a {@link StateException}.
 */
class ReplayInputsFuzzTest {
    private static final String RECORDED = "/org/qoraedge/crosscheck/replay/recorded/";
    private static final Path DIR = copyRecorded();
    private static final List<AuditRecord> RECORDS;
    private static final Map<String, VerifyingKey> KEYS;
    private static final RoundJournal.Contents[] JOURNALS = new RoundJournal.Contents[5];

    static {
        try {
            RECORDS = AuditLog.verifyFile(DIR.resolve("audit.log"), null).records();
            KEYS = KeyFiles.readRegistry(DIR.resolve("keys.txt"));
            for (int r = 1; r <= 4; r++) {
                JOURNALS[r] = RoundJournal.read(DIR.resolve(journalName(r)), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TempDir
    Path tmp;

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void journalsOfAnyShapeReplayToAReportOrAreRefusedWithAStateException(byte[] content) throws IOException {
        Path file = tmp.resolve(journalName(1));
        Files.write(file, content);
        RoundJournal.Contents journal;
        try {
            journal = RoundJournal.read(file, true);
        } catch (StateException e) {
            return;
        }
        AuditRecord record = RECORDS.get(0);
        for (AuditRecord r : RECORDS) {
            if (r.round() == journal.round()) {
                record = r;
            }
        }
        ReplayReport report = Replay.replay(record, journal, KEYS);
        assertEquals(record.round(), report.round());
    }

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void auditRecordsOfAnyShapeReplayToAReportOrAreRefusedWithAnAuditException(byte[] body) {
        AuditRecord record;
        try {
            record = AuditRecord.parse(new String(body, StandardCharsets.UTF_8));
        } catch (AuditException e) {
            return;
        }
        RoundJournal.Contents journal = record.round() >= 1 && record.round() <= 4 ? JOURNALS[(int) record.round()] : JOURNALS[1];
        ReplayReport report = Replay.replay(record, journal, KEYS);
        assertEquals(record.round(), report.round());
    }

    private static String journalName(long round) {
        return String.format(Locale.ROOT, "%020d.journal", round);
    }

    private static Path copyRecorded() {
        try {
            Path dir = Files.createTempDirectory("qora-replay-fuzz");
            dir.toFile().deleteOnExit();
            for (String name : new String[] {"audit.log", "keys.txt", "rounds/" + journalName(1), "rounds/" + journalName(2),
                "rounds/" + journalName(3), "rounds/" + journalName(4)}) {
                try (InputStream in = ReplayInputsFuzzTest.class.getResourceAsStream(RECORDED + name)) {
                    Path target = dir.resolve(name.startsWith("rounds/") ? name.substring("rounds/".length()) : name);
                    Files.write(target, in.readAllBytes());
                    target.toFile().deleteOnExit();
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
