package org.qoraedge.gateway.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Text messages the gateway signs (docs/PROTOCOL.md, "Signed text messages"): the round
 * announcement and the gateway status. The payload is the message's lines followed by one last
 * line {@code signature=<128 hex>}, the gateway's Ed25519 signature over
 *
 * <pre>
 * "qora-signed-text/1\n" || topic || "\n" || every byte of the payload before the signature line
 * </pre>
 *
 * The topic is part of what is signed, so a status cannot pass for an announcement, nor one
 * fleet's message for another's. Readers that do not check signatures see one more key, which the
 * text format tells them to ignore.
 */
public final class SignedText {
    /** The key of the signature line. */
    public static final String KEY = "signature";

    private static final byte[] CONTEXT = "qora-signed-text/1\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MARK = ("\n" + KEY + "=").getBytes(StandardCharsets.US_ASCII);
    private static final int SIGNATURE_BYTES = SignatureScheme.ED25519.signatureLength();
    private static final HexFormat HEX = HexFormat.of();

    private SignedText() {
    }

    /** {@code body} (complete lines) with the signature line appended. */
    public static byte[] sign(String topic, byte[] body, FrameSigner gatewaySigner) {
        if (gatewaySigner.scheme() != SignatureScheme.ED25519) {
            throw new IllegalArgumentException("the gateway signs text with ed25519, not " + gatewaySigner.scheme());
        }
        if (body.length == 0 || body[body.length - 1] != '\n') {
            throw new IllegalArgumentException("a signed text body must end with a line break");
        }
        byte[] data = signedData(topic, body, body.length);
        byte[] sig = gatewaySigner.sign(data, data.length);
        byte[] line = (KEY + "=" + HEX.formatHex(sig) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(body, body.length + line.length);
        System.arraycopy(line, 0, out, body.length, line.length);
        return out;
    }

    /**
     * Checks the signature of a payload received on {@code topic} and returns the signed body (the
     * payload without its signature line).
     *
     * @throws ProtocolException naming what is wrong: no signature line, a malformed one, or a
     *     signature that does not verify under {@code gatewayKey}
     */
    public static byte[] verify(String topic, byte[] payload, VerifyingKey gatewayKey) {
        if (gatewayKey.scheme() != SignatureScheme.ED25519) {
            throw new IllegalArgumentException("gateway keys are ed25519, not " + gatewayKey.scheme());
        }
        int bodyEnd = signatureLineStart(payload);
        if (bodyEnd < 0) {
            throw new ProtocolException("message on " + topic + " is not signed (no last line '" + KEY + "=...')");
        }
        int hexStart = bodyEnd + KEY.length() + 1;
        int hexEnd = payload.length - 1;
        if (payload[hexEnd] != '\n' || hexEnd - hexStart != 2 * SIGNATURE_BYTES) {
            throw new ProtocolException("message on " + topic + " has a malformed signature line (expected "
                    + 2 * SIGNATURE_BYTES + " hex digits and a line break)");
        }
        // One encoding only (lowercase hex), so that what verifies is byte for byte what the gateway published.
        for (int i = hexStart; i < hexEnd; i++) {
            byte c = payload[i];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new ProtocolException("message on " + topic + " has a signature that is not lowercase hex");
            }
        }
        byte[] sig = HEX.parseHex(new String(payload, hexStart, hexEnd - hexStart, StandardCharsets.US_ASCII));
        byte[] data = signedData(topic, payload, bodyEnd);
        byte[] withSig = Arrays.copyOf(data, data.length + sig.length);
        System.arraycopy(sig, 0, withSig, data.length, sig.length);
        if (!gatewayKey.verify(withSig, data.length)) {
            throw new ProtocolException("message on " + topic + " is not signed by the gateway's key");
        }
        return Arrays.copyOf(payload, bodyEnd);
    }

    /** The offset of the last line when the payload ends with a line break, has a body, and its last line is the signature's. */
    private static int signatureLineStart(byte[] p) {
        if (p.length < MARK.length + 1 || p[p.length - 1] != '\n') {
            return -1;
        }
        int i = p.length - 2;
        while (i >= 0 && p[i] != '\n') {
            i--;
        }
        // The last line may be shorter than the key: compare only when it is long enough.
        if (i < 0 || p.length - i < MARK.length || !Arrays.equals(p, i, i + MARK.length, MARK, 0, MARK.length)) {
            return -1;
        }
        return i + 1;
    }

    private static byte[] signedData(String topic, byte[] body, int bodyLength) {
        byte[] t = (topic + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[CONTEXT.length + t.length + bodyLength];
        System.arraycopy(CONTEXT, 0, out, 0, CONTEXT.length);
        System.arraycopy(t, 0, out, CONTEXT.length, t.length);
        System.arraycopy(body, 0, out, CONTEXT.length + t.length, bodyLength);
        return out;
    }
}
