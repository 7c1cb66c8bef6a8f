package org.qoraedge.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.qoraedge.gateway.state.RoundJournal;
import org.qoraedge.gateway.state.StateStore;
import org.qoraedge.gateway.testing.TestNodes;

class ReplayTest {

    private static ReplayCheck.Status status(ReplayReport r, String field) {
        return r.check(field).orElseThrow(() -> new AssertionError("no check " + field + " in " + r.lines())).status();
    }

    private static void assertMatches(ReplayReport r) {
        assertTrue(r.matches(), () -> String.join("\n", r.lines()));
    }

    private static void assertFirstMismatch(ReplayReport r, String field) {
        assertFalse(r.matches(), () -> String.join("\n", r.lines()));
        assertEquals(field, r.firstMismatch().orElseThrow().field(), () -> String.join("\n", r.lines()));
    }

    @ParameterizedTest(name = "{0} {1} f={2} m={3}")
    @CsvSource({"krum, common, 1, 0", "krum, pairwise, 2, 0", "multi-krum, common, 1, 0", "multi-krum, pairwise, 1, 3",
        "mean, none, 0, 0"})
    void reproducesARecordedRoundBitForBit(String aggregator, String metric, int f, int m) {
        RoundFixture fx = new RoundFixture(12, 9, 40, aggregator, metric, f, m, 1);
        assertEquals("aggregated", fx.outcome);
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal(), fx.keys());
        assertMatches(r);
        assertEquals("aggregated", r.replayedOutcome());
        for (String field : new String[] {"journal.fleet", "journal.round", "journal.complete", "modelFrame",
            "modelFrame.signature", "modelBefore", "frames.accepted", "frames.header", "frames.blockDigest",
            "frames.signatures", "config", "outcome", "canonicalOrder", "scores", "ranking", "selected",
            "referenceExponent", "aggregateDigest", "modelAfter"}) {
            assertEquals(ReplayCheck.Status.MATCH, status(r, field), field);
        }
        assertEquals(r.checks().size(), r.lines().size());
        assertTrue(r.summary().startsWith("round 12: match"), r.summary());
    }

    @Test
    void withoutNodeKeysTheSignaturesAreNotCheckedButEverythingElseIs() {
        RoundFixture fx = RoundFixture.krum();
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal());
        assertMatches(r);
        assertEquals(ReplayCheck.Status.NOT_CHECKED, status(r, "frames.signatures"));
        assertEquals("frames.signatures: not checked (no node keys given)", r.check("frames.signatures").orElseThrow().line());
    }

    @Test
    void reproducesAHandComputedKrumRound() {
        // Five one-coordinate updates of exponent 0: 0, 1, 2, 3, 100. With f = 1 each score is the
        // sum of the n - f - 2 = 2 smallest squared distances to the others:
        // a: 1 + 4, b: 1 + 1, c: 1 + 1, d: 1 + 4, e: 97^2 + 98^2. Krum picks b (lowest score, lowest
        // index); the model 10 plus b's 1 is 11.
        RoundFixture fx = new RoundFixture(3, 0, 1, "krum", "common", 1, 0, 1);
        fx.frames.clear();
        fx.accepted.clear();
        fx.extraEntries.clear();
        fx.model = Bfp16Block.of(0, new short[] {10});
        fx.modelFrame = RoundFixture.modelFrame(fx.model, 3, fx.gatewaySigner);
        String[] ids = {"e", "c", "a", "d", "b"};
        short[] values = {100, 2, 0, 3, 1};
        for (int i = 0; i < ids.length; i++) {
            fx.addAccepted(TestNodes.credentials(ids[i], false), Bfp16Block.of(0, new short[] {values[i]}), 1);
        }
        fx.outcome = "aggregated";
        fx.failure = "";
        fx.canonicalOrder = List.of("a", "b", "c", "d", "e");
        fx.scores = new long[] {5, 2, 2, 5, 97 * 97 + 98 * 98};
        fx.ranking = new int[] {1, 2, 0, 3, 4};
        fx.selected = new int[] {1};
        fx.referenceExponent = 0;
        fx.aggregateDigest = Digests.block(Bfp16Block.of(0, new short[] {1}));
        fx.modelAfter = Digests.block(RoundFixture.exactSum(fx.model, Bfp16Block.of(0, new short[] {1})));
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal());
        assertMatches(r);
        assertEquals("scores: match [5, 2, 2, 5, 19013]", r.check("scores").orElseThrow().line());
    }

    @Test
    void aScoreChangedInTheSignedLineBreaksItsSignature() {
        RoundFixture fx = RoundFixture.krum();
        String line = AuditLog.sign(fx.record(), AuditRecord.GENESIS, fx.gatewaySigner);
        String s0 = Long.toString(fx.scores[0]);
        String tampered = line.replace("\"scores\":[\"" + s0 + "\"", "\"scores\":[\"" + (fx.scores[0] - 1) + "\"");
        assertFalse(tampered.equals(line));
        AuditException e = assertThrows(AuditException.class, () -> AuditLog.verify(tampered, null));
        assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());
    }

    @Test
    void aWrongScoreSignedWithTheGatewayKeyIsAScoresMismatch() {
        RoundFixture fx = RoundFixture.krum();
        long[] s = fx.scores.clone();
        s[2] += 1;
        fx.scores = s;
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal(), fx.keys());
        assertFirstMismatch(r, "scores");
        assertEquals(1, r.mismatches().size(), () -> String.join("\n", r.lines()));
        ReplayCheck c = r.check("scores").orElseThrow();
        String node = fx.canonicalOrder.get(2);
        assertTrue(c.note().equals("first difference at index 2 (" + node + "): recorded " + s[2] + ", replayed " + (s[2] - 1)),
                c.note());
        assertTrue(c.line().startsWith("scores: MISMATCH recorded ["), c.line());
        assertTrue(r.summary().contains("MISMATCH in scores"), r.summary());
    }

    @Test
    void aWrongSelectionOrModelAfterIsNamed() {
        RoundFixture fx = RoundFixture.krum();
        fx.selected = new int[] {fx.ranking[1]};
        assertFirstMismatch(Replay.replay(fx.signedRecord(), fx.journal()), "selected");
        fx = RoundFixture.krum();
        fx.modelAfter = Digests.block(fx.model);
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal());
        assertFirstMismatch(r, "modelAfter");
        assertEquals(Digests.block(fx.model), r.check("modelAfter").orElseThrow().recorded());
    }

    @Test
    void aFrameRemovedFromTheJournalIsMissing() {
        RoundFixture fx = RoundFixture.krum();
        AuditRecord record = fx.signedRecord();
        byte[] gone = fx.accepted.remove(2);
        ReplayReport r = Replay.replay(record, fx.journal(), fx.keys());
        assertFirstMismatch(r, "frames.accepted");
        ReplayCheck c = r.check("frames.accepted").orElseThrow();
        assertTrue(c.note().contains("1 recorded frames missing from the journal")
                && c.note().contains(Digests.hex(gone).substring(0, 16)), c.note());
        // 6 updates still meet Krum's quorum: the recomputation runs and disagrees.
        assertEquals(ReplayCheck.Status.MISMATCH, status(r, "canonicalOrder"));
    }

    @Test
    void aFrameAddedToTheJournalIsNotInTheRecord() {
        RoundFixture fx = RoundFixture.krum();
        AuditRecord record = fx.signedRecord();
        NodeCredentials intruder = TestNodes.credentials("n50", false);
        fx.accepted.add(RoundFixture.update(intruder, fx.round, 1, TestNodes.update("n50", fx.round, fx.d, true)));
        Map<String, VerifyingKey> keys = new TreeMap<>(fx.keys());
        keys.put("n50", intruder.verifyingKey());
        ReplayReport r = Replay.replay(record, fx.journal(), keys);
        assertFirstMismatch(r, "frames.accepted");
        assertTrue(r.check("frames.accepted").orElseThrow().note().contains("1 kept frames not in the record: n50 seq 1"),
                r.check("frames.accepted").orElseThrow().note());
        assertEquals(ReplayCheck.Status.MATCH, status(r, "frames.signatures"));
    }

    @Test
    void anAlteredFrameIsDetectedEvenWhenReSignedByItsNode() {
        RoundFixture fx = RoundFixture.krum();
        AuditRecord record = fx.signedRecord();
        // n03's update replaced by another block, correctly signed by n03: not the frame the gateway recorded.
        NodeCredentials n03 = fx.nodes.get(2);
        int at = -1;
        for (int i = 0; i < fx.accepted.size(); i++) {
            if (fx.frames.get(i).node().equals(n03.nodeId())) {
                at = i;
            }
        }
        Bfp16Block other = TestNodes.update("someone-else", fx.round, fx.d, false);
        fx.accepted.set(at, RoundFixture.update(n03, fx.round, 3, other));
        ReplayReport r = Replay.replay(record, fx.journal(), fx.keys());
        assertFirstMismatch(r, "frames.accepted");
        assertTrue(r.check("frames.accepted").orElseThrow().replayed().contains("1 missing, 1 not recorded"),
                r.check("frames.accepted").orElseThrow().line());
        assertEquals(ReplayCheck.Status.MISMATCH, status(r, "scores"));
    }

    @Test
    void aFlippedByteInAKeptFrameFailsItsDigestAndSignature() {
        RoundFixture fx = RoundFixture.krum();
        AuditRecord record = fx.signedRecord();
        byte[] f = fx.accepted.get(0).clone(); // n02's, signed with Ed25519: 64 signature bytes at the end
        f[f.length - 64 - 1] ^= 1; // the last mantissa's low byte
        fx.accepted.set(0, f);
        ReplayReport r = Replay.replay(record, fx.journal(), fx.keys());
        assertFirstMismatch(r, "frames.accepted");
        assertEquals(ReplayCheck.Status.MISMATCH, status(r, "frames.signatures"));
    }

    @Test
    void aForgedFrameTheRecordAgreesWithFailsOnlyTheNodeSignatures() {
        // A gateway that made up n02's update would record it consistently; only n02's key exposes it.
        RoundFixture fx = RoundFixture.krum();
        int i = 0;
        while (!fx.frames.get(i).node().equals("n02")) {
            i++;
        }
        NodeCredentials asN02 = NodeCredentials.hmac("n02", RoundFixture.seed(7));
        byte[] forged = RoundFixture.update(asN02, fx.round, 3, fx.blockByNode.get("n02"));
        fx.accepted.set(i, forged);
        AuditRecord.FrameEntry e = fx.frames.get(i);
        fx.frames.set(i, new AuditRecord.FrameEntry(e.node(), e.round(), e.sequence(), Digests.hex(forged), e.blockDigest(),
                "accepted"));
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal(), fx.keys());
        assertFirstMismatch(r, "frames.signatures");
        assertEquals(1, r.mismatches().size(), () -> String.join("\n", r.lines()));
        assertTrue(r.check("frames.signatures").orElseThrow().note().contains("n02 seq 3"), r.lines().toString());
        assertMatches(Replay.replay(fx.signedRecord(), fx.journal()));
    }

    @Test
    void aRecordedBlockDigestThatDiffersIsNamed() {
        RoundFixture fx = RoundFixture.krum();
        AuditRecord.FrameEntry e = fx.frames.get(1);
        fx.frames.set(1, new AuditRecord.FrameEntry(e.node(), e.round(), e.sequence(), e.frameDigest(), "00".repeat(32),
                "accepted"));
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal());
        assertFirstMismatch(r, "frames.blockDigest");
        assertEquals("00".repeat(32), r.check("frames.blockDigest").orElseThrow().recorded());
    }

    @Test
    void aRecordThatNamesAnotherSequenceOrNodeIsAHeaderMismatch() {
        RoundFixture fx = RoundFixture.krum();
        AuditRecord.FrameEntry e = fx.frames.get(0);
        fx.frames.set(0, new AuditRecord.FrameEntry(e.node(), e.round(), e.sequence() + 1, e.frameDigest(), e.blockDigest(),
                "accepted"));
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal());
        assertFirstMismatch(r, "frames.header");
        ReplayCheck c = r.check("frames.header").orElseThrow();
        assertTrue(c.recorded().endsWith("seq 4") && c.replayed().endsWith("seq 3"), c.line());
    }

    @Test
    void aModelFrameOfAnotherModelIsAModelBeforeMismatch() {
        RoundFixture fx = RoundFixture.krum();
        AuditRecord record = fx.signedRecord();
        fx.modelFrame = RoundFixture.modelFrame(TestNodes.update("other-model", 1, fx.d, false), fx.round, fx.gatewaySigner);
        ReplayReport r = Replay.replay(record, fx.journal());
        assertFirstMismatch(r, "modelBefore");
        assertEquals(ReplayCheck.Status.MATCH, status(r, "modelFrame.signature"));
        assertEquals(ReplayCheck.Status.MISMATCH, status(r, "modelAfter"));
    }

    @Test
    void aModelFrameOfAnotherRoundOrSignedByAnotherKeyIsRefused() {
        RoundFixture fx = RoundFixture.krum();
        AuditRecord record = fx.signedRecord();
        fx.modelFrame = RoundFixture.modelFrame(fx.model, fx.round - 1, fx.gatewaySigner);
        ReplayReport r = Replay.replay(record, fx.journal());
        assertFirstMismatch(r, "modelFrame");
        assertTrue(r.check("modelFrame").orElseThrow().replayed().contains("round 6"), r.lines().toString());

        fx.modelFrame = RoundFixture.modelFrame(fx.model, fx.round,
                FrameSigner.ed25519(RoundFixture.seed(43)));
        r = Replay.replay(record, fx.journal());
        assertFirstMismatch(r, "modelFrame.signature");
        assertEquals(1, r.mismatches().size(), r.lines().toString());
    }

    @Test
    void aJournalWithoutItsModelFrameIsRefused() {
        RoundFixture fx = RoundFixture.krum();
        List<RoundJournal.Entry> entries = new ArrayList<>(fx.entries());
        entries.remove(0);
        ReplayReport r = Replay.replay(fx.signedRecord(), new RoundJournal.Contents(fx.round, RoundFixture.FLEET, entries, 0));
        assertFirstMismatch(r, "modelFrame");
        assertEquals(ReplayCheck.Status.NOT_CHECKED, status(r, "modelFrame.signature"));
    }

    @Test
    void aJournalOfAnotherRoundOrFleetOrWithATornTailIsNamed() {
        RoundFixture fx = RoundFixture.krum();
        AuditRecord record = fx.signedRecord();
        assertFirstMismatch(Replay.replay(record, new RoundJournal.Contents(fx.round + 1, RoundFixture.FLEET, fx.entries(), 0)),
                "journal.round");
        assertFirstMismatch(Replay.replay(record, new RoundJournal.Contents(fx.round, "vineyard", fx.entries(), 0)),
                "journal.fleet");
        assertFirstMismatch(Replay.replay(record, new RoundJournal.Contents(fx.round, RoundFixture.FLEET, fx.entries(), 12)),
                "journal.complete");
    }

    @Test
    void aFailedRoundReplaysAsFailedWithTheModelUnchanged() {
        // Krum with f = 1 needs 5 updates; 4 arrive.
        RoundFixture fx = new RoundFixture(5, 4, 16, "krum", "common", 1, 0, 1);
        assertEquals("failed", fx.outcome);
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal(), fx.keys());
        assertMatches(r);
        assertEquals("failed", r.replayedOutcome());
        assertTrue(r.replayedFailure().startsWith("below quorum: 4 accepted updates"), r.replayedFailure());
        assertEquals(ReplayCheck.Status.MATCH, status(r, "modelAfter"));
        assertEquals(4, r.check("canonicalOrder").orElseThrow().recorded().split(",").length);
    }

    @Test
    void aFailedRecordThatChangedTheModelIsAModelAfterMismatch() {
        RoundFixture fx = new RoundFixture(5, 4, 16, "krum", "common", 1, 0, 1);
        fx.modelAfter = "ab".repeat(32);
        assertFirstMismatch(Replay.replay(fx.signedRecord(), fx.journal()), "modelAfter");
    }

    @Test
    void aRecordClaimingFailureWhenTheFramesSufficeIsAnOutcomeMismatch() {
        RoundFixture fx = RoundFixture.krum();
        fx.outcome = "failed";
        fx.failure = "below quorum: 2 accepted updates";
        fx.modelAfter = Digests.block(fx.model);
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal());
        assertFirstMismatch(r, "outcome");
        ReplayCheck c = r.check("outcome").orElseThrow();
        assertEquals("outcome: MISMATCH recorded failed, replayed aggregated; recorded failure: below quorum: 2 accepted updates",
                c.line());
        assertEquals(ReplayCheck.Status.NOT_CHECKED, status(r, "scores"));
    }

    @Test
    void aMeanRoundBelowMinUpdatesFails() {
        RoundFixture fx = new RoundFixture(9, 3, 8, "mean", "none", 0, 0, 4);
        assertEquals("failed", fx.outcome);
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal());
        assertMatches(r);
        assertTrue(r.replayedFailure().contains("needs 4"), r.replayedFailure());
    }

    @Test
    void aConfigurationThatCannotRunIsReported() {
        RoundFixture fx = RoundFixture.krum();
        AuditRecord good = fx.signedRecord();
        AuditRecord.Config c = good.config();
        AuditRecord bad = new AuditRecord(good.fleet(), good.gatewayId(), good.gatewayKey(), good.round(), good.prev(),
                good.outcome(), good.failure(), new AuditRecord.Config("medoid", c.metric(), c.f(), c.m(), c.minUpdates(),
                        c.dimension(), c.modelId(), c.reputationSettings()), good.modelBefore(), good.frames(),
                good.framesOmitted(), good.canonicalOrder(), good.scores(), good.ranking(), good.selected(),
                good.referenceExponent(), good.aggregateDigest(), good.modelAfter(), good.reputation(), good.operator(),
                good.timing(), good.framesKept());
        ReplayReport r = Replay.replay(bad, fx.journal());
        assertFirstMismatch(r, "config");
        assertEquals("not replayed", r.replayedOutcome());
        assertTrue(r.check("config").orElseThrow().note().contains("unknown rule 'medoid'"), r.lines().toString());
    }

    @Test
    void rejectionsAndRestartsInTheJournalDoNotDisturbTheReplay() {
        RoundFixture fx = RoundFixture.krum();
        fx.extraEntries.add(new RoundJournal.Entry(RoundJournal.RESTART, new byte[0]));
        assertMatches(Replay.replay(fx.signedRecord(), fx.journal(), fx.keys()));
    }

    @Test
    void replaysAJournalWrittenAndReadBackAsTheGatewayKeepsIt(@TempDir Path dir) throws Exception {
        RoundFixture fx = RoundFixture.krum();
        Path file = dir.resolve("rounds").resolve(StateStore.journalName(fx.round));
        try (RoundJournal j = RoundJournal.create(file, RoundFixture.FLEET, fx.round, fx.modelFrame)) {
            for (byte[] a : fx.accepted) {
                j.accepted(a);
            }
            j.rejected("n99", fx.round, 1, fx.frames.get(fx.frames.size() - 1).frameDigest(), "unknown-node");
        }
        RoundJournal.Contents back = RoundJournal.read(file, false);
        assertEquals(fx.accepted.size() + 2, back.entries().size());
        assertMatches(Replay.replay(fx.signedRecord(), back, fx.keys()));
    }

    @Test
    void largeArraysAreShownByLengthAndDigest() {
        RoundFixture fx = new RoundFixture(2, 20, 8, "multi-krum", "common", 2, 0, 1);
        long[] s = fx.scores.clone();
        s[19] = 0;
        fx.scores = s;
        ReplayReport r = Replay.replay(fx.signedRecord(), fx.journal());
        assertFirstMismatch(r, "scores");
        ReplayCheck c = r.check("scores").orElseThrow();
        assertTrue(c.recorded().startsWith("[20 values, SHA-256 ") && c.note().startsWith("first difference at index 19 (n20)"),
                c.line());
    }
}
