package org.qoraedge.devicesim.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.qoraedge.devicesim.attack.AttackException;
import org.qoraedge.devicesim.attack.AttackKind;
import org.qoraedge.devicesim.attack.AttackLevel;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.FrameException;
import org.qoraedge.gateway.protocol.FrameHeader;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;

/** The crafted payloads against the gateway's own frame codec (the checks of PROTOCOL.md section 5). */
class ProtocolFramesTest {
    private static final int D = 50;
    private static final NodeCredentials NODE = NodeCredentials.hmac("node-03", new byte[32]);
    private static final Bfp16Block BLOCK = Bfp16Block.of(-12, new int[] {1, -2, 3, 32767, -32767, 0, 7, 8, 9, 10,
        11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38,
        39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50});
    private static final byte[] FRAME = new Frame(FrameKind.UPDATE, NODE.scheme(), "device-sim", NODE.nodeId(), 4, 99,
            "device-sim-logreg", BLOCK).encode(NODE.signer());

    private static RejectReason reasonOf(byte[] payload) {
        return assertThrows(FrameException.class, () -> FrameCodec.parseHeader(payload, Frame.maxSize(D))).reason();
    }

    @Test
    void theUntouchedFrameParsesAndVerifies() {
        FrameHeader h = FrameCodec.parseHeader(FRAME, Frame.maxSize(D));
        assertTrue(h.signatureValid(NODE.verifyingKey()));
    }

    @Test
    void aTruncatedFrameIsMalformedForEveryLengthFromNineBytes() {
        for (int keep = ProtocolFrames.MIN_TRUNCATED_BYTES; keep < FRAME.length; keep++) {
            byte[] t = ProtocolFrames.truncated(FRAME, keep);
            assertArrayEquals(Arrays.copyOf(FRAME, keep), t);
            assertEquals(RejectReason.MALFORMED, reasonOf(t), "keep " + keep);
        }
        assertEquals(ProtocolFrames.expectedReason(AttackKind.MALFORMED_TRUNCATED), RejectReason.MALFORMED);
        assertThrows(AttackException.class, () -> ProtocolFrames.truncated(FRAME, 8));
        assertThrows(AttackException.class, () -> ProtocolFrames.truncated(FRAME, FRAME.length));
    }

    @Test
    void anOversizedFrameIsRefusedBeforeParsing() {
        byte[] o = ProtocolFrames.oversized(FRAME, Frame.maxSize(D), 4);
        assertEquals(4 * Frame.maxSize(D), o.length);
        assertArrayEquals(FRAME, Arrays.copyOf(o, FRAME.length));
        assertEquals(RejectReason.OVERSIZE, reasonOf(o));
        assertEquals(Frame.maxSize(D) + 1, ProtocolFrames.oversized(FRAME, Frame.maxSize(D), 1.000001).length);
        assertEquals(RejectReason.OVERSIZE, ProtocolFrames.expectedReason(AttackKind.MALFORMED_OVERSIZED));
    }

    @Test
    void aBadVersionByteIsRefusedAsBadVersion() {
        for (int v : new int[] {0, 2, 255}) {
            byte[] b = ProtocolFrames.badVersion(FRAME, v);
            assertEquals(v, b[4] & 0xFF);
            assertEquals(RejectReason.BAD_VERSION, reasonOf(b));
        }
        assertEquals(1, FRAME[4], "input untouched");
    }

    @Test
    void aCorruptedSignatureParsesButDoesNotVerify() {
        byte[] c = ProtocolFrames.corruptedSignature(FRAME);
        assertFalse(FrameCodec.parseHeader(c, Frame.maxSize(D)).signatureValid(NODE.verifyingKey()));
    }

    @Test
    void theWrongDimensionBlockKeepsItsExponentAndCutsOrPadsCoordinates() {
        Bfp16Block shorter = ProtocolFrames.withDimension(BLOCK, D - 1);
        assertEquals(BLOCK.exponent(), shorter.exponent());
        assertArrayEquals(Arrays.copyOf(BLOCK.mantissas(), D - 1), shorter.mantissas());
        Bfp16Block longer = ProtocolFrames.withDimension(BLOCK, D + 2);
        assertEquals(0, longer.mantissa(D + 1));
        assertEquals(BLOCK.mantissa(D - 1), longer.mantissa(D - 1));
        // Still a well-formed, correctly signed frame: only the round's dimension check can refuse it.
        byte[] f = new Frame(FrameKind.UPDATE, NODE.scheme(), "device-sim", NODE.nodeId(), 4, 100, "device-sim-logreg",
                shorter).encode(NODE.signer());
        FrameHeader h = FrameCodec.parseHeader(f, Frame.maxSize(D));
        assertTrue(h.signatureValid(NODE.verifyingKey()));
        assertEquals(D - 1, h.dimension());
        assertThrows(AttackException.class, () -> ProtocolFrames.withDimension(BLOCK, 0));
    }

    @Test
    void everyProtocolKindNamesItsReasonAndModelKindsAreRefused() {
        for (AttackKind k : AttackKind.values()) {
            if (k.level() == AttackLevel.PROTOCOL) {
                ProtocolFrames.expectedReason(k);
            } else {
                assertThrows(AttackException.class, () -> ProtocolFrames.expectedReason(k));
            }
        }
    }
}
