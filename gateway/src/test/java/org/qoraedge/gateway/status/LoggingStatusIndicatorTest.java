package org.qoraedge.gateway.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qoraedge.gateway.status.StatusIndicator.Phase;

/** Reads the test log (tinylog-test.properties writes it synchronously) to see what was logged. */
class LoggingStatusIndicatorTest {
    private static final Path LOG = Path.of(System.getProperty("qora.test.logDir", "target/test-logs"), "gateway-tests.log");

    private static long count(String fragment) throws Exception {
        if (!Files.exists(LOG)) {
            return 0;
        }
        List<String> lines = Files.readAllLines(LOG, StandardCharsets.UTF_8);
        return lines.stream().filter(l -> l.contains("LoggingStatusIndicator") && l.contains(fragment)).count();
    }

    @Test
    void logsTransitionsOnlyNotRepeats() throws Exception {
        long phases = count("status: phase IDLE -> COLLECTING");
        long attacks = count("status: attack suspected (a node");
        long cleared = count("status: attack suspected cleared");
        long errors = count("WARN") - count("attack suspected (");
        try (LoggingStatusIndicator i = new LoggingStatusIndicator()) {
            i.phase(Phase.IDLE); // the initial phase: not a transition
            i.phase(Phase.COLLECTING);
            i.phase(Phase.COLLECTING);
            i.attackSuspected(false); // already false
            i.attackSuspected(true);
            i.attackSuspected(true);
            i.attackSuspected(false);
            i.attackSuspected(false);
            i.error(true);
            i.error(true);
        }
        assertEquals(phases + 1, count("status: phase IDLE -> COLLECTING"));
        assertEquals(attacks + 1, count("status: attack suspected (a node"));
        assertEquals(cleared + 1, count("status: attack suspected cleared"));
        assertEquals(errors + 1, count("WARN") - count("attack suspected ("));
    }
}
