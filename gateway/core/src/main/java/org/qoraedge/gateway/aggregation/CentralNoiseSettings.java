package org.qoraedge.gateway.aggregation;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.UnrepresentableValueException;
import org.qoraedge.fixedpoint.privacy.CentralNoise;
import org.qoraedge.fixedpoint.privacy.DiscreteGaussian;
import org.qoraedge.fixedpoint.privacy.InvalidPrivacyParameterException;

/**
 * Central differential privacy at the round's close (docs/PRIVACY.md, "Central DP"): the rule's
 * aggregate gets discrete Gaussian noise of variance {@code sigma^2} in units of its least
 * significant bit, drawn from the round's seed ({@link CentralNoise}), before it is added to the
 * model. Holds the operator's secret; immutable.
 */
public final class CentralNoiseSettings {
    private final BigInteger numerator;
    private final BigInteger denominator;
    private final DiscreteGaussian noise;
    private final byte[] secret;

    private CentralNoiseSettings(BigInteger numerator, BigInteger denominator, byte[] secret) {
        this.noise = DiscreteGaussian.of(numerator, denominator);
        if (secret.length < CentralNoise.MIN_SECRET_BYTES) {
            throw new InvalidPrivacyParameterException("the central noise secret has " + secret.length
                    + " bytes; it must have at least " + CentralNoise.MIN_SECRET_BYTES);
        }
        this.numerator = numerator;
        this.denominator = denominator;
        this.secret = secret.clone();
    }

    /**
     * Settings for {@code sigma^2} written {@code p/q} or {@code p} (decimal integers, {@code q > 0};
     * kept in lowest terms, the form the audit record names) with the operator's {@code secret}.
     *
     * @throws InvalidPrivacyParameterException naming what is wrong: not a fraction of integers,
     *     {@code sigma^2} not in (0, 2^64], a secret shorter than {@link CentralNoise#MIN_SECRET_BYTES}
     */
    public static CentralNoiseSettings of(String sigma2, byte[] secret) {
        BigInteger[] pq = parseSigma2(sigma2);
        return new CentralNoiseSettings(pq[0], pq[1], secret);
    }

    /**
     * {@code sigma^2} as {@code {p, q}} in lowest terms, from {@code p/q} or {@code p}.
     *
     * @throws InvalidPrivacyParameterException when the text is not such a fraction or not in (0, 2^64]
     */
    private static BigInteger[] parseSigma2(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        BigInteger p;
        BigInteger q;
        try {
            p = integer(slash < 0 ? t : t.substring(0, slash).strip());
            q = slash < 0 ? BigInteger.ONE : integer(t.substring(slash + 1).strip());
        } catch (NumberFormatException e) {
            throw new InvalidPrivacyParameterException("sigma^2 = " + text + " is not an integer or a fraction p/q of"
                    + " decimal integers");
        }
        DiscreteGaussian.of(p, q); // the range checks, with their messages
        BigInteger g = p.gcd(q);
        return new BigInteger[] {p.divide(g), q.divide(g)};
    }

    private static BigInteger integer(String s) {
        if (s.isEmpty() || s.length() > 40 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new NumberFormatException(s);
        }
        return new BigInteger(s);
    }

    /**
     * Reads an operator secret file: hexadecimal digits (at least 64, an even number), surrounding
     * whitespace ignored, nothing else. On a POSIX file system a file that its group or others may
     * read is refused: whoever reads the secret can remove the noise.
     *
     * @throws IOException when the file cannot be read
     * @throws InvalidPrivacyParameterException naming what is wrong with its contents or permissions
     */
    public static byte[] readSecret(Path file) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null) {
            Set<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
            open.retainAll(posix.readAttributes().permissions());
            if (!open.isEmpty()) {
                throw new InvalidPrivacyParameterException("the central noise secret " + file + " can be read by "
                        + (open.contains(PosixFilePermission.GROUP_READ) ? "its group" : "others")
                        + "; make it readable by its owner only (chmod 600)");
            }
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (text.length() % 2 != 0 || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new InvalidPrivacyParameterException("the central noise secret " + file
                    + " must hold an even number of hexadecimal digits and nothing else (for example the output of"
                    + " openssl rand -hex 32)");
        }
        if (text.length() < 2 * CentralNoise.MIN_SECRET_BYTES) {
            throw new InvalidPrivacyParameterException("the central noise secret " + file + " has " + text.length() / 2
                    + " bytes; it must have at least " + CentralNoise.MIN_SECRET_BYTES + " (" + 2 * CentralNoise.MIN_SECRET_BYTES
                    + " hexadecimal digits)");
        }
        return HexFormat.of().parseHex(text.toLowerCase(Locale.ROOT));
    }

    /** {@code sigma^2} in lowest terms: {@code p/q}, or {@code p} when {@code q = 1}. */
    public String sigma2() {
        return denominator.equals(BigInteger.ONE) ? numerator.toString() : numerator + "/" + denominator;
    }

    /**
     * The aggregate of round {@code round} with its noise ({@link CentralNoise#apply(Bfp16Block, byte[], long, DiscreteGaussian)}).
     *
     * @throws UnrepresentableValueException when the noised values need an exponent above 113
     */
    public Bfp16Block apply(long round, Bfp16Block aggregate) {
        return CentralNoise.apply(aggregate, secret, round, noise);
    }

    @Override
    public String toString() {
        return "central noise sigma^2 = " + sigma2() + " (secret not shown)";
    }
}
