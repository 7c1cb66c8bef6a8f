package org.qoraedge.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** docs/PROTOCOL.md section 6.1: what the gateway signs verifies under its key, and nothing else does. */
class SignedTextTest {
    private static final byte[] SEED = new byte[32];
    private static final VerifyingKey KEY = VerifyingKey.ed25519(Ed25519Keys.publicKeyOf(SEED));
    private static final String TOPIC = "qora/v1/demo/round";
    private static final byte[] BODY = "protocol=1\nround=3\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignedMessageVerifiesAndGivesBackItsBody() {
        byte[] signed = SignedText.sign(TOPIC, BODY, FrameSigner.ed25519(SEED));
        assertTrue(new String(signed, StandardCharsets.UTF_8).matches("protocol=1\nround=3\nsignature=[0-9a-f]{128}\n"));
        assertArrayEquals(BODY, SignedText.verify(TOPIC, signed, KEY));
    }

    @Test
    void theTopicIsPartOfWhatIsSigned() {
        byte[] signed = SignedText.sign(TOPIC, BODY, FrameSigner.ed25519(SEED));
        ProtocolException e = assertThrows(ProtocolException.class, () -> SignedText.verify("qora/v1/demo/gateway/status", signed, KEY));
        assertTrue(e.getMessage().contains("not signed by the gateway's key"), e.getMessage());
    }

    @Test
    void refusesUnsignedMalformedAndForeignSignatures() {
        assertTrue(assertThrows(ProtocolException.class, () -> SignedText.verify(TOPIC, BODY, KEY)).getMessage().contains("not signed"));
        byte[] shortSig = "protocol=1\nsignature=00\n".getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(ProtocolException.class, () -> SignedText.verify(TOPIC, shortSig, KEY)).getMessage()
                .contains("malformed signature line"));
        byte[] other = new byte[32];
        other[0] = 1;
        byte[] foreign = SignedText.sign(TOPIC, BODY, FrameSigner.ed25519(other));
        assertThrows(ProtocolException.class, () -> SignedText.verify(TOPIC, foreign, KEY));
    }

    /** Found by fuzzing: a last line shorter than "\nsignature=" read past the end of the payload. */
    @Test
    void aLastLineShorterThanTheSignatureKeyIsRefusedNotReadPastTheEnd() {
        byte[] p = "protocol=1\nfleet=x\nmaxFraWy\n".getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(ProtocolException.class, () -> SignedText.verify(TOPIC, p, KEY)).getMessage().contains("not signed"));
    }

    /** Found by fuzzing: the same signature in uppercase hex verified, so a second encoding of a message passed. */
    @Test
    void onlyLowercaseHexIsASignature() {
        byte[] signed = SignedText.sign(TOPIC, BODY, FrameSigner.ed25519(SEED));
        String text = new String(signed, StandardCharsets.UTF_8);
        int at = text.indexOf("signature=") + "signature=".length();
        byte[] upper = (text.substring(0, at) + text.substring(at).toUpperCase(Locale.ROOT)).getBytes(StandardCharsets.UTF_8);
        assertTrue(assertThrows(ProtocolException.class, () -> SignedText.verify(TOPIC, upper, KEY)).getMessage()
                .contains("not lowercase hex"));
    }
}
