package org.qoraedge.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qoraedge.fixedpoint.Bfp16Block;

class FrameCodecTest {
    private static final byte[] SECRET = new byte[32];
    private static final Bfp16Block BLOCK = Bfp16Block.of(-3, new short[] {5, -7, 0, 32767});

    static {
        Arrays.fill(SECRET, (byte) 9);
    }

    private static byte[] frame() {
        return new Frame(FrameKind.UPDATE, SignatureScheme.HMAC_SHA256, "fleet", "node-1", 3, 11, "m", BLOCK)
                .encode(FrameSigner.hmac(SECRET));
    }

    private static RejectReason reasonOf(byte[] payload, long max) {
        return assertThrows(FrameException.class, () -> FrameCodec.parseHeader(payload, max)).reason();
    }

    @ParameterizedTest
    @EnumSource(SignatureScheme.class)
    void roundTripsEveryScheme(SignatureScheme scheme) {
        byte[] key = new byte[32];
        key[0] = 1;
        FrameSigner signer = scheme == SignatureScheme.HMAC_SHA256 ? FrameSigner.hmac(key) : FrameSigner.ed25519(key);
        VerifyingKey vk = scheme == SignatureScheme.HMAC_SHA256 ? VerifyingKey.hmac(key)
                : VerifyingKey.ed25519(Ed25519Keys.publicKeyOf(key));
        Frame f = new Frame(FrameKind.MODEL, scheme, "f", "gw", 0, 1, "model-x", BLOCK);
        byte[] bytes = f.encode(signer);
        assertEquals(Frame.size(1, 2, 7, 4, scheme), bytes.length);
        Frame back = FrameCodec.decode(bytes, bytes.length, vk);
        assertEquals(f.toString(), back.toString());
        assertEquals(BLOCK, back.block());
    }

    @Test
    void refusesAPayloadAboveTheRoundsMaximumBeforeReadingIt() {
        byte[] huge = new byte[(int) Frame.maxSize(4) + 1];
        assertEquals(RejectReason.OVERSIZE, reasonOf(huge, Frame.maxSize(4)));
    }

    @Test
    void refusesBadMagicAndBadVersion() {
        byte[] f = frame();
        f[0] = 'X';
        assertEquals(RejectReason.BAD_MAGIC, reasonOf(f, 1000));
        f = frame();
        f[4] = 2;
        assertEquals(RejectReason.BAD_VERSION, reasonOf(f, 1000));
        assertEquals(RejectReason.BAD_MAGIC, reasonOf(new byte[0], 1000));
    }

    @Test
    void refusesEveryTruncationAndAnyTrailingByte() {
        byte[] f = frame();
        for (int len = 5; len < f.length; len++) {
            RejectReason r = reasonOf(Arrays.copyOf(f, len), 1000);
            assertTrue(r == RejectReason.MALFORMED, "length " + len + " gave " + r);
        }
        assertEquals(RejectReason.MALFORMED, reasonOf(Arrays.copyOf(f, f.length + 1), 1000));
    }

    @Test
    void refusesUnknownKindSchemeAndNonZeroFlags() {
        for (int offset : new int[] {5, 6, 7}) {
            byte[] f = frame();
            f[offset] = 9;
            assertEquals(RejectReason.MALFORMED, reasonOf(f, 1000), "offset " + offset);
        }
    }

    @Test
    void refusesIdentifiersThatAreEmptyTooLongNotUtf8OrTopicCharacters() {
        byte[] f = frame();
        f[8] = 0; // fleet length 0
        assertEquals(RejectReason.MALFORMED, reasonOf(f, 1000));
        f = frame();
        f[9] = '/'; // "fleet" -> "/leet"
        assertEquals(RejectReason.MALFORMED, reasonOf(f, 1000));
        f = frame();
        f[9] = (byte) 0xC0; // invalid UTF-8 lead byte
        assertEquals(RejectReason.MALFORMED, reasonOf(f, 1000));
        assertThrows(ProtocolException.class, () -> new Frame(FrameKind.UPDATE, SignatureScheme.HMAC_SHA256, "f",
                "x".repeat(65), 1, 1, "m", BLOCK));
        assertThrows(ProtocolException.class, () -> new Frame(FrameKind.UPDATE, SignatureScheme.HMAC_SHA256, "f",
                "a+b", 1, 1, "m", BLOCK));
    }

    @Test
    void refusesADimensionFieldThatDisagreesWithTheLength() {
        byte[] f = frame();
        int dOffset = 8 + 1 + 5 + 1 + 6 + 16 + 1 + 1 + 4;
        assertEquals(4, FrameCodec.readInt(f, dOffset));
        f[dOffset + 3] = 5;
        assertEquals(RejectReason.MALFORMED, reasonOf(f, 1000));
        f[dOffset] = (byte) 0x80; // negative dimension
        assertEquals(RejectReason.MALFORMED, reasonOf(f, 1000));
    }

    @Test
    void refusesZeroSequenceAndRoundsWithTheTopBitSet() {
        int roundOffset = 8 + 1 + 5 + 1 + 6;
        byte[] f = frame();
        f[roundOffset] = (byte) 0x80;
        assertEquals(RejectReason.MALFORMED, reasonOf(f, 1000));
        f = frame();
        Arrays.fill(f, roundOffset + 8, roundOffset + 16, (byte) 0);
        assertEquals(RejectReason.MALFORMED, reasonOf(f, 1000));
    }

    @Test
    void reportsAnInvalidBlockOnlyWhenTheBlockIsBuilt() {
        byte[] f = frame();
        int mOffset = f.length - 32 - 2;
        f[mOffset] = (byte) 0x80;
        f[mOffset + 1] = 0; // -32768
        FrameHeader h = FrameCodec.parseHeader(f, 1000);
        assertEquals(RejectReason.INVALID_BLOCK, assertThrows(FrameException.class, h::block).reason());
    }

    @Test
    void aSignatureFromAnotherKeyOrSchemeDoesNotVerify() {
        FrameHeader h = FrameCodec.parseHeader(frame(), 1000);
        byte[] other = SECRET.clone();
        other[31] = 1;
        assertTrue(h.signatureValid(VerifyingKey.hmac(SECRET)));
        assertTrue(!h.signatureValid(VerifyingKey.hmac(other)));
        assertTrue(!h.signatureValid(VerifyingKey.ed25519(Ed25519Keys.publicKeyOf(SECRET))));
    }
}
