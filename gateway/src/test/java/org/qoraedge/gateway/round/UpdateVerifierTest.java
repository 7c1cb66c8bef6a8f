package org.qoraedge.gateway.round;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.aggregation.BufferedSettings;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.RejectReason;
import org.qoraedge.gateway.protocol.SparseFrame;
import org.qoraedge.gateway.protocol.VerifyingKey;
import org.qoraedge.gateway.reputation.RoundEvidence;
import org.qoraedge.gateway.testing.Provocations;
import org.qoraedge.gateway.testing.TestNodes;

/** The verifier alone: each check of docs/PROTOCOL.md, "Verification", with a frame that fails just it. */
class UpdateVerifierTest {
    private static final String FLEET = "unit";
    private static final int D = 8;
    private static final long ROUND = 4;

    private final NodeCredentials node = TestNodes.credentials("node-01", true);
    private final NodeCredentials other = TestNodes.credentials("node-02", false);
    private final Map<String, VerifyingKey> registry = new TreeMap<>(TestNodes.registry(List.of(node, other)));
    private final Map<String, Long> sequences = new TreeMap<>(Map.of("node-01", 10L));

    private UpdateVerifier.RoundView view(Set<String> banned, Set<String> accepted) {
        return new UpdateVerifier.RoundView(FLEET, ROUND, "m1", D, Frame.maxSize(D), registry, banned::contains, sequences,
                accepted::contains);
    }

    private byte[] frame(NodeCredentials c, FrameKind kind, String fleet, long round, long seq, String model, int d) {
        return Provocations.frame(c, kind, fleet, round, seq, model, TestNodes.update(c.nodeId(), round, d, false));
    }

    private UpdateVerifier.Verdict verify(String topicNode, byte[] payload) {
        return UpdateVerifier.verify(topicNode, payload, view(Set.of(), Set.of()));
    }

    @Test
    void aGoodFrameIsAcceptedWithItsBlockAndAuthenticated() {
        Bfp16Block b = TestNodes.update("node-01", ROUND, D, false);
        byte[] p = Provocations.frame(node, FrameKind.UPDATE, FLEET, ROUND, 11, "m1", b);
        UpdateVerifier.Verdict v = verify("node-01", p);
        assertTrue(v.accepted(), v.detail());
        assertNull(v.reason());
        assertTrue(v.authenticated());
        assertEquals(11, v.sequence());
        assertEquals(b.exponent(), v.block().exponent());
        assertArrayEquals(b.mantissas(), v.block().mantissas());
    }

    @Test
    void eachCheckRefusesWithItsReasonAndOnlySignedFramesCountAsAuthenticated() {
        byte[] good = frame(node, FrameKind.UPDATE, FLEET, ROUND, 11, "m1", D);
        byte[] flipped = good.clone();
        flipped[flipped.length - 1] ^= 1;
        Object[][] cases = {
            {"node-01", new byte[] {1, 2, 3}, RejectReason.BAD_MAGIC, false},
            {"node-01", frame(node, FrameKind.MODEL, FLEET, ROUND, 11, "m1", D), RejectReason.WRONG_KIND, false},
            {"node-01", frame(node, FrameKind.UPDATE, "other", ROUND, 11, "m1", D), RejectReason.WRONG_FLEET, false},
            {"node-02", good, RejectReason.TOPIC_MISMATCH, false},
            {"node-zz", frame(TestNodes.credentials("node-zz", true), FrameKind.UPDATE, FLEET, ROUND, 11, "m1", D),
                RejectReason.UNKNOWN_NODE, false},
            {"node-01", flipped, RejectReason.BAD_SIGNATURE, false},
            {"node-01", frame(node, FrameKind.UPDATE, FLEET, ROUND + 1, 11, "m1", D), RejectReason.WRONG_ROUND, true},
            {"node-01", frame(node, FrameKind.UPDATE, FLEET, ROUND, 10, "m1", D), RejectReason.REPLAYED_SEQUENCE, true},
            {"node-01", frame(node, FrameKind.UPDATE, FLEET, ROUND, 11, "m1", D + 1), RejectReason.WRONG_DIMENSION, true},
            {"node-01", frame(node, FrameKind.UPDATE, FLEET, ROUND, 11, "m2", D), RejectReason.WRONG_MODEL, true},
        };
        for (Object[] c : cases) {
            UpdateVerifier.Verdict v = verify((String) c[0], (byte[]) c[1]);
            assertFalse(v.accepted(), c[2] + " accepted");
            assertEquals(c[2], v.reason(), v.detail());
            assertEquals(c[3], v.authenticated(), c[2] + ": authenticated");
            assertFalse(v.detail().isEmpty(), c[2] + " names what is wrong");
        }
    }

