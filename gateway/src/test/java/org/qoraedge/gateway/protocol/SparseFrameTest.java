package org.qoraedge.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * SPARSE UPDATE frames (docs/PROTOCOL.md section 4.1): the golden frame of section 12, written by
 * make-sparse-vector.py (Python's struct and hmac, not this code), and one test per refusal.
 */
class SparseFrameTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final int[] INDICES = {2, 3, 130, 299};
    private static final short[] MANTISSAS = {1, -2, 32767, -32767};
    /** Offset of the k field in the golden frame: 27 + F + N + M + 8 with "demo", "node-03", "mnist-lr". */
    private static final int K_OFFSET = 27 + 4 + 7 + 8 + 8;
    private static final long MAX = Frame.maxUpdateSize(300);

    static byte[] golden() throws IOException {
        try (InputStream in = SparseFrameTest.class.getResourceAsStream("sparse-update-v1.bin")) {
            return in.readAllBytes();
        }
    }

    private static SparseFrame goldenFields() {
        return new SparseFrame(SignatureScheme.HMAC_SHA256, "demo", "node-03", 7, 44, "mnist-lr", -10, 300, INDICES,
                MANTISSAS);
    }

    /** The golden frame's bytes up to k, then {@code tail} (k, indices, mantissas), then a zero signature. */
    private static byte[] withTail(byte[] tail) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(golden(), 0, K_OFFSET);
        b.write(tail);
        b.write(new byte[32]);
        return b.toByteArray();
    }

    private static RejectReason reasonOf(byte[] payload) {
        return assertThrows(FrameException.class, () -> FrameCodec.parseHeader(payload, MAX)).reason();
    }

    @Test
    void encodingTheGoldenFieldsGivesTheGoldenBytes() throws IOException {
        assertEquals(HEX.formatHex(golden()), HEX.formatHex(goldenFields().encode(FrameSigner.hmac(KEY))));
    }

    @Test
    void protocolDocPrintsTheGoldenBytes() throws IOException {
        String doc = Files.readString(ProtocolDocVectorsTest.doc(), StandardCharsets.UTF_8);
        assertTrue(doc.contains("frame = " + HEX.formatHex(golden())), "docs/PROTOCOL.md section 12 lacks the sparse frame");
    }

    @Test
    void decodingTheGoldenBytesGivesTheDensifiedBlock() throws IOException {
        byte[] g = golden();
        FrameHeader h = FrameCodec.parseHeader(g, MAX);
        assertEquals(FrameKind.SPARSE_UPDATE, h.kind());
        assertEquals(300, h.dimension());
        assertEquals(4, h.count());
        assertEquals(71, h.signatureOffset());
        assertTrue(h.signatureValid(VerifyingKey.hmac(KEY)));
        short[] expected = new short[300];
        expected[2] = 1;
        expected[3] = -2;
        expected[130] = 32767;
        expected[299] = -32767;
        assertEquals(Bfp16Block.of(-10, expected), h.block());
        Frame f = FrameCodec.decode(g, MAX, VerifyingKey.hmac(KEY));
        assertEquals(FrameKind.UPDATE, f.kind());
        assertEquals(Bfp16Block.of(-10, expected), f.block());
    }

    @Test
    void densifyOfTheFrameIsTheBlockTheGatewayDecodes() throws IOException {
        assertEquals(FrameCodec.parseHeader(golden(), MAX).block(), goldenFields().densify());
    }

    @Test
    void refusesKZero() throws IOException {
        assertEquals(RejectReason.SPARSE_COUNT, reasonOf(withTail(HEX.parseHex("00000000"))));
    }

    @Test
    void refusesKAboveD() throws IOException {
        assertEquals(RejectReason.SPARSE_COUNT, reasonOf(withTail(HEX.parseHex("0000012d"))));
        assertEquals(RejectReason.SPARSE_COUNT, reasonOf(withTail(HEX.parseHex("ffffffff"))));
    }

    @Test
    void refusesADuplicateIndex() throws IOException {
        assertEquals(RejectReason.SPARSE_UNSORTED, reasonOf(withTail(HEX.parseHex("00000002" + "0500" + "00010002"))));
    }

    @Test
    void refusesAnIndexAtOrAboveD() throws IOException {
        // 300 = ac 02
        assertEquals(RejectReason.SPARSE_INDEX_RANGE, reasonOf(withTail(HEX.parseHex("00000001" + "ac02" + "0001"))));
        // 299 then a gap of 1: index 300
        assertEquals(RejectReason.SPARSE_INDEX_RANGE,
                reasonOf(withTail(HEX.parseHex("00000002" + "ab02" + "01" + "00010001"))));
    }

    @Test
    void refusesANonMinimalVarint() throws IOException {
        // 2 written as 82 00
        assertEquals(RejectReason.SPARSE_VARINT, reasonOf(withTail(HEX.parseHex("00000001" + "8200" + "0001"))));
    }

    @Test
    void refusesAVarintLongerThanFiveBytes() throws IOException {
        assertEquals(RejectReason.SPARSE_VARINT, reasonOf(withTail(HEX.parseHex("00000001" + "818080808000" + "0001"))));
    }

    @Test
    void refusesAVarintAboveIntRange() throws IOException {
        // 2^31 = 80 80 80 80 08
        assertEquals(RejectReason.SPARSE_VARINT, reasonOf(withTail(HEX.parseHex("00000001" + "8080808008" + "0001"))));
    }

    @Test
    void refusesAVarintCutOffByTheEndOfTheFrame() throws IOException {
        byte[] head = Arrays.copyOf(golden(), K_OFFSET + 5);
        head[K_OFFSET + 4] = (byte) 0x81;
        head[K_OFFSET + 3] = 1;
        assertEquals(RejectReason.SPARSE_VARINT, reasonOf(head));
    }

    @Test
    void refusesTrailingBytes() throws IOException {
        byte[] g = golden();
        assertEquals(RejectReason.SPARSE_TRAILING, reasonOf(Arrays.copyOf(g, g.length + 1)));
    }

    @Test
    void refusesAFrameShortOfItsMantissasAsMalformed() throws IOException {
        byte[] g = golden();
        assertEquals(RejectReason.MALFORMED, reasonOf(Arrays.copyOf(g, g.length - 1)));
    }

    @Test
    void refusesMantissaMinus32768AsInvalidBlock() throws IOException {
        FrameHeader h = FrameCodec.parseHeader(withTail(HEX.parseHex("00000001" + "05" + "8000")), MAX);
        assertEquals(RejectReason.INVALID_BLOCK, assertThrows(FrameException.class, h::block).reason());
    }

    @Test
    void refusesAPayloadAboveTheSparseBoundBeforeReadingIt() {
        assertEquals(RejectReason.OVERSIZE, reasonOf(new byte[(int) MAX + 1]));
    }

    @Test
    void refusesAnUnknownKindAsMalformed() throws IOException {
        byte[] g = golden();
        g[5] = 4;
        assertEquals(RejectReason.MALFORMED, reasonOf(g));
    }

    @Test
    void writerRefusesUnsortedIndicesAndInvalidMantissas() {
        assertThrows(ProtocolException.class, () -> new SparseFrame(SignatureScheme.HMAC_SHA256, "demo", "n", 1, 1, "m",
                0, 10, new int[] {3, 2}, new short[] {1, 1}));
        assertThrows(ProtocolException.class, () -> new SparseFrame(SignatureScheme.HMAC_SHA256, "demo", "n", 1, 1, "m",
                0, 10, new int[] {3}, new short[] {Short.MIN_VALUE}));
    }

    @Test
    void documentedBoundHasTheDocumentedValues() {
        assertEquals(307, SparseFrame.maxSize(4));
        assertEquals(295 + 300_000 + 781 + 6, SparseFrame.maxSize(100_000));
    }

    @Test
    void everyRandomSparseFrameFitsTheBound() {
        SplittableRandom r = new SplittableRandom(16);
        String id = "x".repeat(64);
        byte[] seed = new byte[32];
        for (int t = 0; t < 300; t++) {
            int d = 1 + r.nextInt(t < 150 ? 300 : 40_000);
            int k = 1 + r.nextInt(Math.min(d, 64));
            int[] idx = r.ints(0, d).distinct().limit(k).sorted().toArray();
            short[] m = new short[idx.length];
            byte[] bytes = new SparseFrame(SignatureScheme.ED25519, id, id, 1, 1, id, 0, d, idx, m)
                    .encode(FrameSigner.ed25519(seed));
            assertTrue(bytes.length <= SparseFrame.maxSize(d), d + " " + Arrays.toString(idx));
            FrameHeader h = FrameCodec.parseHeader(bytes, Frame.maxUpdateSize(d));
            short[] dense = new short[d];
            assertArrayEquals(dense, h.block().mantissas());
        }
    }
}
