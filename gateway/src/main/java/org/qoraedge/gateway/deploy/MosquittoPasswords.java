package org.qoraedge.gateway.deploy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Password file lines in the format Mosquitto 2.x reads and {@code mosquitto_passwd} 2.0.11 writes:
 * {@code username:$7$ITERATIONS$SALT$HASH}, where {@code $7$} is PBKDF2-HMAC-SHA512, SALT is 12
 * random bytes and HASH the 64-byte derived key, both in standard base64 with padding. Computed
 * with the JDK only (checked against {@code mosquitto_passwd} output and a running Mosquitto in
 * the tests). Stateless and thread-safe.
 */
public final class MosquittoPasswords {
    /** The iteration count {@code mosquitto_passwd} 2.0.11 uses; the broker reads the count from each line. */
    public static final int ITERATIONS = 101;
    /** Salt bytes, as {@code mosquitto_passwd} writes them. */
    public static final int SALT_BYTES = 12;
    private static final int HASH_BYTES = 64;
    /** Random bytes of a generated password (192 bits: brute force is out of reach whatever the iteration count). */
    public static final int PASSWORD_BYTES = 24;

    private MosquittoPasswords() {
    }

    /** A random password: {@value #PASSWORD_BYTES} bytes in URL-safe base64 without padding (32 characters, no {@code :}, no space). */
    public static String generatePassword(SecureRandom random) {
        byte[] b = new byte[PASSWORD_BYTES];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The password file line of {@code username} (without the line end), with a fresh random salt. */
    public static String line(String username, String password, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return username + ":" + hash(password, salt, ITERATIONS);
    }

    /** {@code $7$iterations$salt$hash} for the given salt. */
    public static String hash(String password, byte[] salt, int iterations) {
        if (iterations < 1) {
            throw new DeploymentException("PBKDF2 iteration count must be >= 1, got " + iterations);
        }
        Base64.Encoder b64 = Base64.getEncoder();
        return "$7$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(pbkdf2Sha512(password.getBytes(StandardCharsets.UTF_8), salt, iterations));
    }

    /** True when {@code line} ({@code user:$7$...}) is {@code username}'s line and holds {@code password}. */
    public static boolean verify(String line, String username, String password) {
        int colon = line.indexOf(':');
        if (colon < 0 || !line.substring(0, colon).equals(username)) {
            return false;
        }
        String[] p = line.substring(colon + 1).split("\\$", -1);
        if (p.length != 5 || !p[0].isEmpty() || !p[1].equals("7")) {
            return false;
        }
        byte[] salt = Base64.getDecoder().decode(p[3]);
        byte[] expected = Base64.getDecoder().decode(p[4]);
        byte[] got = pbkdf2Sha512(password.getBytes(StandardCharsets.UTF_8), salt, Integer.parseInt(p[2]));
        return MessageDigest.isEqual(expected, got);
    }

    /**
     * PBKDF2 (RFC 8018) with HMAC-SHA512 over the password's raw UTF-8 bytes, one 64-byte block.
     * Written out rather than through {@code PBKDF2WithHmacSHA512}, whose {@code PBEKeySpec} takes
     * chars and whose encoding of non-ASCII passwords is provider-specific; Mosquitto hashes bytes.
     */
    static byte[] pbkdf2Sha512(byte[] password, byte[] salt, int iterations) {
        if (password.length == 0) {
            throw new DeploymentException("an empty password cannot be hashed for Mosquitto");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA512");
            mac.init(new SecretKeySpec(password, "HmacSHA512"));
            mac.update(salt);
            mac.update(new byte[] {0, 0, 0, 1});
            byte[] u = mac.doFinal();
            byte[] t = u.clone();
            for (int i = 1; i < iterations; i++) {
                u = mac.doFinal(u);
                for (int j = 0; j < HASH_BYTES; j++) {
                    t[j] ^= u[j];
                }
            }
            return t;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA512 is missing from this JDK", e);
        }
    }
}
