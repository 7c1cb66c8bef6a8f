package org.qoraedge.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.state.GatewayState;
import org.qoraedge.gateway.state.StateException;
import org.qoraedge.gateway.state.StateFile;

/**
 * The state file (docs/STATE.md), version 1. Any bytes either decode to a state that encodes and
 * decodes back to itself, or are refused with a {@link StateException} naming the file. The state
 * file ends with a SHA-256 no fuzzer guesses, so the second harness appends the right one to its
 * input to reach the JSON and model parsing behind the checksum.
 */
class StateFileFuzzTest {
    private static final String NAME = "fuzzed.state";

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void stateFilesDecodeToAStateThatSurvivesReEncodingOrAreRefusedWithAStateException(byte[] bytes) {
        check(bytes);
    }

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void stateFilesWithAValidChecksumDecodeToAStateThatSurvivesReEncodingOrAreRefused(byte[] withoutChecksum) {
        byte[] digest = Digests.sha256().digest(withoutChecksum);
        byte[] bytes = Arrays.copyOf(withoutChecksum, withoutChecksum.length + digest.length);
        System.arraycopy(digest, 0, bytes, withoutChecksum.length, digest.length);
        check(bytes);
    }

    private static void check(byte[] bytes) {
        GatewayState s;
        try {
            s = StateFile.decode(bytes, NAME);
        } catch (StateException e) {
            FuzzAssertions.assertNames(NAME, e);
            return;
        }
        byte[] again = StateFile.encode(s);
        assertEquals(s, StateFile.decode(again, NAME), "state after encode and decode");
        assertArrayEquals(again, StateFile.encode(StateFile.decode(again, NAME)), "encoding is stable");
    }
}
