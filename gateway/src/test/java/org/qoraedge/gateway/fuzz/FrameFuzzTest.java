package org.qoraedge.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameException;
import org.qoraedge.gateway.protocol.FrameHeader;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.RejectReason;

/**
 * Update and model frames (docs/PROTOCOL.md, "Frame") as they arrive from MQTT: any bytes either
 * decode to a frame that re-encodes to the same bytes, or are refused with a {@link FrameException}
 * and a reject reason. The corpus is in {@code FrameFuzzTestInputs/<method>/}.
 */
class FrameFuzzTest {

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void framesDecodeAndReEncodeToTheSameBytesOrAreRefusedWithAFrameException(byte[] payload) {
        FrameHeader h;
        try {
            h = FrameCodec.parseHeader(payload, Long.MAX_VALUE);
        } catch (FrameException e) {
            assertFalse(e.reason() == RejectReason.OVERSIZE, "no maximum was given: " + e.getMessage());
            return;
        }
        // Checking a signature never throws, whatever the signature bytes are.
        boolean hmacValid = h.signatureValid(SeedKeys.HMAC);
        boolean ed25519Valid = h.signatureValid(SeedKeys.ED25519);
        assertFalse(hmacValid && ed25519Valid, "one frame cannot carry both schemes");
        Frame f;
        try {
            f = h.toFrame();
        } catch (FrameException e) {
            assertEquals(RejectReason.INVALID_BLOCK, e.reason(), e.getMessage());
            return;
        }
        // A sparse frame decodes to its densified UPDATE; its own fields re-encode to its bytes.
        byte[] again = h.kind() == FrameKind.SPARSE_UPDATE ? h.toSparseFrame().unsignedBytes() : f.unsignedBytes();
        assertEquals(payload.length, again.length, "re-encoded length");
        assertArrayEquals(Arrays.copyOf(payload, h.signatureOffset()), Arrays.copyOf(again, h.signatureOffset()),
                "re-encoded bytes before the signature");
    }

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void framesAboveTheRoundsMaximumOrWithABadSignatureAreRefusedWithTheirReason(byte[] payload) {
        long max = Frame.maxSize(4);
        try {
            FrameCodec.decode(payload, max, SeedKeys.HMAC);
        } catch (FrameException e) {
            if (payload.length > max) {
                assertEquals(RejectReason.OVERSIZE, e.reason(), e.getMessage());
            }
        }
    }
}
