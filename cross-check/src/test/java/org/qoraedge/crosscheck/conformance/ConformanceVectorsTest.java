package org.qoraedge.crosscheck.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every public golden vector, refusals included, one test per case id. */
class ConformanceVectorsTest {
    static List<VectorCase> cases() {
        return VectorFiles.loadBundled();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesGoldenVector(VectorCase c) {
        JsonObject actual = CaseEvaluator.evaluate(c);
        if (c.expectsRefusal()) {
            assertTrue(actual.has("refuse"), "expected a refusal, got " + actual);
            if (c.expected().has("index")) {
                assertEquals(c.expected().get("index").getAsInt(), actual.get("index").getAsInt(), "index of the first NaN/inf");
            }
            return;
        }
        assertFalse(actual.has("refuse"), "refused a case the spec accepts");
        for (String key : c.expected().keySet()) {
            // compared as JSON text: never through double (distances reach 2^63 - 1)
            assertEquals(c.expected().get(key).toString(), String.valueOf(actual.get(key)), c.id() + ": " + key);
        }
        for (String check : new String[] {"x_encodes_to_blocks", "ids_utf8_matches"}) {
            if (actual.has(check)) {
                assertTrue(actual.get(check).getAsBoolean(), check);
            }
        }
    }

    @Test
    void bundledSetIsTheWholePublicSet() {
        Map<String, Long> perKind = cases().stream().collect(Collectors.groupingBy(VectorCase::kind, Collectors.counting()));
        // docs/CONFORMANCE.md: the base spec's 1112 cases and the robust kinds' 951 (hand files included)
        assertEquals(2063, cases().size());
        assertEquals(Map.ofEntries(Map.entry("encode", 361L), Map.entry("distance", 319L), Map.entry("krum", 227L),
                Map.entry("multikrum", 83L), Map.entry("mean", 73L), Map.entry("order", 49L), Map.entry("median", 175L),
                Map.entry("trimmed-mean", 172L), Map.entry("norm-screen", 142L), Map.entry("nnm", 151L),
                Map.entry("centered-clip", 170L), Map.entry("pipeline", 141L)), perKind);
    }

    @Test
    void aWrongExpectedValueIsReportedAsAMismatch() {
        VectorCase good = cases().stream().filter(c -> c.kind().equals("krum") && !c.expectsRefusal()).findFirst().orElseThrow();
        JsonObject expected = good.expected().deepCopy();
        JsonArray scores = expected.getAsJsonArray("scores");
        scores.set(0, new JsonPrimitive(scores.get(0).getAsLong() + 1));
        VectorCase tampered = new VectorCase(good.kind(), good.id(), good.input(), expected, good.source());
        List<String> problems = CaseEvaluator.mismatches(tampered, CaseEvaluator.evaluate(tampered));
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("scores:"), problems.get(0));
    }

    @Test
    void unknownExpectedKeysAreIgnoredAndARefusalMismatchIsReported() {
        VectorCase good = cases().stream().filter(c -> c.kind().equals("encode") && !c.expectsRefusal()).findFirst().orElseThrow();
        JsonObject expected = good.expected().deepCopy();
        expected.addProperty("future_field", 42);
        assertEquals(List.of(), CaseEvaluator.mismatches(good, CaseEvaluator.evaluate(
                new VectorCase(good.kind(), good.id(), good.input(), expected, good.source()))));
        JsonObject refuse = new JsonObject();
        refuse.addProperty("refuse", true);
        VectorCase wrong = new VectorCase(good.kind(), good.id(), good.input(), refuse, good.source());
        assertEquals(1, CaseEvaluator.mismatches(wrong, CaseEvaluator.evaluate(wrong)).size());
    }
}
