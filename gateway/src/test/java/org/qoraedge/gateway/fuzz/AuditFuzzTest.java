package org.qoraedge.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.gateway.audit.AuditException;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.reputation.ReputationSettings;
import org.qoraedge.gateway.reputation.ReputationSettingsException;

/**
 * The audit log (docs/AUDIT.md) as a verifier reads it: record bodies, signed lines, whole logs,
 * and the reputation settings text a record carries. Each is either read or refused with its own
 * exception type ({@link AuditException}, {@link ReputationSettingsException}).
 */
class AuditFuzzTest {
    @TempDir
    Path tmp;

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void auditRecordBodiesParseToRecordsThatSurviveReEncodingOrAreRefusedWithAnAuditException(byte[] body) {
        AuditRecord r;
        try {
            r = AuditRecord.parse(new String(body, StandardCharsets.UTF_8));
        } catch (AuditException e) {
            return;
        }
        String json = r.toJson();
        assertEquals(json, AuditRecord.parse(json).toJson(), "record after toJson and parse");
    }

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void auditLinesVerifyOrAreRefusedWithAnAuditException(byte[] line) {
        try {
            AuditLog.verify(new String(line, StandardCharsets.UTF_8), null);
        } catch (AuditException e) {
            return;
        }
    }

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void auditLogsVerifyOrAreRefusedWithAnAuditExceptionNamingTheFile(byte[] content) throws IOException {
        Path file = tmp.resolve("audit.log");
        Files.write(file, content);
        try {
            AuditLog.Verified v = AuditLog.verifyFile(file, null);
            assertEquals(v.records().size(), v.lines().size());
        } catch (AuditException e) {
            FuzzAssertions.assertNames(file.toString(), e);
        }
    }

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void reputationSettingsParseOnlyFromTheirCanonicalTextOrAreRefused(byte[] text) {
        String s = new String(text, StandardCharsets.UTF_8);
        ReputationSettings r;
        try {
            r = ReputationSettings.parse(s);
        } catch (ReputationSettingsException e) {
            return;
        }
        assertEquals(s, r.toCanonicalString(), "only the canonical text parses");
    }
}
