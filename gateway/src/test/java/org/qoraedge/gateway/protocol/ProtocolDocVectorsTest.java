package org.qoraedge.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;

/** The test vectors printed in docs/PROTOCOL.md are what this implementation writes and reads. */
class ProtocolDocVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    static Path doc() {
        String p = System.getProperty("qora.protocolDoc");
        return p != null ? Path.of(p) : Path.of("../docs/PROTOCOL.md");
    }

    static List<Map<String, String>> vectors() throws IOException {
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> cur = null;
        for (String line : Files.readAllLines(doc(), StandardCharsets.UTF_8)) {
            if (line.strip().equals("```qora-vector")) {
                cur = new LinkedHashMap<>();
            } else if (cur != null && line.strip().equals("```")) {
                out.add(cur);
                cur = null;
            } else if (cur != null && line.contains("=")) {
                int eq = line.indexOf('=');
                cur.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return out;
    }

    static Stream<Map<String, String>> eachVector() throws IOException {
        return vectors().stream();
    }

    @Test
    void docHoldsAnHmacAndAnEd25519Vector() throws IOException {
        List<String> schemes = new ArrayList<>();
        for (Map<String, String> v : vectors()) {
            schemes.add(v.get("scheme"));
        }
        assertEquals(List.of("hmac-sha256", "ed25519"), schemes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eachVector")
    void encodingTheDocumentedFieldsGivesTheDocumentedBytes(Map<String, String> v) {
        SignatureScheme scheme = SignatureScheme.ofKeyFileName(v.get("scheme"));
        byte[] key = HEX.parseHex(v.get("key"));
        FrameSigner signer = scheme == SignatureScheme.HMAC_SHA256 ? FrameSigner.hmac(key) : FrameSigner.ed25519(key);
        Frame f = new Frame(FrameKind.UPDATE, scheme, v.get("fleet"), v.get("node"), Long.parseLong(v.get("round")),
                Long.parseLong(v.get("sequence")), v.get("model"), block(v));
        assertEquals(v.get("frame"), HEX.formatHex(f.encode(signer)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eachVector")
    void decodingTheDocumentedBytesGivesTheDocumentedFields(Map<String, String> v) {
        byte[] frame = HEX.parseHex(v.get("frame"));
        byte[] key = HEX.parseHex(v.get("key"));
        VerifyingKey vk = v.get("scheme").equals("hmac-sha256") ? VerifyingKey.hmac(key)
                : VerifyingKey.ed25519(HEX.parseHex(v.get("public")));
        Frame f = FrameCodec.decode(frame, Frame.maxSize(4), vk);
        assertEquals(v.get("fleet"), f.fleet());
        assertEquals(v.get("node"), f.nodeId());
        assertEquals(Long.parseLong(v.get("round")), f.round());
        assertEquals(Long.parseLong(v.get("sequence")), f.sequence());
        assertEquals(v.get("model"), f.modelId());
        assertEquals(block(v), f.block());
        assertEquals("b24773382a71ae93747c9cb43b29cfc3178f3361d2d507fbebde8883de693a00", Digests.block(f.block()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eachVector")
    void everySingleBitFlipBreaksTheSignatureOrTheStructure(Map<String, String> v) {
        byte[] frame = HEX.parseHex(v.get("frame"));
        byte[] key = HEX.parseHex(v.get("key"));
        VerifyingKey vk = v.get("scheme").equals("hmac-sha256") ? VerifyingKey.hmac(key)
                : VerifyingKey.ed25519(HEX.parseHex(v.get("public")));
        for (int i = 0; i < frame.length; i++) {
            byte[] t = frame.clone();
            t[i] ^= 0x01;
            boolean accepted;
            try {
                accepted = FrameCodec.parseHeader(t, Frame.maxSize(4)).signatureValid(vk);
            } catch (FrameException e) {
                accepted = false;
            }
            assertFalse(accepted, "flipping a bit of byte " + i + " went unnoticed");
        }
    }

    @Test
    void documentedPublicKeyBelongsToTheDocumentedSeed() throws IOException {
        Map<String, String> v = vectors().get(1);
        assertArrayEquals(HEX.parseHex(v.get("public")), Ed25519Keys.publicKeyOf(HEX.parseHex(v.get("key"))));
    }

    @Test
    void theByteCountsStatedInTheDocAreTheVectorsLengths() throws IOException {
        String doc = Files.readString(doc(), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        int hmac = HEX.parseHex(vectors().get(0).get("frame")).length;
        int ed = HEX.parseHex(vectors().get(1).get("frame")).length;
        assertTrue(doc.contains("HMAC-SHA256 of the " + (hmac - 32) + " bytes before it. " + hmac + " bytes in all"), "hmac frame: " + hmac);
        assertTrue(doc.contains((ed - 64) + " signed bytes and a 64-byte signature, " + ed + " bytes in all"), "ed25519 frame: " + ed);
    }

    @Test
    void documentedMaximumSizesFollowTheFormula() {
        assertEquals(299, Frame.maxSize(4));
        assertEquals(200_291, Frame.maxSize(100_000));
        assertTrue(Frame.maxSize(1) == 293);
    }

    private static Bfp16Block block(Map<String, String> v) {
        String[] parts = v.get("mantissas").split(",");
        short[] m = new short[parts.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = Short.parseShort(parts[i].strip());
        }
        return Bfp16Block.of(Integer.parseInt(v.get("e")), m);
    }
}