    @Test
    void anUpdateWithMoreNonZeroCoordinatesThanTheRoundAllowsIsTooDenseAndAttributable() {
        // Three non-zero coordinates of eight, two of them adjacent to zeros a sparse frame would not carry.
        Bfp16Block three = Bfp16Block.of(-12, new int[] {0, 5, 0, 0, -7, 0, 1, 0});
        byte[] p = Provocations.frame(node, FrameKind.UPDATE, FLEET, ROUND, 11, "m1", three);
        UpdateVerifier.Verdict atBound = UpdateVerifier.verify("node-01", p, bounded(3));
        assertTrue(atBound.accepted(), atBound.detail());
        UpdateVerifier.Verdict over = UpdateVerifier.verify("node-01", p, bounded(2));
        assertEquals(RejectReason.TOO_DENSE, over.reason());
        assertEquals("update from node-01 has 3 non-zero coordinates; round.maxNonZero = 2", over.detail());
        assertTrue(over.authenticated());
        // The count is of the block's non-zero mantissas, so a sparse frame of three entries with one zero takes a bound of 2.
        byte[] sparse = new SparseFrame(node.scheme(), FLEET, "node-01", ROUND, 11, "m1", -12, D, new int[] {1, 3, 4},
                new short[] {5, 0, -7}).encode(node.signer());
        assertTrue(UpdateVerifier.verify("node-01", sparse, bounded(2)).accepted());
        assertEquals(RejectReason.TOO_DENSE, UpdateVerifier.verify("node-01", sparse, bounded(1)).reason());
        assertTrue(RoundEvidence.countsAsMisbehaviour(RejectReason.TOO_DENSE), "a freshly signed violation costs reputation");
    }

    private UpdateVerifier.RoundView bounded(int maxNonZero) {
        return new UpdateVerifier.RoundView(FLEET, ROUND, "m1", D, Frame.maxUpdateSize(D), registry, Set.<String>of()::contains,
                sequences, Set.<String>of()::contains, null, null, maxNonZero);
    }

    @Test
    void banAndDuplicateComeFromTheRoundViewAfterTheSignature() {
        byte[] good = frame(node, FrameKind.UPDATE, FLEET, ROUND, 11, "m1", D);
        UpdateVerifier.Verdict banned = UpdateVerifier.verify("node-01", good, view(Set.of("node-01"), Set.of()));
        assertEquals(RejectReason.BANNED, banned.reason());
        assertTrue(banned.authenticated());
        UpdateVerifier.Verdict twice = UpdateVerifier.verify("node-01", good, view(Set.of(), Set.of("node-01")));
        assertEquals(RejectReason.DUPLICATE_UPDATE, twice.reason());
        // A forged frame from a banned node is a bad signature, not a ban: nothing about the node is revealed to a forger.
        byte[] forged = good.clone();
        forged[forged.length - 1] ^= 1;
        assertEquals(RejectReason.BAD_SIGNATURE, UpdateVerifier.verify("node-01", forged, view(Set.of("node-01"), Set.of())).reason());
    }

