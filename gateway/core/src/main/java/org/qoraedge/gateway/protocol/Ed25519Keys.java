package org.qoraedge.gateway.protocol;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Ed25519 keys in their raw RFC 8032 forms (32-byte seed, 32-byte public key), which is what key
 * files and C firmware use, converted to and from the JDK's encoded forms.
 */
public final class Ed25519Keys {
    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519; the raw key follows. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    /** DER prefix of a PKCS#8 PrivateKeyInfo for Ed25519; the raw seed follows. */
    private static final byte[] PKCS8_PREFIX = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
        0x04, 0x22, 0x04, 0x20};
    /** Raw key and seed length. */
    public static final int KEY_BYTES = 32;

    private Ed25519Keys() {
    }

    /** A JDK public key from the raw 32 bytes. */
    public static PublicKey publicKey(byte[] raw) {
        checkLength(raw, "public key");
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, raw)));
        } catch (GeneralSecurityException e) {
            throw new ProtocolException("not a valid Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** A JDK private key from the raw 32-byte seed. */
    public static PrivateKey privateKey(byte[] seed) {
        checkLength(seed, "seed");
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
        } catch (GeneralSecurityException e) {
            throw new ProtocolException("not a valid Ed25519 seed: " + e.getMessage(), e);
        }
    }

    /** The raw public key belonging to a seed (the JDK derives it when generating from that seed). */
    public static byte[] publicKeyOf(byte[] seed) {
        checkLength(seed, "seed");
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
            g.initialize(255, new FixedBytes(seed));
            return rawPublic(g.generateKeyPair().getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks Ed25519, which Java 15+ provides", e);
        }
    }

    /** A fresh seed from {@code random}. */
    public static byte[] newSeed(SecureRandom random) {
        byte[] seed = new byte[KEY_BYTES];
        random.nextBytes(seed);
        return seed;
    }

    /** The raw 32 bytes of a JDK Ed25519 public key. */
    public static byte[] rawPublic(PublicKey key) {
        byte[] enc = key.getEncoded();
        return Arrays.copyOfRange(enc, enc.length - KEY_BYTES, enc.length);
    }

    /** Generates a key pair's raw seed. */
    public static KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
            g.initialize(255, random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks Ed25519, which Java 15+ provides", e);
        }
    }

    private static void checkLength(byte[] raw, String what) {
        if (raw.length != KEY_BYTES) {
            throw new ProtocolException("Ed25519 " + what + " has " + raw.length + " bytes; it must have " + KEY_BYTES);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Hands the generator the seed as its "random" private key bytes. */
    private static final class FixedBytes extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;

        FixedBytes(byte[] bytes) {
            this.bytes = bytes.clone();
        }

        @Override
        public void nextBytes(byte[] out) {
            if (out.length != bytes.length) {
                throw new IllegalStateException("Ed25519 generator asked for " + out.length + " bytes, expected " + bytes.length);
            }
            System.arraycopy(bytes, 0, out, 0, out.length);
        }
    }
}
