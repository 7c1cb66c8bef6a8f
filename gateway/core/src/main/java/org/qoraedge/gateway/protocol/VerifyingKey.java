package org.qoraedge.gateway.protocol;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * What the gateway holds to check a node's frames: the node's HMAC secret or its Ed25519 public
 * key. Immutable and thread-safe.
 */
public final class VerifyingKey {
    private final SignatureScheme scheme;
    private final byte[] hmacKey;
    private final Ed25519.PublicPoint publicKey;

    private VerifyingKey(SignatureScheme scheme, byte[] hmacKey, Ed25519.PublicPoint publicKey) {
        this.scheme = scheme;
        this.hmacKey = hmacKey;
        this.publicKey = publicKey;
    }

    /** HMAC-SHA256 with a 32-byte secret (the same secret the node signs with). */
    public static VerifyingKey hmac(byte[] secret) {
        if (secret.length != 32) {
            throw new ProtocolException("HMAC-SHA256 key has " + secret.length + " bytes; keys must have 32");
        }
        return new VerifyingKey(SignatureScheme.HMAC_SHA256, secret.clone(), null);
    }

    /**
     * Ed25519 from the raw 32-byte public key.
     *
     * @throws ProtocolException when the bytes are not a valid public key
     */
    public static VerifyingKey ed25519(byte[] rawPublicKey) {
        return new VerifyingKey(SignatureScheme.ED25519, null, Ed25519Keys.publicPoint(rawPublicKey));
    }

    public SignatureScheme scheme() {
        return scheme;
    }

    /**
     * True when {@code frame[sigOffset, sigOffset + scheme.signatureLength())} is a valid signature
     * of {@code frame[0, sigOffset)} under this key. HMAC tags are compared in constant time.
     */
    public boolean verify(byte[] frame, int sigOffset) {
        if (scheme == SignatureScheme.ED25519) {
            return Ed25519Keys.verify(publicKey, frame, sigOffset, frame, sigOffset);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
            mac.update(frame, 0, sigOffset);
            byte[] expected = mac.doFinal();
            byte[] got = Arrays.copyOfRange(frame, sigOffset, sigOffset + scheme.signatureLength());
            return MessageDigest.isEqual(expected, got);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }
}
