package org.qoraedge.crosscheck.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.BlockBytes;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.robust.Clipping;

/**
 * The worked examples of the specification (docs/SPEC.md and docs/spec/ROBUST.md) are true: every
 * {@code qora-case} block is computed by this implementation to the values the text shows, every
 * one that carries a public vector's id is that bundled vector (so its values come from the
 * independent reference, not from the code under test), the {@code qora-bytes} layouts and the
 * {@code qora-clip} factors are what fixedpoint writes and computes, and the file table of
 * docs/CONFORMANCE.md states the bundled files' case and refusal counts.
 */
class SpecExamplesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final List<String> SPEC_FILES = List.of("SPEC.md", "spec/ROBUST.md");
    private static Map<String, VectorCase> bundled;

    static Path docs() {
        String p = System.getProperty("qora.docsDir");
        return p != null ? Path.of(p) : Path.of("../docs");
    }

    /** The bodies of the blocks fenced as {@code ```tag} in one document, in order. */
    static List<String> fenced(String file, String tag) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        try {
            for (String line : Files.readAllLines(docs().resolve(file), StandardCharsets.UTF_8)) {
                if (cur == null && line.strip().equals("```" + tag)) {
                    cur = new StringBuilder();
                } else if (cur != null && line.strip().equals("```")) {
                    out.add(cur.toString());
                    cur = null;
                } else if (cur != null) {
                    cur.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(cur == null, file + ": a ```" + tag + " block is not closed");
        return out;
    }

    static List<VectorCase> docCases() {
        List<VectorCase> out = new ArrayList<>();
        for (String file : SPEC_FILES) {
            for (String body : fenced(file, "qora-case")) {
                JsonObject o = JsonParser.parseString(body).getAsJsonObject();
                out.add(new VectorCase(o.get("kind").getAsString(), o.get("id").getAsString(), o.getAsJsonObject("input"),
                        o.getAsJsonObject("expected"), "docs/" + file));
            }
        }
        return out;
    }

    /** Key-value blocks ({@code key = value} a line). */
    static List<Map<String, String>> keyValueBlocks(String tag) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String file : SPEC_FILES) {
            for (String body : fenced(file, tag)) {
                Map<String, String> m = new LinkedHashMap<>();
                for (String line : body.split("\n")) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
                    }
                }
                out.add(m);
            }
        }
        return out;
    }

    static List<Map<String, String>> byteBlocks() {
        return keyValueBlocks("qora-bytes");
    }

    static List<Map<String, String>> clipBlocks() {
        return keyValueBlocks("qora-clip");
    }

    static synchronized Map<String, VectorCase> bundled() {
        if (bundled == null) {
            Map<String, VectorCase> m = new HashMap<>();
            for (VectorCase c : VectorFiles.loadBundled()) {
                m.put(c.id(), c);
            }
            bundled = m;
        }
        return bundled;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("docCases")
    void theImplementationComputesEveryValueTheExampleShows(VectorCase c) {
        JsonObject actual = CaseEvaluator.evaluate(c);
        if (c.expectsRefusal()) {
            assertTrue(actual.has("refuse"), "the text says refuse, the implementation gave " + actual);
            if (c.expected().has("index")) {
                assertEquals(c.expected().get("index").getAsInt(), actual.get("index").getAsInt(), "index of the first NaN/inf");
            }
            return;
        }
        assertFalse(actual.has("refuse"), "refused an example the text computes");
        for (String key : c.expected().keySet()) {
            assertTrue(actual.has(key), c.id() + ": the text shows expected." + key + ", which is not computed");
            // compared as JSON text, never through double (distances reach 2^63 - 1)
            assertEquals(c.expected().get(key).toString(), actual.get(key).toString(), c.id() + ": " + key);
        }
        for (String check : new String[] {"x_encodes_to_blocks", "ids_utf8_matches"}) {
            if (actual.has(check)) {
                assertTrue(actual.get(check).getAsBoolean(), c.id() + ": " + check);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("docCases")
    void anExampleNamedByAVectorIdIsThatVectorAndTheOthersAreMarkedAsComputedForTheText(VectorCase c) {
        VectorCase v = bundled().get(c.id());
        if (v == null) {
            assertTrue(c.id().startsWith("spec-"), c.id() + " is no public vector id; an example computed for the text "
                    + "takes an id starting with spec-");
            return;
        }
        assertFalse(c.id().startsWith("spec-"));
        assertEquals(v.kind(), c.kind(), c.id() + ": kind");
        assertEquals(v.input(), c.input(), c.id() + ": input");
        assertEquals(v.expected().keySet(), c.expected().keySet(), c.id() + ": the text shows every expected value");
        for (Map.Entry<String, JsonElement> e : v.expected().entrySet()) {
            assertEquals(e.getValue().toString(), c.expected().get(e.getKey()).toString(), c.id() + ": " + e.getKey());
        }
    }

    @Test
    void theExamplesCoverEveryKindOnceAtLeastAndHaveDistinctIds() {
        Set<String> ids = new HashSet<>();
        Set<String> kinds = new TreeSet<>();
        for (VectorCase c : docCases()) {
            assertTrue(ids.add(c.id()), "two examples are named " + c.id());
            kinds.add(c.kind());
        }
        assertEquals(new TreeSet<>(CaseEvaluator.KINDS), kinds);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("byteBlocks")
    void theByteLayoutsAreWhatFixedpointWritesAndDigests(Map<String, String> b) {
        byte[] bytes = HEX.parseHex(b.get("bytes").replace(" ", ""));
        String sha = b.get("sha256");
        assertEquals(sha, HEX.formatHex(sha256(bytes)), "SHA-256 of the bytes shown");
        switch (b.get("layout")) {
            case "block" -> {
                Bfp16Block block = Bfp16Block.of(Integer.parseInt(b.get("e")), shorts(b.get("m")));
                ByteBuffer want = ByteBuffer.allocate(8 + 2 * block.dimension()).putInt(block.exponent()).putInt(block.dimension());
                for (short s : shorts(b.get("m"))) {
                    want.putShort(s);
                }
                assertArrayEquals(want.array(), bytes, "section 7 layout: int32 e, int32 d, int16 mantissas, big-endian");
                assertArrayEquals(bytes, BlockBytes.write(block));
                assertEquals(block, BlockBytes.read(bytes));
                assertEquals(sha, Digests.block(block));
            }
            case "indices" -> {
                long[] v = longs(b.get("values"));
                int[] ix = new int[v.length];
                ByteBuffer want = ByteBuffer.allocate(4 + 4 * v.length).putInt(v.length);
                for (int i = 0; i < v.length; i++) {
                    ix[i] = Math.toIntExact(v[i]);
                    want.putInt(ix[i]);
                }
                assertArrayEquals(want.array(), bytes, "section 7 layout: int32 count, int32 indices, big-endian");
                assertEquals(sha, Digests.indices(ix));
            }
            case "int64s" -> {
                long[] v = longs(b.get("values"));
                ByteBuffer want = ByteBuffer.allocate(8 * v.length);
                for (long x : v) {
                    want.putLong(x);
                }
                assertArrayEquals(want.array(), bytes, "section 7 layout: int64 values, big-endian, no count");
                assertEquals(sha, Digests.scores(v));
                assertEquals(sha, Digests.distances(v));
            }
            default -> throw new AssertionError("unknown layout " + b.get("layout"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clipBlocks")
    void theClippingFactorsAreTheIntegerSquareRootsTheTextShows(Map<String, String> b) {
        BigInteger q = new BigInteger(b.get("q"));
        BigInteger t = new BigInteger(b.get("t"));
        BigInteger factor = new BigInteger(b.get("factor"));
        assertTrue(q.compareTo(t) > 0, "the formula applies to Q(x) > T only");
        BigInteger k = t.shiftLeft(64).divide(q);
        assertTrue(factor.multiply(factor).compareTo(k) <= 0, "factor^2 <= floor(T * 2^64 / Q)");
        BigInteger next = factor.add(BigInteger.ONE);
        assertTrue(next.multiply(next).compareTo(k) > 0, "(factor + 1)^2 > floor(T * 2^64 / Q)");
        assertEquals(factor, Clipping.factor(q, t));
    }

    @Test
    void theClippingAndByteExamplesAreThere() {
        assertEquals(5, byteBlocks().size());
        assertEquals(3, clipBlocks().size());
    }

    @Test
    void theConformanceFileTableStatesTheBundledFilesCounts() throws IOException {
        Map<String, int[]> actual = new TreeMap<>();
        for (VectorCase c : bundled().values()) {
            int[] n = actual.computeIfAbsent(c.source().substring(0, c.source().indexOf(':')), f -> new int[2]);
            n[0]++;
            n[1] += c.expectsRefusal() ? 1 : 0;
        }
        Map<String, int[]> documented = new TreeMap<>();
        Pattern row = Pattern.compile("^\\| `([a-z-]+\\.jsonl)` \\| [^|]+ \\| (\\d+) \\| (\\d+) \\|");
        String text = Files.readString(docs().resolve("CONFORMANCE.md"), StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                assertFalse(documented.containsKey(m.group(1)), "two rows for " + m.group(1));
                documented.put(m.group(1), new int[] {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))});
            }
        }
        assertEquals(actual.keySet(), documented.keySet(), "one row per bundled file");
        for (String f : actual.keySet()) {
            assertArrayEquals(actual.get(f), documented.get(f), f + ": cases and refusals");
        }
        assertTrue(text.contains(bundled().size() + " cases in all"), "total " + bundled().size());
    }

    private static short[] shorts(String csv) {
        long[] v = longs(csv);
        short[] s = new short[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = (short) v[i];
            assertEquals(v[i], s[i], "mantissa out of int16 range");
        }
        return s;
    }

    private static long[] longs(String csv) {
        String[] parts = csv.split(",");
        long[] v = new long[parts.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Long.parseLong(parts[i].strip());
        }
        return v;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
