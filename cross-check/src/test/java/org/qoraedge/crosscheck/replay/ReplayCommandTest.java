package org.qoraedge.crosscheck.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qoraedge.crosscheck.CrossCheck;
import org.qoraedge.gateway.state.RoundJournal;
import picocli.CommandLine;

class ReplayCommandTest {
    /** Exit code, stdout, stderr. */
    private record Result(int code, String out, String err) {
        String all() {
            return "exit " + code + "\n" + out + err;
        }
    }

    private static Result run(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CrossCheck());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = String.valueOf(args[i]);
        }
        return new Result(cl.execute(a), out.toString(), err.toString());
    }

    private static boolean hasLine(String text, String regex) {
        return Pattern.compile("(?m)^" + regex + "$").matcher(text).find();
    }

    @Test
    void replaysEveryKeptRoundOfAStateDirectoryAndExitsZero(@TempDir Path tmp) throws Exception {
        StateDirFixture fx = new StateDirFixture(tmp).write();
        Path json = tmp.resolve("out/replay.json");
        Result r = run("replay", fx.log, "--gateway-key", StateDirFixture.GATEWAY_KEY, "--json", json);
        assertEquals(0, r.code, r.all());
        assertTrue(r.out.contains("4 records (rounds 1 to 4), signatures and chain verified"), r.all());
        assertTrue(r.out.contains("(pinned)"), r.all());
        assertTrue(hasLine(r.out, "round 1 +aggregated +replayed  match \\(\\d+ fields compared\\)"), r.all());
        assertTrue(hasLine(r.out, "round 2 +failed +replayed  match \\(\\d+ fields compared\\)"), r.all());
        assertTrue(hasLine(r.out, "round 3 +aggregated +frames not kept"), r.all());
        assertTrue(hasLine(r.out, "round 4 +aggregated +replayed  match \\(\\d+ fields compared\\)"), r.all());
        assertTrue(r.out.contains("(round 5) has no record in the log"), r.all());
        assertTrue(r.out.contains("replayed 3 rounds: 3 match, 0 mismatch; 1 without frames"), r.all());
        assertTrue(r.out.endsWith("replay: OK\n") || r.out.endsWith("replay: OK\r\n"), r.all());
        assertEquals("", r.err);

        JsonObject j = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals(0, j.get("exitCode").getAsInt());
        assertTrue(j.get("verified").getAsBoolean());
        assertEquals(4, j.getAsJsonArray("rounds").size());
        JsonObject r4 = j.getAsJsonArray("rounds").get(3).getAsJsonObject();
        assertEquals("match", r4.get("status").getAsString());
        assertTrue(r4.getAsJsonArray("checks").toString().contains("\"field\":\"scores\""), r4.toString());
        assertEquals(3, j.getAsJsonObject("summary").get("matched").getAsInt());
    }

    @Test
    void withNodeKeysAndDetailsEveryComparisonIsPrintedAndSignaturesChecked(@TempDir Path tmp) throws Exception {
        StateDirFixture fx = new StateDirFixture(tmp).write();
        Result r = run("replay", fx.log, "--keys", fx.writeRegistry(), "--details", "--round", 4);
        assertEquals(0, r.code, r.all());
        assertTrue(r.out.contains("    frames.signatures: match 9 signatures valid"), r.all());
        assertTrue(r.out.contains("    scores: match ["), r.all());
        assertTrue(r.out.contains("not pinned"), r.all());
        assertFalse(r.out.contains("round 1 "), "--round 4 replays only round 4:\n" + r.all());
        assertTrue(r.out.contains("replayed 1 round: 1 match"), r.all());
    }

    @Test
    void journalsCanBeNamedOneByOne(@TempDir Path tmp) throws Exception {
        StateDirFixture fx = new StateDirFixture(tmp).write();
        Result r = run("replay", fx.log, fx.journal(2));
        assertEquals(0, r.code, r.all());
        assertTrue(hasLine(r.out, "round 1 +aggregated +frames not found"), r.all());
        assertTrue(hasLine(r.out, "round 2 +failed +replayed  match \\(\\d+ fields compared\\)"), r.all());
    }

    @Test
    void aWrongScoreSignedWithTheGatewayKeyFailsNamingRoundAndField(@TempDir Path tmp) throws Exception {
        StateDirFixture fx = new StateDirFixture(tmp).write(rec -> {
            if (rec.round() != 4) {
                return rec;
            }
            long[] s = rec.scores();
            s[5] -= 1;
            return StateDirFixture.withScores(rec, s);
        });
        Result r = run("replay", fx.log, "--gateway-key", StateDirFixture.GATEWAY_KEY);
        assertEquals(1, r.code, r.all());
        assertTrue(hasLine(r.out, "round 4 +aggregated +replayed  MISMATCH in scores \\(1 of \\d+ fields differ\\)"), r.all());
        assertTrue(r.out.contains("    scores: MISMATCH recorded ["), r.all());
        assertTrue(r.out.contains("first difference at index 5 (n06)"), r.all());
        assertTrue(r.out.contains("replay: FAILED (1 round did not reproduce)"), r.all());
    }

    @Test
    void aTamperedRecordFailsItsSignatureNamingTheLine(@TempDir Path tmp) throws Exception {
        StateDirFixture fx = new StateDirFixture(tmp).write();
        List<String> lines = Files.readAllLines(fx.log, StandardCharsets.UTF_8);
        long s0 = fx.records.get(3).scores()[0];
        String changed = lines.get(3).replace("\"scores\":[\"" + s0 + "\"", "\"scores\":[\"" + (s0 + 1) + "\"");
        assertFalse(changed.equals(lines.get(3)));
        lines.set(3, changed);
        Files.write(fx.log, lines, StandardCharsets.UTF_8);
        Result r = run("replay", fx.log);
        assertEquals(1, r.code, r.all());
        assertTrue(r.out.contains("VERIFICATION FAILED") && r.out.contains("line 4")
                && r.out.contains("signature does not verify"), r.all());
    }

    @Test
    void aRemovedRecordBreaksTheChain(@TempDir Path tmp) throws Exception {
        StateDirFixture fx = new StateDirFixture(tmp).write();
        List<String> lines = Files.readAllLines(fx.log, StandardCharsets.UTF_8);
        lines.remove(1);
        Files.write(fx.log, lines, StandardCharsets.UTF_8);
        Result r = run("replay", fx.log);
        assertEquals(1, r.code, r.all());
        assertTrue(r.out.contains("line 2 (round 3): prev is"), r.all());
    }

    @Test
    void anotherGatewaysKeyIsRefusedWhenPinned(@TempDir Path tmp) throws Exception {
        StateDirFixture fx = new StateDirFixture(tmp).write();
        Result r = run("replay", fx.log, "--gateway-key", "ab".repeat(32));
        assertEquals(1, r.code, r.all());
        assertTrue(r.out.contains("line 1") && r.out.contains("expected " + "ab".repeat(32)), r.all());
    }

    @Test
    void aFrameRemovedFromAKeptJournalIsAMismatch(@TempDir Path tmp) throws Exception {
        StateDirFixture fx = new StateDirFixture(tmp).write();
        Path j = fx.journal(1);
        RoundJournal.Contents c = RoundJournal.read(j, false);
        List<RoundJournal.Entry> e = c.entries();
        try (RoundJournal w = RoundJournal.create(j, c.fleet(), c.round(), e.get(0).payload())) {
            for (int i = 1; i < e.size() - 1; i++) { // the last accepted frame dropped
                w.accepted(e.get(i).payload());
            }
        }
        Result r = run("replay", fx.log);
        assertEquals(1, r.code, r.all());
        assertTrue(hasLine(r.out, "round 1 +aggregated +replayed  MISMATCH in frames.accepted .*"), r.all());
        assertTrue(r.out.contains("1 recorded frames missing from the journal"), r.all());
        assertTrue(hasLine(r.out, "round 4 +aggregated +replayed  match .*"), "other rounds are still replayed:\n" + r.all());
    }

    @Test
    void aDamagedJournalFailsItsRound(@TempDir Path tmp) throws Exception {
        StateDirFixture fx = new StateDirFixture(tmp).write();
        byte[] b = Files.readAllBytes(fx.journal(4));
        b[200] ^= 0x55; // inside the model frame entry: its checksum no longer holds
        Files.write(fx.journal(4), b);
        Result r = run("replay", fx.log);
        assertEquals(1, r.code, r.all());
        assertTrue(hasLine(r.out, "round 4 +aggregated +replayed  FAILED: journal damaged: .*checksum mismatch.*"), r.all());
    }

    @Test
    void usageErrorsAndUnreadableInputExitTwo(@TempDir Path tmp) throws Exception {
        StateDirFixture fx = new StateDirFixture(tmp).write();
        Result missing = run("replay", tmp.resolve("nope.log"));
        assertEquals(2, missing.code, missing.all());
        assertTrue(missing.err.contains("cannot read the audit log"), missing.all());

        Result round = run("replay", fx.log, "--round", 99);
        assertEquals(2, round.code, round.all());
        assertTrue(round.err.contains("round 99 is not in the audit log (rounds 1 to 4)"), round.all());

        Result key = run("replay", fx.log, "--gateway-key", "xyz");
        assertEquals(2, key.code, key.all());
        assertTrue(key.err.contains("--gateway-key is not hex"), key.all());

        Result notJournal = run("replay", fx.log, fx.log);
        assertEquals(2, notJournal.code, notJournal.all());
        assertTrue(notJournal.err.contains("is not a round journal"), notJournal.all());

        Result noFrames = run("replay", fx.log, tmp.resolve("elsewhere"));
        assertEquals(2, noFrames.code, noFrames.all());

        Path copy = tmp.resolve("copy.journal");
        Files.copy(fx.journal(1), copy);
        Result twice = run("replay", fx.log, fx.rounds, copy);
        assertEquals(2, twice.code, twice.all());
        assertTrue(twice.err.contains("two journals for round 1"), twice.all());

        Path badKeys = tmp.resolve("bad-keys.txt");
        Files.writeString(badKeys, "n01 hmac-sha256 1234\n");
        Result keys = run("replay", fx.log, "--keys", badKeys);
        assertEquals(2, keys.code, keys.all());

        assertEquals(2, run("replay").code);
        assertEquals(2, run("replay", fx.log, "--no-such-option").code);
    }

    @Test
    void anEmptyLogVerifiesWithNothingToReplay(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("audit.log");
        Files.writeString(log, "");
        Result r = run("replay", log);
        assertEquals(0, r.code, r.all());
        assertTrue(r.out.contains("no records") && r.out.contains("replayed 0 rounds"), r.all());
    }
}
