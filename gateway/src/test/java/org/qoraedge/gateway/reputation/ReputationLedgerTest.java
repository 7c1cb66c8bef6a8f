package org.qoraedge.gateway.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Expected scores are computed by hand in the comments (defaults: reward 0.02, penalty 0.08,
 * misbehaviour 0.15, decay 0.05, ban below 0.2, unban to 0.5, far factor 4, cap 0.8), never with
 * the code under test.
 */
class ReputationLedgerTest {
    private static final ReputationSettings DEFAULTS = ReputationSettings.defaults();
    private static final long[] NO_SCORES = {};
    private static final int[] NONE = {};

    /** Five nodes; median score (sorted 100, 110, 120, 130, 10000) is 120, far means > 480. */
    private static final List<String> FIVE = List.of("a", "b", "c", "d", "e");
    private static final long[] FIVE_SCORES = {100, 120, 110, 130, 10_000};

    private static RoundEvidence krum(long round, List<String> ids, long[] scores, int[] selected) {
        return new RoundEvidence(round, ids, scores, selected, Set.of(), Set.of());
    }

    private static ReputationChange change(String node, long round, int before, int after, ChangeReason... reasons) {
        return new ReputationChange(node, round, before, after, EnumSet.copyOf(List.of(reasons)));
    }

