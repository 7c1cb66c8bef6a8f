package org.qoraedge.gateway.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reputation is integer arithmetic only, so every gateway computes the same scores to the bit:
 * the package's sources contain no floating-point type, literal or function, and no class of the
 * package declares a floating-point field, parameter or return type.
 */
class NoFloatingPointTest {
    private static final Path SOURCES = Path.of("core/src/main/java/org/qoraedge/gateway/reputation");
    private static final Pattern FORBIDDEN = Pattern.compile(
            "\\b(float|double|Float|Double|BigDecimal|strictfp|StrictMath)\\b"
            + "|\\bMath\\s*\\.\\s*(pow|sqrt|cbrt|exp|log|log10|round|rint|ceil|floor|signum|random|fma|scalb)\\b"
            + "|\\b\\d+\\.\\d*([eE][+-]?\\d+)?[fFdD]?\\b|\\b\\d+[fFdD]\\b|\\b\\d+[eE][+-]?\\d+\\b");

    @Test
    void sourcesUseNoFloatingPoint() throws IOException {
        List<String> offences = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.list(SOURCES)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".java")).sorted().toList()) {
                files++;
                String code = stripCommentsAndLiterals(Files.readString(p, StandardCharsets.UTF_8));
                Matcher m = FORBIDDEN.matcher(code);
                while (m.find()) {
                    offences.add(p.getFileName() + ": '" + m.group() + "'");
                }
            }
        }
        assertTrue(files >= 10, "expected the package's sources under " + SOURCES.toAbsolutePath() + ", found " + files);
        assertEquals(List.of(), offences);
    }

    @Test
    void theScanWouldCatchFloatingPoint() {
        for (String bad : new String[] {"double x;", "float y;", "long z = (long) Math.pow(2, 3);", "int q = 1.5;",
            "var v = 2f;", "var w = 1e3;", "Double d;"}) {
            assertTrue(FORBIDDEN.matcher(stripCommentsAndLiterals(bad)).find(), bad);
        }
        for (String fine : new String[] {"// a double check", "/* float */ int a;", "String s = \"0.5 double\";",
            "long x = 1_000_000L;", "Math.floorDiv(a, b)", "Math.multiplyHigh(a, b)", "char c = '.';"}) {
            assertTrue(!FORBIDDEN.matcher(stripCommentsAndLiterals(fine)).find(), fine);
        }
    }

    @Test
    void noClassOfThePackageHasAFloatingPointMember() throws ClassNotFoundException {
        Class<?>[] classes = {ReputationLedger.class, ReputationSettings.class, RoundEvidence.class, ReputationChange.class,
            NodeReputation.class, ChangeReason.class, ScoreMath.class, Ppm.class, CanonicalOrder.class};
        for (Class<?> c : classes) {
            for (Field f : c.getDeclaredFields()) {
                assertTrue(!isFloating(f.getType()), c.getSimpleName() + "." + f.getName());
            }
            for (Method m : c.getDeclaredMethods()) {
                assertTrue(!isFloating(m.getReturnType()), c.getSimpleName() + "." + m.getName());
                for (Class<?> p : m.getParameterTypes()) {
                    assertTrue(!isFloating(p), c.getSimpleName() + "." + m.getName());
                }
            }
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    assertTrue(!isFloating(rc.getType()), c.getSimpleName() + "." + rc.getName());
                }
            }
        }
    }

    private static boolean isFloating(Class<?> t) {
        return t == float.class || t == double.class || t == Float.class || t == Double.class || t == float[].class
                || t == double[].class || t == BigDecimal.class;
    }

    /** Removes comments, string, text block and character literals, keeping code tokens apart. */
    static String stripCommentsAndLiterals(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                int end = src.indexOf('\n', i);
                i = end < 0 ? src.length() : end;
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? src.length() : end + 2;
                out.append(' ');
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                i = end < 0 ? src.length() : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != c) {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