    @Test
    void aNodeOutsideTheCohortIsRefusedAfterTheRoundCheckAndBeforeTheSequenceCheck() {
        UpdateVerifier.RoundView cohortOfOther = new UpdateVerifier.RoundView(FLEET, ROUND, "m1", D, Frame.maxSize(D), registry,
                id -> false, sequences, id -> false, Set.of("node-02")::contains);
        UpdateVerifier.Verdict out = UpdateVerifier.verify("node-01",
                frame(node, FrameKind.UPDATE, FLEET, ROUND, 10, "m1", D), cohortOfOther);
        assertEquals(RejectReason.NOT_IN_COHORT, out.reason(), "checked before the (replayed) sequence");
        assertTrue(out.authenticated(), "a signed refusal: the node gets a notice");
        assertEquals(RejectReason.WRONG_ROUND, UpdateVerifier.verify("node-01",
                frame(node, FrameKind.UPDATE, FLEET, ROUND - 1, 11, "m1", D), cohortOfOther).reason(),
                "a late update of another round is late, whatever that round's cohort was");
        assertTrue(UpdateVerifier.verify("node-02", frame(other, FrameKind.UPDATE, FLEET, ROUND, 1, "m1", D), cohortOfOther)
                .accepted(), "a member's update is accepted");
        assertFalse(RejectReason.NOT_IN_COHORT.evidenceOfAttack(), "an older node that ignores the cohort is no attacker");
        assertEquals("not-in-cohort", RejectReason.NOT_IN_COHORT.wireName());
    }

    @Test
    void inBufferedModeAnUpdateFromAVersionInTheWindowIsAcceptedAnOlderOneIsStaleAndALaterOneIsWrongRound() {
        // ROUND is the buffer's version; maxStaleness 2 takes ROUND - 2 .. ROUND.
        UpdateVerifier.RoundView buffer = new UpdateVerifier.RoundView(FLEET, ROUND, "m1", D, Frame.maxSize(D), registry,
                id -> false, sequences, id -> false, null, new BufferedSettings(4, 2));
        assertTrue(UpdateVerifier.verify("node-02", frame(other, FrameKind.UPDATE, FLEET, ROUND - 2, 1, "m1", D), buffer).accepted());
        UpdateVerifier.Verdict stale = UpdateVerifier.verify("node-02",
                frame(other, FrameKind.UPDATE, FLEET, ROUND - 3, 1, "m1", D), buffer);
        assertEquals(RejectReason.STALE_UPDATE, stale.reason());
        assertTrue(stale.authenticated(), "a signed refusal: the node gets a notice");
        assertTrue(stale.detail().contains("3 versions behind"), stale.detail());
        assertEquals(RejectReason.WRONG_ROUND, UpdateVerifier.verify("node-02",
                frame(other, FrameKind.UPDATE, FLEET, ROUND + 1, 1, "m1", D), buffer).reason(), "a version never published");
        // The version check comes before the sequence check, as the round check does.
        assertEquals(RejectReason.STALE_UPDATE, UpdateVerifier.verify("node-01",
                frame(node, FrameKind.UPDATE, FLEET, ROUND - 3, 1, "m1", D), buffer).reason());
        assertEquals(RejectReason.REPLAYED_SEQUENCE, UpdateVerifier.verify("node-01",
                frame(node, FrameKind.UPDATE, FLEET, ROUND - 1, 1, "m1", D), buffer).reason());
        // At most one update per node per buffer.
        UpdateVerifier.RoundView withOne = new UpdateVerifier.RoundView(FLEET, ROUND, "m1", D, Frame.maxSize(D), registry,
                id -> false, sequences, "node-02"::equals, null, new BufferedSettings(4, 2));
        assertEquals(RejectReason.DUPLICATE_UPDATE, UpdateVerifier.verify("node-02",
                frame(other, FrameKind.UPDATE, FLEET, ROUND - 1, 5, "m1", D), withOne).reason());
        assertFalse(RejectReason.STALE_UPDATE.evidenceOfAttack(), "a slow node is no attacker");
        assertEquals("stale-update", RejectReason.STALE_UPDATE.wireName());
    }

    @Test
    void theVerdictDependsOnlyOnTheFrameAndTheView() {
        byte[] good = frame(other, FrameKind.UPDATE, FLEET, ROUND, 1, "m1", D);
        UpdateVerifier.Verdict a = verify("node-02", good);
        UpdateVerifier.Verdict b = verify("node-02", good);
        assertTrue(a.accepted() && b.accepted());
        assertEquals(Map.of("node-01", 10L), sequences, "verification records nothing");
    }
}
