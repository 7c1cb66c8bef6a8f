package org.qoraedge.gateway.reputation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.aggregation.AggregationResult;
import org.qoraedge.gateway.protocol.RejectReason;

class RoundEvidenceTest {
    private static final long[] NO_SCORES = {};
    private static final int[] NONE = {};

    private static String refusal(Runnable r) {
        return assertThrows(ReputationException.class, r::run).getMessage();
    }

    @Test
    void copiesArraysInAndOutAndHoldsSetsInCanonicalOrder() {
        long[] scores = {5, 6, 7};
        int[] selected = {2, 0};
        RoundEvidence e = new RoundEvidence(3, List.of("a", "b", "c"), scores, selected,
                new HashSet<>(List.of("\ud83d\ude00", "\uffff", "z")), Set.of("q", "p"));
        scores[0] = 99;
        selected[0] = 1;
        assertArrayEquals(new long[] {5, 6, 7}, e.krumScores());
        assertArrayEquals(new int[] {2, 0}, e.selected());
        e.krumScores()[1] = 42;
        assertArrayEquals(new long[] {5, 6, 7}, e.krumScores());
        assertEquals(List.of("z", "\uffff", "\ud83d\ude00"), List.copyOf(e.misbehaved()));
        assertEquals(List.of("p", "q"), List.copyOf(e.absent()));
        assertThrows(UnsupportedOperationException.class, () -> e.absent().add("r"));
        assertTrue(e.measured());
        assertFalse(new RoundEvidence(3, List.of("a"), NO_SCORES, NONE, Set.of(), Set.of()).measured());
    }

    @Test
    void acceptsAnEmptyRound() {
        RoundEvidence e = new RoundEvidence(0, List.of(), NO_SCORES, NONE, Set.of(), Set.of("a"));
        assertEquals(List.of(), e.acceptedIds());
    }

    @Test
    void refusesInconsistentInput() {
        assertEquals("round must be >= 0, got -1", refusal(() -> new RoundEvidence(-1, List.of(), NO_SCORES, NONE, Set.of(), Set.of())));
        assertEquals("round 4: accepted node ids are not in canonical order (strictly increasing UTF-8 bytes): \"b\" at index 0,"
                + " then \"a\" at index 1",
                refusal(() -> new RoundEvidence(4, List.of("b", "a"), NO_SCORES, NONE, Set.of(), Set.of())));
        assertTrue(refusal(() -> new RoundEvidence(4, List.of("a", "a"), NO_SCORES, NONE, Set.of(), Set.of()))
                .contains("not in canonical order"));
        // String.compareTo would put the surrogate pair first; canonical order puts U+FFFF first
        new RoundEvidence(4, List.of("\uffff", "\ud83d\ude00"), NO_SCORES, NONE, Set.of(), Set.of());
        assertTrue(refusal(() -> new RoundEvidence(4, List.of("\ud83d\ude00", "\uffff"), NO_SCORES, NONE, Set.of(), Set.of()))
                .contains("not in canonical order"));
        assertEquals("round 4 has 2 Krum scores for 3 accepted nodes; expected 3 or none",
                refusal(() -> new RoundEvidence(4, List.of("a", "b", "c"), new long[] {1, 2}, NONE, Set.of(), Set.of())));
        assertEquals("round 4: Krum score of \"b\" (index 1) is negative: -5",
                refusal(() -> new RoundEvidence(4, List.of("a", "b"), new long[] {1, -5}, NONE, Set.of(), Set.of())));
        assertEquals("round 4: selected index 2 is outside [0, 2)",
                refusal(() -> new RoundEvidence(4, List.of("a", "b"), new long[] {1, 5}, new int[] {2}, Set.of(), Set.of())));
        assertEquals("round 4: selected index -1 is outside [0, 2)",
                refusal(() -> new RoundEvidence(4, List.of("a", "b"), NO_SCORES, new int[] {-1}, Set.of(), Set.of())));
        assertEquals("round 4: selected index 1 appears twice",
                refusal(() -> new RoundEvidence(4, List.of("a", "b"), new long[] {1, 5}, new int[] {1, 1}, Set.of(), Set.of())));
        assertEquals("round 4: node \"b\" is both absent and accepted",
                refusal(() -> new RoundEvidence(4, List.of("a", "b"), new long[] {1, 5}, new int[] {0}, Set.of(), Set.of("b"))));
    }

    @Test
    void refusesInvalidNodeIdsWhereverTheyAppear() {
        assertTrue(refusal(() -> new RoundEvidence(1, List.of(""), NO_SCORES, NONE, Set.of(), Set.of()))
                .startsWith("round 1: accepted node at index 0 \"\" is not a valid node id: node id is empty"));
        assertTrue(refusal(() -> new RoundEvidence(1, List.of(), NO_SCORES, NONE, Set.of("a\u0001"), Set.of()))
                .startsWith("round 1: misbehaving node \"a\\u0001\" is not a valid node id"));
        assertTrue(refusal(() -> new RoundEvidence(1, List.of(), NO_SCORES, NONE, Set.of(), Set.of("x\ud800")))
                .startsWith("round 1: absent node \"x\\ud800\" is not a valid node id"));
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        assertEquals("round 1: absent node is null", refusal(() -> new RoundEvidence(1, List.of(), NO_SCORES, NONE, Set.of(), withNull)));
    }

    @Test
    void takesIdsScoresAndSelectionFromAnAggregationResult() {
        Bfp16Block block = Bfp16Block.of(0, new short[] {1});
        AggregationResult krum = new AggregationResult(new String[] {"a", "b", "c"}, new long[] {4, 3, 9}, new int[] {1, 0, 2},
                new int[] {1}, 0, block);
        RoundEvidence e = RoundEvidence.of(8, krum, Set.of("z"), Set.of("y"));
        assertEquals(8, e.round());
        assertEquals(List.of("a", "b", "c"), e.acceptedIds());
        assertArrayEquals(new long[] {4, 3, 9}, e.krumScores());
        assertArrayEquals(new int[] {1}, e.selected());
        AggregationResult mean = new AggregationResult(new String[] {"a", "b"}, new long[0], new int[0], new int[] {0, 1}, 0, block);
        assertFalse(RoundEvidence.of(8, mean, Set.of(), Set.of()).measured());
    }

    @ParameterizedTest
    @EnumSource(RejectReason.class)
    void onlyViolationsThatNeedTheNodesKeyNowCountAsMisbehaviour(RejectReason reason) {
        boolean expected = EnumSet.of(RejectReason.WRONG_DIMENSION, RejectReason.WRONG_MODEL, RejectReason.INVALID_BLOCK,
                RejectReason.TOO_DENSE)
                .contains(reason);
        assertEquals(expected, RoundEvidence.countsAsMisbehaviour(reason), reason.wireName());
    }
}
