package org.qoraedge.gateway.protocol;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the gateway holds to check a node's frames: the node's HMAC secret or its Ed25519 public
 * key. Immutable and thread-safe.
 */
public final class VerifyingKey {
    private final SignatureScheme scheme;
    private final byte[] hmacKey;
    private final PublicKey publicKey;

    private VerifyingKey(SignatureScheme scheme, byte[] hmacKey, PublicKey publicKey) {
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

    /** Ed25519 from the raw 32-byte public key. */
    public static VerifyingKey ed25519(byte[] rawPublicKey) {
        return new VerifyingKey(SignatureScheme.ED25519, null, Ed25519Keys.publicKey(rawPublicKey));
    }

    public SignatureScheme scheme() {
        return scheme;
    }

    /**
     * True when {@code frame[sigOffset, sigOffset + scheme.signatureLength())} is a valid signature
     * of {@code frame[0, sigOffset)} under this key. HMAC tags are compared in constant time.
     */
    public boolean verify(byte[] frame, int sigOffset) {
        int len = scheme.signatureLength();
        try {
            if (scheme == SignatureScheme.HMAC_SHA256) {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
                mac.update(frame, 0, sigOffset);
                byte[] expected = mac.doFinal();
                byte[] got = Arrays.copyOfRange(frame, sigOffset, sigOffset + len);
                return MessageDigest.isEqual(expected, got);
            }
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(publicKey);
            s.update(frame, 0, sigOffset);
            return s.verify(frame, sigOffset, len);
        } catch (GeneralSecurityException e) {
            // A malformed Ed25519 signature encoding is a failed verification, not an error.
            return false;
        }
    }
}
