package org.qoraedge.crosscheck.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cross-check compare A.json B.json ...}: compares every report with the first. Exit code 0:
 * all identical; 1: some digests differ (the groups and first cases are named); 2: the reports are
 * not comparable (different kind or parameters) or unreadable.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compares platform reports with the first one. Exit 0: identical; 1: results differ; 2: not comparable.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every report has the same digests as the first", "1:some digests differ",
            "2:reports not comparable (other kind or parameters) or unreadable"})
public final class CompareCommand implements Callable<Integer> {
    public static final int IDENTICAL = 0;
    public static final int DIFFERENT = 1;
    public static final int NOT_COMPARABLE = 2;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "2..*", paramLabel = "REPORT", description = "JSON reports of run or stress; the first is the reference.")
    List<Path> reports;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<JsonObject> read = new ArrayList<>();
        for (Path p : reports) {
            try {
                read.add(DigestReport.read(p));
            } catch (IOException e) {
                err.println("cannot read report: " + e.getMessage());
                return NOT_COMPARABLE;
            }
        }
        JsonObject ref = read.get(0);
        out.println("reference: " + reports.get(0) + " (" + label(ref) + ") digest " + ref.get("digest").getAsString());
        int result = IDENTICAL;
        for (int i = 1; i < read.size(); i++) {
            JsonObject other = read.get(i);
            String name = reports.get(i) + " (" + label(other) + ")";
            if (!ref.get("report").equals(other.get("report")) || !String.valueOf(ref.get("parameters")).equals(String.valueOf(other.get("parameters")))) {
                out.println("NOT COMPARABLE " + name + ": report " + other.get("report") + " " + other.get("parameters")
                        + " vs " + ref.get("report") + " " + ref.get("parameters"));
                result = Math.max(result, NOT_COMPARABLE);
                continue;
            }
            List<String> diffs = differences(ref, other);
            if (diffs.isEmpty()) {
                out.println("identical      " + name);
            } else {
                out.println("DIFFERENT      " + name + ":");
                diffs.forEach(d -> out.println("    " + d));
                result = Math.max(result, DIFFERENT);
            }
        }
        return result;
    }

    /** Which groups differ, with up to five differing case ids each. */
    static List<String> differences(JsonObject ref, JsonObject other) {
        List<String> out = new ArrayList<>();
        JsonObject rg = ref.getAsJsonObject("groups");
        JsonObject og = other.getAsJsonObject("groups");
        for (String g : rg.keySet()) {
            if (!og.has(g)) {
                out.add(g + ": missing");
                continue;
            }
            JsonObject a = rg.getAsJsonObject(g);
            JsonObject b = og.getAsJsonObject(g);
            if (a.get("digest").equals(b.get("digest"))) {
                continue;
            }
            List<String> cases = new ArrayList<>();
            JsonObject ac = a.getAsJsonObject("caseDigests");
            JsonObject bc = b.getAsJsonObject("caseDigests");
            int total = 0;
            for (Map.Entry<String, JsonElement> e : ac.entrySet()) {
                if (!e.getValue().equals(bc.get(e.getKey()))) {
                    total++;
                    if (cases.size() < 5) {
                        cases.add(e.getKey());
                    }
                }
            }
            out.add(g + ": digest " + b.get("digest").getAsString() + " vs " + a.get("digest").getAsString() + "; "
                    + total + " case(s) differ" + (cases.isEmpty() ? "" : ", first: " + String.join(", ", cases)));
        }
        for (String g : og.keySet()) {
            if (!rg.has(g)) {
                out.add(g + ": not in the reference");
            }
        }
        if (out.isEmpty() && !ref.get("digest").equals(other.get("digest"))) {
            out.add("overall digest differs: " + other.get("digest") + " vs " + ref.get("digest"));
        }
        return out;
    }

    private static String label(JsonObject report) {
        JsonObject p = report.getAsJsonObject("platform");
        if (p == null) {
            return "unknown platform";
        }
        return p.get("osArch").getAsString() + ", " + p.get("vmVendor").getAsString() + " " + p.get("vmVersion").getAsString()
                + (p.get("vectorized").getAsBoolean() ? ", vector" : ", scalar");
    }
}
