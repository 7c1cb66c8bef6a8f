package org.qoraedge.gateway.protocol;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A node's (or the gateway's) signing key: signs the bytes of a frame that precede its signature.
 * Immutable and thread-safe (each call uses its own {@code Mac}; Ed25519 signing keeps no state).
 */
public final class FrameSigner {
    private final SignatureScheme scheme;
    private final byte[] secret;
    private final byte[] publicKey;

    private FrameSigner(SignatureScheme scheme, byte[] secret, byte[] publicKey) {
        this.scheme = scheme;
        this.secret = secret;
        this.publicKey = publicKey;
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
        return new FrameSigner(SignatureScheme.ED25519, seed.clone(), Ed25519Keys.publicKeyOf(seed));
    }

    public SignatureScheme scheme() {
        return scheme;
    }

    /** The signature of {@code data[0, length)}: 32 bytes for HMAC-SHA256, 64 for Ed25519. */
    public byte[] sign(byte[] data, int length) {
        if (scheme == SignatureScheme.ED25519) {
            return Ed25519Keys.sign(secret, publicKey, data, length);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing with " + scheme + " failed", e);
        }
    }
}
