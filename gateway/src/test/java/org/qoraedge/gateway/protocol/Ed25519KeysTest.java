package org.qoraedge.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Ed25519 as the protocol uses it: RFC 8032's test vectors, the same signatures as Java's own
 * implementation (an independent one) in both directions, and every malformed signature or key refused.
 */
class Ed25519KeysTest {
    private static final HexFormat HEX = HexFormat.of();
    /** RFC 8032 section 5.1: the order of the base point. */
    private static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

    /** RFC 8032 section 7.1, TESTs 1 to 3: secret key, public key, message, signature. */
    private static final String[][] RFC8032 = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
        {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    };

    @Test
    void rfc8032VectorsSignAndVerify() {
        for (String[] v : RFC8032) {
            byte[] seed = HEX.parseHex(v[0]);
            byte[] message = HEX.parseHex(v[2]);
            assertArrayEquals(HEX.parseHex(v[1]), Ed25519Keys.publicKeyOf(seed), "public key of " + v[0]);
            assertArrayEquals(HEX.parseHex(v[3]), FrameSigner.ed25519(seed).sign(message, message.length), "signature of " + v[2]);
            assertTrue(Ed25519Keys.verify(Ed25519Keys.publicPoint(HEX.parseHex(v[1])), message, message.length, HEX.parseHex(v[3]), 0));
        }
    }

    @Test
    void signaturesAreJavasOwnInBothDirections() throws GeneralSecurityException {
        SplittableRandom random = new SplittableRandom(8032);
        for (int i = 0; i < 40; i++) {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            byte[] message = new byte[random.nextInt(0, 3000)];
            random.nextBytes(message);
            byte[] ours = FrameSigner.ed25519(seed).sign(message, message.length);

            Signature jdk = Signature.getInstance("Ed25519");
            jdk.initSign(jdkPrivate(seed));
            jdk.update(message);
            assertArrayEquals(jdk.sign(), ours, "message " + i);
            jdk.initVerify(jdkPublic(Ed25519Keys.publicKeyOf(seed)));
            jdk.update(message);
            assertTrue(jdk.verify(ours));

            byte[] altered = ours.clone();
            altered[random.nextInt(64)] ^= (byte) (1 << random.nextInt(8));
            assertFalse(jdkVerifies(Ed25519Keys.publicKeyOf(seed), message, altered));
            assertFalse(Ed25519Keys.verify(Ed25519Keys.publicPoint(Ed25519Keys.publicKeyOf(seed)), message, message.length, altered, 0));
        }
    }

    @Test
    void refusesAlteredMessagesForeignKeysAndNonCanonicalScalars() {
        byte[] seed = HEX.parseHex(RFC8032[2][0]);
        byte[] framed = Arrays.copyOf("some signed bytes".getBytes(StandardCharsets.UTF_8), 17 + 64);
        byte[] sig = FrameSigner.ed25519(seed).sign(framed, 17);
        System.arraycopy(sig, 0, framed, 17, 64);
        VerifyingKey key = VerifyingKey.ed25519(Ed25519Keys.publicKeyOf(seed));
        assertTrue(key.verify(framed, 17));

        byte[] message = framed.clone();
        message[3] ^= 1;
        assertFalse(key.verify(message, 17));
        assertFalse(VerifyingKey.ed25519(HEX.parseHex(RFC8032[0][1])).verify(framed, 17));
        assertFalse(key.verify(Arrays.copyOf(framed, 17 + 63), 17), "a signature cut short");

        // S + L is the same scalar modulo L but not its canonical encoding: refused (RFC 8032 section 5.1.7).
        byte[] s = Arrays.copyOfRange(sig, 32, 64);
        BigInteger plusL = new BigInteger(1, reverse(s)).add(L);
        assertTrue(plusL.bitLength() <= 256);
        byte[] nonCanonical = framed.clone();
        System.arraycopy(reverse(toBytes32(plusL)), 0, nonCanonical, 17 + 32, 32);
        assertFalse(key.verify(nonCanonical, 17));
    }

    @Test
    void refusesKeysThatAreNotPointsOfThePrimeOrderSubgroup() {
        byte[] identity = new byte[32];
        identity[0] = 1; // y = 1: the neutral element, order 1
        ProtocolException e = assertThrows(ProtocolException.class, () -> VerifyingKey.ed25519(identity));
        assertTrue(e.getMessage().contains("not a valid Ed25519 public key"), e.getMessage());
        byte[] notOnCurve = new byte[32];
        notOnCurve[0] = 2; // y = 2 has no x on the curve
        assertThrows(ProtocolException.class, () -> VerifyingKey.ed25519(notOnCurve));
        assertThrows(ProtocolException.class, () -> VerifyingKey.ed25519(new byte[31]));
        assertThrows(ProtocolException.class, () -> Ed25519Keys.publicKeyOf(new byte[33]));
    }

    /** Java's verdict; its "invalid point" exception for a malformed signature counts as false. */
    private static boolean jdkVerifies(byte[] publicKey, byte[] message, byte[] sig) throws GeneralSecurityException {
        Signature jdk = Signature.getInstance("Ed25519");
        jdk.initVerify(jdkPublic(publicKey));
        jdk.update(message);
        try {
            return jdk.verify(sig);
        } catch (SignatureException e) {
            return false;
        }
    }

    private static byte[] reverse(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[b.length - 1 - i];
        }
        return r;
    }

    private static byte[] toBytes32(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - n, out, 32 - n, n);
        return out;
    }

    private static PrivateKey jdkPrivate(byte[] seed) throws GeneralSecurityException {
        byte[] prefix = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(prefix, seed)));
    }

    private static PublicKey jdkPublic(byte[] raw) throws GeneralSecurityException {
        byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(prefix, raw)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
