package org.qoraedge.crosscheck.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.crosscheck.CrossCheck;
import picocli.CommandLine;

class CompareCommandTest {
    static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CrossCheck());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new String[] {String.valueOf(cl.execute(args)), out.toString(), err.toString()};
    }

    @Test
    void identicalDifferentAndNotComparableHaveTheirExitCodes(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.json");
        Path b = dir.resolve("b.json");
        Path other = dir.resolve("other.json");
        assertEquals("0", run("stress", "--seed", "5", "--rounds", "6", "--dim-max", "128", "--json", a.toString())[0]);
        assertEquals("0", run("stress", "--seed", "5", "--rounds", "6", "--dim-max", "128", "--json", b.toString())[0]);
        assertEquals("0", run("stress", "--seed", "6", "--rounds", "6", "--dim-max", "128", "--json", other.toString())[0]);
        String[] same = run("compare", a.toString(), b.toString());
        assertEquals("0", same[0], same[1] + same[2]);
        assertTrue(same[1].contains("identical"), same[1]);

        // one case of one family computed differently on "another platform"
        JsonObject tampered = DigestReport.read(b);
        JsonObject fam = tampered.getAsJsonObject("groups").getAsJsonObject("multikrum-pairwise");
        fam.getAsJsonObject("caseDigests").addProperty("r3", "0000000000000000");
        fam.addProperty("digest", "00");
        Path c = dir.resolve("c.json");
        Files.writeString(c, tampered.toString());
        String[] diff = run("compare", a.toString(), b.toString(), c.toString());
        assertEquals("1", diff[0]);
        assertTrue(diff[1].contains("multikrum-pairwise") && diff[1].contains("first: r3"), diff[1]);

        assertEquals("2", run("compare", a.toString(), other.toString())[0], "other parameters are not comparable");
        Files.writeString(dir.resolve("junk.json"), "{\"x\": 1}");
        String[] junk = run("compare", a.toString(), dir.resolve("junk.json").toString());
        assertEquals("2", junk[0]);
        assertTrue(junk[2].contains("is not a cross-check report"), junk[2]);
    }

    /**
     * Seen while fuzzing reports (org.qoraedge.crosscheck.fuzz.ReportFuzzTest, corpus input
     * review-digest-not-a-string; its 2-minute run did not reach it): a field of the wrong JSON type
     * ended compare with Gson's exception and exit code 1, the code of "different".
     */
    @Test
    void aReportWhoseFieldsHaveTheWrongTypeIsNotComparable(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.json");
        assertEquals("0", run("stress", "--seed", "5", "--rounds", "3", "--dim-max", "64", "--json", a.toString())[0]);
        JsonObject good = DigestReport.read(a);
        String group = good.getAsJsonObject("groups").keySet().iterator().next();
        JsonObject[] bad = new JsonObject[4];
        for (int i = 0; i < bad.length; i++) {
            bad[i] = good.deepCopy();
        }
        bad[0].add("digest", new JsonObject());
        bad[1].getAsJsonObject("groups").add(group, new JsonArray());
        bad[2].add("platform", new JsonObject());
        bad[3].add("platform", JsonNull.INSTANCE);
        for (JsonObject b : bad) {
            Path f = dir.resolve("bad.json");
            Files.writeString(f, b.toString());
            for (String[] order : new String[][] {{a.toString(), f.toString()}, {f.toString(), a.toString()}}) {
                String[] r = run("compare", order[0], order[1]);
                assertEquals("2", r[0], r[1] + r[2]);
                assertTrue(r[2].contains("is not a cross-check report: "), r[2]);
            }
        }
    }
}
