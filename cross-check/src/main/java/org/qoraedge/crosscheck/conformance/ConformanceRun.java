package org.qoraedge.crosscheck.conformance;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.qoraedge.crosscheck.PlatformInfo;
import org.qoraedge.crosscheck.report.DigestReport;

/**
 * Runs a set of vector cases and sums them up: pass/fail per kind, the failing cases, and digests
 * over what this platform computed (per case, per kind and overall). Two platforms that compute the
 * same results for the same cases get the same digests, whatever their speed or byte order.
 */
public final class ConformanceRun {
    /** One failing case: its id, where it came from, and what differed. */
    public record Failure(String id, String source, List<String> problems) {
    }

    private final DigestReport report;
    private final List<Failure> failures;
    private final int cases;

    private ConformanceRun(DigestReport report, List<Failure> failures, int cases) {
        this.report = report;
        this.failures = failures;
        this.cases = cases;
    }

    /** Evaluates every case, in the order given; groups are the kinds, in sorted order. */
    public static ConformanceRun run(List<VectorCase> cases, PlatformInfo platform) {
        long start = System.nanoTime();
        DigestReport report = new DigestReport("conformance", platform);
        cases.stream().map(VectorCase::kind).distinct().sorted().forEach(report::group);
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
            report.group(c.kind()).add(c.id(), outcome, problems.isEmpty());
            if (!problems.isEmpty()) {
                failures.add(new Failure(c.id(), c.source(), problems));
            }
        }
        report.parameters().addProperty("cases", cases.size());
        report.millis((System.nanoTime() - start) / 1_000_000);
        return new ConformanceRun(report, failures, cases.size());
    }

    public DigestReport report() {
        return report;
    }

    public List<Failure> failures() {
        return failures;
    }

    /** SHA-256 over every kind's name and digest. */
    public String digest() {
        return report.digest();
    }

    public int cases() {
        return cases;
    }

    public int failed() {
        return failures.size();
    }

    public long millis() {
        return report.millis();
    }
}
