package org.qoraedge.gateway.protocol;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A node's (or the gateway's) signing key: signs the bytes of a frame that precede its signature.
 * Immutable and thread-safe (each call uses its own {@code Mac} or {@code Signature}).
 */
public final class FrameSigner {
    private final SignatureScheme scheme;
    private final byte[] hmacKey;
    private final PrivateKey privateKey;

    private FrameSigner(SignatureScheme scheme, byte[] hmacKey, PrivateKey privateKey) {
        this.scheme = scheme;
        this.hmacKey = hmacKey;
        this.privateKey = privateKey;
    }

    /** HMAC-SHA256 with a 32-byte secret. */
    public static FrameSigner hmac(byte[] secret) {
        if (secret.length != 32) {
            throw new ProtocolException("HMAC-SHA256 key has " + secret.length + " bytes; keys must have 32");
        }
        return new FrameSigner(SignatureScheme.HMAC_SHA256, secret.clone(), null);
    }

    /** Ed25519 from a raw 32-byte seed. */
    public static FrameSigner ed25519(byte[] seed) {
        return new FrameSigner(SignatureScheme.ED25519, null, Ed25519Keys.privateKey(seed));
    }

    public SignatureScheme scheme() {
        return scheme;
    }

    /** The signature of {@code data[0, length)}: 32 bytes for HMAC-SHA256, 64 for Ed25519. */
    public byte[] sign(byte[] data, int length) {
        try {
            if (scheme == SignatureScheme.HMAC_SHA256) {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(hmacKey, "HmacSHA256"));
                mac.update(data, 0, length);
                return mac.doFinal();
            }
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(data, 0, length);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with " + scheme + " failed", e);
        }
    }
}
