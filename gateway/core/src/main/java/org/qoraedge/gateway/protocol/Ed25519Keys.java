package org.qoraedge.gateway.protocol;

import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 (RFC 8032, pure) on keys in their raw forms (32-byte seed, 32-byte public key), which is
 * what key files and C firmware use. The arithmetic is Bouncy Castle's RFC 8032 class: Java 17's
 * own Ed25519 takes about ten times as long to verify a signature (docs/PROTOCOL.md section 10),
 * and a gateway checks one for every update of a node with an Ed25519 key, a node one a round.
 * Signatures are deterministic: the same seed and message give the same 64 bytes in any correct
 * implementation (the protocol document's vectors check it).
 */
public final class Ed25519Keys {
    /** Raw key and seed length. */
    public static final int KEY_BYTES = 32;

    private Ed25519Keys() {
    }

    /**
     * A raw public key checked and decoded for verification.
     *
     * @throws ProtocolException when the 32 bytes are not the encoding of a point of the curve's
     *     prime-order subgroup (a small-order key would let anyone forge signatures under it)
     */
    public static Ed25519.PublicPoint publicPoint(byte[] raw) {
        checkLength(raw, "public key");
        Ed25519.PublicPoint p = Ed25519.validatePublicKeyFullExport(raw, 0);
        if (p == null) {
            throw new ProtocolException("not a valid Ed25519 public key: its 32 bytes do not encode a point of the curve's"
                    + " prime-order subgroup");
        }
        return p;
    }

    /** The raw public key belonging to a seed. */
    public static byte[] publicKeyOf(byte[] seed) {
        checkLength(seed, "seed");
        byte[] pk = new byte[KEY_BYTES];
        Ed25519.generatePublicKey(seed, 0, pk, 0);
        return pk;
    }

    /** A fresh seed from {@code random}. */
    public static byte[] newSeed(SecureRandom random) {
        byte[] seed = new byte[KEY_BYTES];
        random.nextBytes(seed);
        return seed;
    }

    /**
     * The signature of {@code data[0, length)} by {@code seed}, whose public key {@code publicKey} is
     * (passing it spares deriving it again).
     */
    static byte[] sign(byte[] seed, byte[] publicKey, byte[] data, int length) {
        byte[] sig = new byte[SignatureScheme.ED25519.signatureLength()];
        Ed25519.sign(seed, 0, publicKey, 0, data, 0, length, sig, 0);
        return sig;
    }

    /**
     * True when {@code sig[sigOffset, sigOffset + 64)} is a valid signature of {@code data[0, length)}
     * under {@code key}; false for any malformed signature (a non-canonical scalar or point among them).
     */
    public static boolean verify(Ed25519.PublicPoint key, byte[] data, int length, byte[] sig, int sigOffset) {
        if (sigOffset < 0 || sig.length - sigOffset < SignatureScheme.ED25519.signatureLength()) {
            return false;
        }
        return Ed25519.verify(sig, sigOffset, key, data, 0, length);
    }

    private static void checkLength(byte[] raw, String what) {
        if (raw.length != KEY_BYTES) {
            throw new ProtocolException("Ed25519 " + what + " has " + raw.length + " bytes; it must have " + KEY_BYTES);
        }
    }
}
