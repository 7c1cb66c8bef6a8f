package org.qoraedge.gateway.reputation;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parts per million: the reputation package's only number format. Decimal strings are parsed
 * exactly (no binary floating point on the way), so a setting means the same on every gateway.
 */
final class Ppm {
    /** 1.0 in ppm. */
    static final int ONE = 1_000_000;
    /** The score of a node never seen, 0.5. */
    static final int NEUTRAL = 500_000;

    /** ASCII digits only: {@code \d} would also be ASCII-only in Java, but say it explicitly. */
    private static final Pattern PLAIN = Pattern.compile("([0-9]+)(?:\\.([0-9]+))?");
    /** Integer parts longer than this are refused before they can overflow a long. */
    private static final int MAX_INTEGER_DIGITS = 12;

    private Ppm() {
    }

    /**
     * Parses a non-negative plain decimal ({@code 0.05}, {@code 1}, {@code 4.5}) to ppm, exactly.
     *
     * @throws ReputationSettingsException naming the key, the value and the rule for NaN, Infinity,
     *         exponent notation, a sign, more than 6 fractional digits, or anything else
     */
    static long parse(String key, String raw) {
        String v = raw.strip();
        if (v.isEmpty()) {
            throw refuse(key, raw, "empty value; remove the line to use the default");
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (lower.contains("nan") || lower.contains("inf")) {
            throw refuse(key, raw, "NaN and Infinity are refused; write a plain decimal such as 0.05");
        }
        if (v.startsWith("-")) {
            throw refuse(key, raw, "negative values are refused");
        }
        if (v.startsWith("+")) {
            throw refuse(key, raw, "a sign is refused; write the plain decimal");
        }
        if (lower.indexOf('e') >= 0) {
            throw refuse(key, raw, "exponent notation is refused; write the plain decimal such as 0.001");
        }
        Matcher m = PLAIN.matcher(v);
        if (!m.matches()) {
            throw refuse(key, raw, "not a plain decimal number (digits, optionally '.' and 1 to 6 digits)");
        }
        String whole = m.group(1);
        String frac = m.group(2) == null ? "" : m.group(2);
        if (frac.length() > 6) {
            throw refuse(key, raw, "has " + frac.length() + " fractional digits, at most 6 (the resolution is 0.000001)");
        }
        if (whole.length() > MAX_INTEGER_DIGITS) {
            throw refuse(key, raw, "too large, at most " + MAX_INTEGER_DIGITS + " integer digits");
        }
        long w = Long.parseLong(whole);
        long f = frac.isEmpty() ? 0 : Long.parseLong((frac + "000000").substring(0, 6));
        return w * ONE + f;
    }

    /**
     * The shortest exact decimal of a ppm value: {@code 20000 -> "0.02"}, {@code 4000000 -> "4"},
     * {@code -5 -> "-0.000005"}.
     */
    static String format(long ppm) {
        StringBuilder sb = new StringBuilder();
        if (ppm < 0) {
            sb.append('-');
        }
        // Long.MIN_VALUE is never a ppm value here; negate through its absolute value otherwise.
        long a = Math.abs(ppm);
        sb.append(a / ONE);
        long frac = a % ONE;
        if (frac != 0) {
            String digits = Long.toString(ONE + frac).substring(1);
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(digits, 0, end);
        }
        return sb.toString();
    }

    private static ReputationSettingsException refuse(String key, String raw, String rule) {
        return new ReputationSettingsException(key, key + " = '" + raw + "': " + rule);
    }
}
