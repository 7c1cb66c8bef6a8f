package org.qoraedge.devicesim.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;

class MimicAttackTest {
    static final int D = AttacksTest.D;

    static Bfp16Block craft(String spec, OmniscientView v, String node, int round, long runSeed) {
        return Attacks.create(spec).craft(AttackContext.of(node, round, D, null, v, 1000 + round, runSeed));
    }

    /** The update the view holds for {@code id}, encoded here the way an honest node publishes it. */
    static Bfp16Block published(OmniscientView v, String id) {
        return Bfp16.encode(v.honestUpdate(v.honestIds().indexOf(id)));
    }

    @Test
    void everyColluderPublishesTheVictimsBlockBitForBit() {
        OmniscientView v = AttacksTest.view();
        MimicAttack a = (MimicAttack) Attacks.create("mimic");
        String victim = v.honestIds().get(a.victimIndex(v, 7));
        Bfp16Block expected = published(v, victim);
        for (String node : v.byzantineIds()) {
            Bfp16Block b = craft("mimic", v, node, 3, 7);
            assertEquals(expected, b);
            assertEquals(expected.exponent(), b.exponent());
            assertArrayEquals(expected.mantissas(), b.mantissas());
        }
        assertFalse(a.needsOwnUpdate());
        assertTrue(a.kind().colluding());
        assertEquals("mimic:victim=seed", a.spec());
    }

    @Test
    void theVictimIsTheSameEveryRoundForARunSeedAndFollowsTheSeed() {
        OmniscientView v = AttacksTest.view();
        MimicAttack a = (MimicAttack) Attacks.create("mimic:victim=SEED");
        int victim = a.victimIndex(v, 7);
        for (int round = 1; round <= 5; round++) {
            assertEquals(craft("mimic", v, "node-01", 1, 7), craft("mimic", v, "node-06", round, 7), "round " + round);
        }
        // honest ids given in another order: the same victim (canonical order)
        List<String> ids = v.honestIds();
        String[] reversed = new String[ids.size()];
        float[][] ups = new float[ids.size()][];
        for (int k = 0; k < ids.size(); k++) {
            reversed[k] = ids.get(ids.size() - 1 - k);
            ups[k] = v.honestUpdate(ids.size() - 1 - k);
        }
        OmniscientView w = OmniscientView.of(reversed, ups, v.byzantineIds().toArray(new String[0]));
        assertEquals(ids.get(victim), w.honestIds().get(a.victimIndex(w, 7)));
        // other run seeds spread over the honest nodes
        Set<Integer> victims = new HashSet<>();
        for (long seed = 1; seed <= 40; seed++) {
            victims.add(a.victimIndex(v, seed));
        }
        assertTrue(victims.size() >= 8, "40 seeds picked only " + victims);
    }

    @Test
    void aNamedVictimMustBeHonest() {
        OmniscientView v = AttacksTest.view();
        assertEquals(published(v, "node-11"), craft("mimic:victim=node-11", v, "node-02", 1, 7));
        AttackException e = assertThrows(AttackException.class, () -> craft("mimic:victim=node-02", v, "node-02", 1, 7));
        assertTrue(e.getMessage().contains("victim node-02 is not an honest node"), e.getMessage());
        assertThrows(AttackException.class, () -> Attacks.create("mimic:victim="));
    }
}
