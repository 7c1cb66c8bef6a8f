package org.qoraedge.gateway.protocol;

/**
 * The declared share of Byzantine nodes of a cohort round ({@code round.byzantineFraction}), an
 * exact rational in lowest terms: {@code f} of a cohort of {@code n} is
 * {@code floor(numerator * n / denominator)}, integer arithmetic only. Written {@code 3/10} or
 * {@code 0.3} (at most 9 decimals); {@code 0 <= fraction < 1}. Immutable.
 *
 * @param numerator {@code >= 0}
 * @param denominator {@code > numerator}, at most 10^9
 */
public record ByzantineFraction(long numerator, long denominator) {
    private static final long MAX_DENOMINATOR = 1_000_000_000L;

    public ByzantineFraction {
        if (denominator < 1 || denominator > MAX_DENOMINATOR || numerator < 0 || numerator >= denominator) {
            throw new ProtocolException("Byzantine fraction " + numerator + "/" + denominator
                    + " is out of range: must be >= 0 and < 1, denominator at most " + MAX_DENOMINATOR);
        }
        long g = gcd(numerator, denominator);
        numerator /= g;
        denominator /= g;
    }

    /**
     * Reads {@code a/b} (decimal integers) or a decimal {@code 0.d...} with at most 9 digits after the
     * point; spaces around are ignored. No floating point: {@code 0.3} is exactly {@code 3/10}.
     *
     * @throws ProtocolException for anything else, or a value out of range
     */
    public static ByzantineFraction parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        if (slash >= 0) {
            return new ByzantineFraction(digits(text, s.substring(0, slash).strip()), digits(text, s.substring(slash + 1).strip()));
        }
        int dot = s.indexOf('.');
        if (dot < 0) {
            return new ByzantineFraction(digits(text, s), 1);
        }
        String whole = s.substring(0, dot);
        String frac = s.substring(dot + 1);
        if (frac.isEmpty() || frac.length() > 9) {
            throw new ProtocolException("Byzantine fraction '" + text + "' must have 1 to 9 digits after the point");
        }
        long den = 1;
        for (int i = 0; i < frac.length(); i++) {
            den *= 10;
        }
        long w = whole.isEmpty() ? 0 : digits(text, whole);
        if (w != 0) {
            throw new ProtocolException("Byzantine fraction '" + text + "' must be below 1");
        }
        return new ByzantineFraction(digits(text, frac), den);
    }

    private static long digits(String text, String s) {
        if (s.isEmpty() || s.length() > 10) {
            throw new ProtocolException("Byzantine fraction '" + text + "' is not a/b or a decimal below 1");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("Byzantine fraction '" + text + "' is not a/b or a decimal below 1");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** {@code floor(numerator * n / denominator)}: the f of a cohort of {@code n >= 0} nodes. */
    public int of(int n) {
        if (n < 0) {
            throw new ProtocolException("cohort size must be >= 0, got " + n);
        }
        return (int) (numerator * n / denominator); // numerator < 10^9, n < 2^31: no overflow
    }

    /** The canonical text, {@code numerator/denominator} in lowest terms, for example {@code 3/10}. */
    @Override
    public String toString() {
        return numerator + "/" + denominator;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a == 0 ? 1 : a;
    }
}