    @Test
    void aNodeNeverSeenIsNeutral() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        assertEquals(500_000, l.score("x"));
        assertFalse(l.isBanned("x"));
        assertEquals(125_000, l.influence("x")); // 0.5^3
        assertEquals(-1, l.lastRound());
        assertTrue(l.entries().isEmpty());
    }

    @Test
    void oneKrumRoundRewardsTheSelectedPenalizesTheFarAndOnlyDecaysTheRest() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        List<ReputationChange> changes = l.apply(krum(0, FIVE, FIVE_SCORES, new int[] {0}));
        assertEquals(List.of(
                change("a", 0, 500_000, 520_000, ChangeReason.SELECTED), // 0.5 + 0.02
                change("b", 0, 500_000, 500_000, ChangeReason.IN_RANGE),
                change("c", 0, 500_000, 500_000, ChangeReason.IN_RANGE),
                change("d", 0, 500_000, 500_000, ChangeReason.IN_RANGE),
                change("e", 0, 500_000, 420_000, ChangeReason.FAR_OUTSIDE)), changes); // 0.5 - 0.08
        assertEquals(new NodeReputation(520_000, false, -1, 1, 1, 0, 0), l.entries().get("a"));
        assertEquals(new NodeReputation(420_000, false, -1, 1, 0, 1, 0), l.entries().get("e"));
        assertEquals(0, l.lastRound());
    }

    @Test
    void aSelectedNodeConvergesToNeutralPlusRewardOverDecay() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        l.apply(krum(1, FIVE, FIVE_SCORES, new int[] {0}));
        assertEquals(520_000, l.score("a"));
        l.apply(krum(2, FIVE, FIVE_SCORES, new int[] {0}));
        assertEquals(539_000, l.score("a")); // 0.5 + 0.02 * 0.95 + 0.02
        l.apply(krum(3, FIVE, FIVE_SCORES, new int[] {0}));
        assertEquals(557_050, l.score("a")); // 0.5 + 0.039 * 0.95 + 0.02
        // the fixed point: 0.5 + 0.02 / 0.05 = 0.9
        ReputationLedger steady = ReputationLedger.restore(DEFAULTS, Map.of("a", new NodeReputation(900_000, false, -1, 9, 9, 0, 0)), 9);
        steady.apply(krum(10, FIVE, FIVE_SCORES, new int[] {0}));
        assertEquals(900_000, steady.score("a")); // 0.5 + 0.4 * 0.95 + 0.02
        assertEquals(729_000, steady.influence("a")); // 0.9^3
    }

    @Test
    void repeatedFarOutsideRoundsBanTheNodeAndItsFramesAreRefused() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        // s' = 0.5 + (s - 0.5) * 0.95 (kept distance rounded down) - 0.08
        int[] expected = {
            420_000, // 0.5 - 0.08
            344_000, // 0.5 - 0.076 - 0.08
            271_800, // 0.5 - 0.1482 - 0.08
            203_210, // 0.5 - 0.21679 - 0.08
            138_050, // 0.5 - 0.2819505 (-> 0.28195) - 0.08 < 0.2: banned
        };
        for (int r = 0; r < expected.length; r++) {
            List<ReputationChange> changes = l.apply(krum(r, FIVE, FIVE_SCORES, new int[] {0}));
            ReputationChange e = changes.get(4);
            assertEquals("e", e.node());
            assertEquals(expected[r], e.after(), "round " + r);
            assertEquals(r == 4, e.banned(), "round " + r);
            assertEquals(r == 4, l.isBanned("e"), "round " + r);
            assertEquals(r == 4 ? EnumSet.of(ChangeReason.FAR_OUTSIDE, ChangeReason.BANNED) : EnumSet.of(ChangeReason.FAR_OUTSIDE),
                    e.reasons(), "round " + r);
        }
        assertEquals(new NodeReputation(138_050, true, 4, 5, 0, 5, 0), l.entries().get("e"));
        assertEquals(0, l.influence("e"));
        assertTrue(l.isBanned("e"));
    }

    @Test
    void aBannedNodeIsNotUpdatedUntilTheOperatorLiftsTheBan() {
        ReputationLedger l = ReputationLedger.restore(DEFAULTS, Map.of("e", new NodeReputation(138_050, true, 4, 5, 0, 5, 0)), 4);
        List<ReputationChange> changes = l.apply(new RoundEvidence(5, List.of("a", "b", "c", "e"), new long[] {1, 2, 3, 4},
                new int[] {3}, Set.of("e"), Set.of("d")));
        assertEquals(List.of("a", "b", "c", "d"), changes.stream().map(ReputationChange::node).toList());
        assertEquals(new NodeReputation(138_050, true, 4, 5, 0, 5, 0), l.entries().get("e"));
        for (int r = 6; r < 30; r++) {
            l.apply(new RoundEvidence(r, List.of(), NO_SCORES, NONE, Set.of(), Set.of("e")));
        }
        assertTrue(l.isBanned("e"), "no automatic unban");
        assertEquals(138_050, l.score("e"));

        ReputationChange unban = l.unban("e", 30);
        assertEquals(change("e", 30, 138_050, 500_000, ChangeReason.OPERATOR_UNBAN), unban);
        assertFalse(l.isBanned("e"));
        assertEquals(new NodeReputation(500_000, false, -1, 5, 0, 5, 0), l.entries().get("e"));
        assertEquals(29, l.lastRound(), "an unban applies no round");
        assertEquals("node \"e\" is not banned (score 0.5)",
                assertThrows(ReputationException.class, () -> l.unban("e", 31)).getMessage());
        assertEquals("node \"ghost\" is not banned (the ledger has never seen it)",
                assertThrows(ReputationException.class, () -> l.unban("ghost", 31)).getMessage());
    }

    @Test
    void unbanUsesTheConfiguredScoreAndRefusesARoundBeforeTheBan() {
        ReputationSettings s = new ReputationSettings(true, 20_000, 80_000, 150_000, 50_000, 200_000, 300_000, 4_000_000, 800_000);
        ReputationLedger l = ReputationLedger.restore(s, Map.of("n", new NodeReputation(0, true, 7, 8, 0, 0, 8)), 9);
        assertEquals("unban of node \"n\" in round 6 precedes its ban in round 7",
                assertThrows(ReputationException.class, () -> l.unban("n", 6)).getMessage());
        assertTrue(l.isBanned("n"));
        assertEquals(300_000, l.unban("n", 7).after());
        assertEquals(300_000, l.score("n"));
    }

    @Test
    void farUsesTheLowerMedianOfAnEvenCount() {
        ReputationSettings factor2 = new ReputationSettings(true, 20_000, 80_000, 150_000, 50_000, 200_000, 500_000, 2_000_000,
                800_000);
        ReputationLedger l = new ReputationLedger(factor2);
        // sorted 10, 20, 41, 50: lower median 20, far means > 40 (the upper median 41 would flag nobody)
        List<ReputationChange> changes = l.apply(krum(0, List.of("a", "b", "c", "d"), new long[] {10, 50, 20, 41}, new int[] {0}));
        assertEquals(List.of(
                change("a", 0, 500_000, 520_000, ChangeReason.SELECTED),
                change("b", 0, 500_000, 420_000, ChangeReason.FAR_OUTSIDE),
                change("c", 0, 500_000, 500_000, ChangeReason.IN_RANGE),
                change("d", 0, 500_000, 420_000, ChangeReason.FAR_OUTSIDE)), changes);
    }

    @Test
    void aScoreEqualToFactorTimesMedianIsInRangeOneAboveIsFar() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        // sorted 100, 110, 120, 480, 481: median 120, far means > 480
        List<ReputationChange> changes = l.apply(krum(0, FIVE, new long[] {100, 120, 110, 480, 481}, new int[] {0}));
        assertEquals(EnumSet.of(ChangeReason.IN_RANGE), changes.get(3).reasons());
        assertEquals(EnumSet.of(ChangeReason.FAR_OUTSIDE), changes.get(4).reasons());
    }

    @Test
    void selectionTakesPrecedenceOverFar() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        List<ReputationChange> changes = l.apply(krum(0, FIVE, FIVE_SCORES, new int[] {4, 0}));
        assertEquals(change("e", 0, 500_000, 520_000, ChangeReason.SELECTED), changes.get(4));
    }

    @Test
    void aMedianOfZeroFlagsNobody() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        List<ReputationChange> changes = l.apply(krum(0, FIVE, new long[] {0, 0, 0, 5, Long.MAX_VALUE}, new int[] {0}));
        assertEquals(EnumSet.of(ChangeReason.IN_RANGE), changes.get(3).reasons());
        assertEquals(EnumSet.of(ChangeReason.IN_RANGE), changes.get(4).reasons());
    }

    @Test
    void saturatedScoresAreComparedExactly() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        long big = Long.MAX_VALUE / 4; // 4 * big = MAX - 3
        List<ReputationChange> changes = l.apply(krum(0, FIVE, new long[] {big - 1, big, big, Long.MAX_VALUE - 3, Long.MAX_VALUE},
                new int[] {0}));
        assertEquals(EnumSet.of(ChangeReason.IN_RANGE), changes.get(3).reasons());
        assertEquals(EnumSet.of(ChangeReason.FAR_OUTSIDE), changes.get(4).reasons());
    }

    @Test
    void aRoundWithoutScoresOrDeviationsMeasuresNothingSoAcceptedNodesOnlyDecay() {
        ReputationLedger l = ReputationLedger.restore(DEFAULTS, Map.of("b", new NodeReputation(600_000, false, -1, 1, 1, 0, 0)), 0);
        List<ReputationChange> changes = l.apply(new RoundEvidence(1, List.of("a", "b"), NO_SCORES, new int[] {0, 1}, Set.of(),
                Set.of()));
        assertEquals(List.of(
                change("a", 1, 500_000, 500_000, ChangeReason.NOT_MEASURED),
                change("b", 1, 600_000, 595_000, ChangeReason.NOT_MEASURED)), changes); // 0.5 + 0.1 * 0.95
        assertEquals(new NodeReputation(595_000, false, -1, 2, 1, 0, 0), l.entries().get("b"));
    }

    /** Five nodes by deviation: sorted 100, 110, 120, 130, 10000; lower median 120, far means > 480. */
    private static RoundEvidence byDeviation(long round, long[] deviations, int[] used) {
        return new RoundEvidence(round, FIVE, NO_SCORES, deviations, used, Set.of(), Set.of());
    }

    @Test
    void aRoundMeasuredByDeviationRewardsTheUsedCloserHalfAndPenalizesTheFar() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        // a=100 (rank 0), b=120 (rank 2, the lower median), c=110 (rank 1), d=130 (rank 3), e=10000 (rank 4, far)
        List<ReputationChange> changes = l.apply(byDeviation(0, FIVE_SCORES, new int[] {0, 1, 2, 3, 4}));
        assertEquals(List.of(
                change("a", 0, 500_000, 520_000, ChangeReason.NEAR),
                change("b", 0, 500_000, 520_000, ChangeReason.NEAR),
                change("c", 0, 500_000, 520_000, ChangeReason.NEAR),
                change("d", 0, 500_000, 500_000, ChangeReason.IN_RANGE),
                change("e", 0, 500_000, 420_000, ChangeReason.FAR_OUTSIDE)), changes);
        assertEquals(new NodeReputation(520_000, false, -1, 1, 1, 0, 0), l.entries().get("a"));
        assertEquals(new NodeReputation(420_000, false, -1, 1, 0, 1, 0), l.entries().get("e"));
    }

    @Test
    void byDeviationAnUpdateTheRuleDidNotUseIsNotRewardedAndFarBeatsUsed() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        // a was dropped by a norm screen: in range, no reward; e was used but is far: penalized
        List<ReputationChange> changes = l.apply(byDeviation(0, FIVE_SCORES, new int[] {1, 2, 3, 4}));
        assertEquals(ChangeReason.IN_RANGE, changes.get(0).reasons().iterator().next());
        assertEquals(520_000, changes.get(1).after());
        assertEquals(List.of(ChangeReason.FAR_OUTSIDE), List.copyOf(changes.get(4).reasons()));
    }

    @Test
    void byDeviationTiesInTheCloserHalfGoByIndexAndEqualToFactorTimesMedianIsInRange() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        // sorted 7, 7, 7, 7, 28: median 7, 28 = 4 x 7 is in range; ranks 0..2 are a, b, c (equal values, by index)
        List<ReputationChange> changes = l.apply(byDeviation(0, new long[] {7, 7, 7, 7, 28}, new int[] {0, 1, 2, 3, 4}));
        assertEquals(List.of(ChangeReason.NEAR, ChangeReason.NEAR, ChangeReason.NEAR, ChangeReason.IN_RANGE,
                ChangeReason.IN_RANGE), changes.stream().map(c -> c.reasons().iterator().next()).toList());
        ReputationLedger z = new ReputationLedger(DEFAULTS);
        // a median of 0 (identical updates) flags nobody, however large the rest
        List<ReputationChange> zero = z.apply(byDeviation(0, new long[] {0, 0, 0, 5, Long.MAX_VALUE}, new int[] {0, 1, 2, 3, 4}));
        assertEquals(ChangeReason.IN_RANGE, zero.get(4).reasons().iterator().next());
    }

    @Test
    void evidenceRefusesScoresAndDeviationsTogetherAndBadDeviations() {
        assertThrows(ReputationException.class, () -> new RoundEvidence(0, FIVE, FIVE_SCORES, FIVE_SCORES, NONE, Set.of(),
                Set.of()));
        assertThrows(ReputationException.class, () -> new RoundEvidence(0, FIVE, NO_SCORES, new long[] {1, 2}, NONE, Set.of(),
                Set.of()));
        ReputationException e = assertThrows(ReputationException.class, () -> new RoundEvidence(0, FIVE, NO_SCORES,
                new long[] {1, 2, -3, 4, 5}, NONE, Set.of(), Set.of()));
        assertTrue(e.getMessage().contains("deviation of \"c\" (index 2) is negative"), e.getMessage());
    }

    @Test
    void misbehaviourCostsOncePerRoundAndAddsToTheMeasure() {
        ReputationLedger l = ReputationLedger.restore(DEFAULTS, Map.of("d", new NodeReputation(300_000, false, -1, 1, 0, 0, 0)), 0);
        List<ReputationChange> changes = l.apply(new RoundEvidence(1, List.of("a", "b", "c"), new long[] {10, 11, 12},
                new int[] {0}, List.of("a", "x", "x", "d"), Set.of("d")));
        assertEquals(List.of(
                change("a", 1, 500_000, 370_000, ChangeReason.SELECTED, ChangeReason.MISBEHAVED), // 0.5 + 0.02 - 0.15
                change("b", 1, 500_000, 500_000, ChangeReason.IN_RANGE),
                change("c", 1, 500_000, 500_000, ChangeReason.IN_RANGE),
                change("d", 1, 300_000, 160_000, ChangeReason.ABSENT, ChangeReason.MISBEHAVED, ChangeReason.BANNED),
                // 0.5 - 0.2 * 0.95 - 0.15 = 0.16 < 0.2
                change("x", 1, 500_000, 350_000, ChangeReason.MISBEHAVED)), changes); // 0.5 - 0.15
        assertEquals(new NodeReputation(370_000, false, -1, 1, 1, 0, 1), l.entries().get("a"));
        assertEquals(new NodeReputation(160_000, true, 1, 2, 0, 0, 1), l.entries().get("d"));
        assertEquals(new NodeReputation(350_000, false, -1, 1, 0, 0, 1), l.entries().get("x"));
    }

    @Test
    void anAbsentNodeOnlyDecaysAndANodeNotNamedIsUntouched() {
        ReputationLedger l = ReputationLedger.restore(DEFAULTS, Map.of(
                "p", new NodeReputation(300_000, false, -1, 3, 0, 3, 0),
                "q", new NodeReputation(700_000, false, -1, 3, 3, 0, 0)), 2);
        List<ReputationChange> changes = l.apply(new RoundEvidence(3, List.of(), NO_SCORES, NONE, Set.of(), Set.of("p")));
        assertEquals(List.of(change("p", 3, 300_000, 310_000, ChangeReason.ABSENT)), changes); // 0.5 - 0.2 * 0.95
        assertEquals(new NodeReputation(700_000, false, -1, 3, 3, 0, 0), l.entries().get("q"));
    }

    @Test
    void theScoreIsClampedToItsRangeAndBanBelowZeroNeverBans() {
        ReputationSettings harsh = new ReputationSettings(true, 1_000_000, 1_000_000, 1_000_000, 0, 0, 500_000, 4_000_000,
                800_000);
        ReputationLedger l = new ReputationLedger(harsh);
        List<ReputationChange> changes = l.apply(krum(0, FIVE, FIVE_SCORES, new int[] {0}));
        assertEquals(change("a", 0, 500_000, 1_000_000, ChangeReason.SELECTED), changes.get(0)); // 1.5 -> 1
        assertEquals(change("e", 0, 500_000, 0, ChangeReason.FAR_OUTSIDE), changes.get(4)); // -0.5 -> 0
        assertFalse(l.isBanned("e"), "0 is not below ban-below 0");
        assertEquals(800_000, l.influence("a"));
        assertEquals(0, l.influence("e"));
        l.apply(krum(1, FIVE, FIVE_SCORES, new int[] {0}));
        assertEquals(1_000_000, l.score("a"));
        assertEquals(0, l.score("e"));
    }

    @Test
    void influenceIsTheCappedCubeOfTheScore() {
        ReputationLedger l = ReputationLedger.restore(DEFAULTS, Map.of(
                "one", new NodeReputation(1_000_000, false, -1, 1, 1, 0, 0),
                "nine", new NodeReputation(900_000, false, -1, 1, 1, 0, 0),
                "low", new NodeReputation(9_999, false, -1, 1, 0, 1, 0)), 1);
        assertEquals(800_000, l.influence("one")); // min(1, 0.8)
        assertEquals(729_000, l.influence("nine")); // 0.9^3
        assertEquals(0, l.influence("low")); // 0.009999^3 = 0.00000099970... -> 0
    }

    @Test
    void roundsAreAppliedOnceInIncreasingOrder() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        l.apply(krum(5, FIVE, FIVE_SCORES, new int[] {0}));
        SortedMap<String, NodeReputation> before = l.entries();
        assertEquals("round 5 is not after the last applied round 5; rounds are applied once, in increasing order",
                assertThrows(ReputationException.class, () -> l.apply(krum(5, FIVE, FIVE_SCORES, new int[] {0}))).getMessage());
        assertThrows(ReputationException.class, () -> l.apply(krum(4, FIVE, FIVE_SCORES, new int[] {0})));
        assertEquals(before, l.entries());
        l.apply(krum(7, FIVE, FIVE_SCORES, new int[] {0}));
        assertEquals(7, l.lastRound());
    }

    @Test
    void entriesAreAnImmutableSnapshotInCanonicalOrder() {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        l.apply(new RoundEvidence(0, List.of("b", "\uffff", "\ud83d\ude00"), NO_SCORES, NONE, Set.of(), Set.of("a")));
        SortedMap<String, NodeReputation> snap = l.entries();
        assertEquals(List.of("a", "b", "\uffff", "\ud83d\ude00"), List.copyOf(snap.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> snap.put("z", NodeReputation.NEW));
        l.apply(new RoundEvidence(1, List.of(), NO_SCORES, NONE, Set.of(), Set.of("z")));
        assertFalse(snap.containsKey("z"), "a snapshot does not change");
        assertTrue(l.entries().containsKey("z"));
    }

    @Test
    void restoreRoundTripsAndContinuesIdentically() {
        ReputationLedger a = new ReputationLedger(DEFAULTS);
        List<RoundEvidence> rounds = randomRounds(new SplittableRandom(99), 60);
        for (RoundEvidence e : rounds.subList(0, 30)) {
            a.apply(e);
        }
        ReputationLedger b = ReputationLedger.restore(DEFAULTS, new HashMap<>(a.entries()), a.lastRound());
        assertEquals(a.entries(), b.entries());
        assertEquals(a.lastRound(), b.lastRound());
        for (RoundEvidence e : rounds.subList(30, 60)) {
            assertEquals(a.apply(e), b.apply(e));
        }
        assertEquals(a.entries(), b.entries());
    }

    @Test
    void restoreRefusesInvalidState() {
        NodeReputation ok = new NodeReputation(400_000, false, -1, 2, 1, 1, 0);
        assertEquals("last round must be >= -1 (-1: none applied), got -2",
                assertThrows(ReputationException.class, () -> ReputationLedger.restore(DEFAULTS, Map.of("a", ok), -2)).getMessage());
        assertTrue(assertThrows(ReputationException.class, () -> ReputationLedger.restore(DEFAULTS, Map.of("", ok), 3))
                .getMessage().startsWith("restored node \"\" is not a valid node id"));
        Map<String, NodeReputation> nullEntry = new HashMap<>();
        nullEntry.put("a", null);
        assertEquals("restored node \"a\" has no entry",
                assertThrows(ReputationException.class, () -> ReputationLedger.restore(DEFAULTS, nullEntry, 3)).getMessage());
        assertEquals("restored node \"a\" was banned in round 9, after the last applied round 3",
                assertThrows(ReputationException.class, () -> ReputationLedger.restore(DEFAULTS,
                        Map.of("a", new NodeReputation(0, true, 9, 9, 0, 9, 0)), 3)).getMessage());
        assertThrows(ReputationException.class, () -> ReputationLedger.restore(null, Map.of(), -1));
    }

    @Test
    void aNodeRecordRefusesBrokenInvariants() {
        assertEquals("score -1 ppm is outside [0, 1000000]",
                assertThrows(ReputationException.class, () -> new NodeReputation(-1, false, -1, 0, 0, 0, 0)).getMessage());
        assertEquals("score 1000001 ppm is outside [0, 1000000]",
                assertThrows(ReputationException.class, () -> new NodeReputation(1_000_001, false, -1, 0, 0, 0, 0)).getMessage());
        assertEquals("banned but bannedSinceRound is -1; a ban needs its round (>= 0)",
                assertThrows(ReputationException.class, () -> new NodeReputation(0, true, -1, 0, 0, 0, 0)).getMessage());
        assertEquals("not banned but bannedSinceRound is 3; expected -1",
                assertThrows(ReputationException.class, () -> new NodeReputation(0, false, 3, 0, 0, 0, 0)).getMessage());
        assertTrue(assertThrows(ReputationException.class, () -> new NodeReputation(0, false, -1, -1, 0, 0, 0))
                .getMessage().startsWith("negative counter"));
        assertTrue(assertThrows(ReputationException.class, () -> new NodeReputation(0, false, -1, 2, 2, 1, 0))
                .getMessage().startsWith("counters exceed rounds seen 2"));
        assertThrows(ReputationException.class, () -> new NodeReputation(0, false, -1, 2, 0, 0, 3));
        assertThrows(ReputationException.class, () -> new NodeReputation(0, false, -1, 2, 0, 3, 0));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void theRuleIsScaleFree(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ReputationLedger plain = new ReputationLedger(DEFAULTS);
        ReputationLedger scaled = new ReputationLedger(DEFAULTS);
        for (int round = 0; round < 40; round++) {
            RoundEvidence e = randomRound(r, round);
            long c = 1 + r.nextLong(1L << 20);
            long[] s = e.krumScores();
            for (int k = 0; k < s.length; k++) {
                s[k] = Math.multiplyExact(s[k], c); // scores below 2^40, no saturation
            }
            RoundEvidence times = new RoundEvidence(round, e.acceptedIds(), s, e.selected(), e.misbehaved(), e.absent());
            assertEquals(plain.apply(e), scaled.apply(times), "round " + round + " scaled by " + c);
        }
        assertEquals(plain.entries(), scaled.entries());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 6, 7})
    void deviationsAreScaleFreeToo(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ReputationLedger plain = new ReputationLedger(DEFAULTS);
        ReputationLedger scaled = new ReputationLedger(DEFAULTS);
        for (int round = 0; round < 40; round++) {
            RoundEvidence e = randomRound(r, round);
            long c = 1 + r.nextLong(1L << 20);
            long[] d = e.krumScores();
            long[] times = new long[d.length];
            for (int k = 0; k < d.length; k++) {
                times[k] = Math.multiplyExact(d[k], c);
            }
            RoundEvidence a = new RoundEvidence(round, e.acceptedIds(), NO_SCORES, d, e.selected(), e.misbehaved(), e.absent());
            RoundEvidence b = new RoundEvidence(round, e.acceptedIds(), NO_SCORES, times, e.selected(), e.misbehaved(), e.absent());
            assertEquals(plain.apply(a), scaled.apply(b), "round " + round + " scaled by " + c);
        }
        assertEquals(plain.entries(), scaled.entries());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14})
    void twoLedgersFedTheSameRoundsAgreeWhateverTheOrderOfTheSetsAndTheThread(long seed) throws Exception {
        List<RoundEvidence> rounds = randomRounds(new SplittableRandom(seed), 80);
        ReputationLedger here = new ReputationLedger(DEFAULTS);
        List<List<ReputationChange>> hereChanges = new ArrayList<>();
        for (RoundEvidence e : rounds) {
            hereChanges.add(here.apply(rebuilt(e, false)));
        }
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<ReputationLedger> there = pool.submit(() -> {
                ReputationLedger l = new ReputationLedger(ReputationSettings.parse(DEFAULTS.toCanonicalString()));
                for (int i = 0; i < rounds.size(); i++) {
                    assertEquals(hereChanges.get(i), l.apply(rebuilt(rounds.get(i), true)), "round " + i);
                }
                return l;
            });
            assertEquals(here.entries(), there.get().entries());
            assertEquals(List.copyOf(here.entries().entrySet()), List.copyOf(there.get().entries().entrySet()));
        } finally {
            pool.shutdownNow();
        }
    }

    /** The same evidence with its sets rebuilt as HashSets or LinkedHashSets filled in another order. */
    private static RoundEvidence rebuilt(RoundEvidence e, boolean reversed) {
        return new RoundEvidence(e.round(), e.acceptedIds(), e.krumScores(), e.selected(), reorder(e.misbehaved(), reversed),
                reorder(e.absent(), reversed));
    }

    private static Collection<String> reorder(Collection<String> ids, boolean reversed) {
        List<String> l = new ArrayList<>(ids);
        if (reversed) {
            Collections.reverse(l);
            return new LinkedHashSet<>(l);
        }
        Collections.shuffle(l, new Random(l.size()));
        Set<String> s = new HashSet<>(4);
        s.addAll(l);
        return s;
    }

    @Test
    void isBannedIsSafeToAskWhileRoundsAreApplied() throws Exception {
        ReputationLedger l = new ReputationLedger(DEFAULTS);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> reader = pool.submit(() -> {
                boolean seenBanned = false;
                int reads = 0;
                while (!stop.get()) {
                    boolean b = l.isBanned("e");
                    if (seenBanned && !b) {
                        throw new AssertionError("a ban disappeared without an unban");
                    }
                    seenBanned |= b;
                    reads++;
                }
                return reads;
            });
            for (int r = 0; r < 200; r++) {
                l.apply(krum(r, FIVE, FIVE_SCORES, new int[] {0}));
            }
            stop.set(true);
            assertTrue(reader.get() > 0);
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        assertTrue(l.isBanned("e"));
    }

    private static List<RoundEvidence> randomRounds(SplittableRandom r, int count) {
        List<RoundEvidence> out = new ArrayList<>();
        for (int round = 0; round < count; round++) {
            out.add(randomRound(r, round * 2L + 1));
        }
        return out;
    }

    /** Nodes n0..n9 (canonical order is the digit order); some accepted, some absent, some misbehaving. */
    private static RoundEvidence randomRound(SplittableRandom r, long round) {
        List<String> accepted = new ArrayList<>();
        Set<String> absent = new HashSet<>();
        Set<String> misbehaved = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            String id = "n" + i;
            int what = r.nextInt(10);
            if (what < 7) {
                accepted.add(id);
            } else if (what < 9) {
                absent.add(id);
            }
            if (r.nextInt(8) == 0) {
                misbehaved.add(id);
            }
        }
        boolean measured = r.nextInt(5) != 0 && !accepted.isEmpty();
        long[] scores = new long[measured ? accepted.size() : 0];
        for (int k = 0; k < scores.length; k++) {
            // mostly similar scores, a few far ones (some nodes are far more often than others)
            scores[k] = 1_000 + r.nextLong(1_000) + (r.nextInt(4) == 0 || accepted.get(k).equals("n3") ? r.nextLong(1L << 39) : 0);
        }
        int m = accepted.isEmpty() ? 0 : 1 + r.nextInt(Math.max(1, accepted.size() / 3));
        List<Integer> idx = new ArrayList<>();
        for (int k = 0; k < accepted.size(); k++) {
            idx.add(k);
        }
        Collections.shuffle(idx, new Random(r.nextLong()));
        int[] selected = idx.subList(0, m).stream().mapToInt(Integer::intValue).toArray();
        return new RoundEvidence(round, accepted, scores, selected, misbehaved, absent);
    }
}
