package org.qoraedge.crosscheck.conformance;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.qoraedge.fixedpoint.Digests;

/**
 * Runs a set of vector cases and sums them up: pass/fail per kind, the failing case ids, and
 * digests over what this platform computed (per kind and overall). Two platforms that compute the
 * same results for the same cases get the same digests, whatever their speed or byte order.
 */
public final class ConformanceRun {
    /** Pass/fail counts and the result digest of one kind. */
    public record KindSummary(String kind, int passed, int failed, String digest) {
    }

    /** One failing case: its id, where it came from, and what differed. */
    public record Failure(String id, String source, List<String> problems) {
    }

    private final Map<String, KindSummary> kinds;
    private final List<Failure> failures;
    private final String digest;
    private final int cases;
    private final long millis;

    private ConformanceRun(Map<String, KindSummary> kinds, List<Failure> failures, String digest, int cases, long millis) {
        this.kinds = kinds;
        this.failures = failures;
        this.digest = digest;
        this.cases = cases;
        this.millis = millis;
    }

    /** Evaluates every case, in the order given. */
    public static ConformanceRun run(List<VectorCase> cases) {
        long start = System.nanoTime();
        MessageDigest all = Digests.sha256();
        Map<String, MessageDigest> perKind = new TreeMap<>();
        Map<String, int[]> counts = new TreeMap<>();
        List<Failure> failures = new ArrayList<>();
        for (VectorCase c : cases) {
            String outcome;
            List<String> problems;
            try {
                JsonObject actual = CaseEvaluator.evaluate(c);
                problems = CaseEvaluator.mismatches(c, actual);
                outcome = actual.toString();
            } catch (MalformedCaseException e) {
                problems = List.of(e.getMessage());
                outcome = "{\"error\":\"malformed\"}";
            }
            byte[] record = (c.id() + "\n" + outcome + "\n").getBytes(StandardCharsets.UTF_8);
            all.update(record);
            perKind.computeIfAbsent(c.kind(), k -> Digests.sha256()).update(record);
            int[] pf = counts.computeIfAbsent(c.kind(), k -> new int[2]);
            if (problems.isEmpty()) {
                pf[0]++;
            } else {
                pf[1]++;
                failures.add(new Failure(c.id(), c.source(), problems));
            }
        }
        Map<String, KindSummary> kinds = new LinkedHashMap<>();
        HexFormat hex = HexFormat.of();
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            kinds.put(e.getKey(), new KindSummary(e.getKey(), e.getValue()[0], e.getValue()[1],
                    hex.formatHex(perKind.get(e.getKey()).digest())));
        }
        return new ConformanceRun(kinds, failures, hex.formatHex(all.digest()), cases.size(),
                (System.nanoTime() - start) / 1_000_000);
    }

    /** Per kind, in name order. */
    public Map<String, KindSummary> kinds() {
        return kinds;
    }

    public List<Failure> failures() {
        return failures;
    }

    /** SHA-256 over every case's id and computed result, in input order. */
    public String digest() {
        return digest;
    }

    public int cases() {
        return cases;
    }

    public int failed() {
        return failures.size();
    }

    public long millis() {
        return millis;
    }
}
