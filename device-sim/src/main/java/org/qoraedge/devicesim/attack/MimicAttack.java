package org.qoraedge.devicesim.attack;

import java.util.List;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.random.SplitMix64;

/**
 * Every colluder publishes the block of one honest node, the victim, bit for bit (Karimireddy, He,
 * Jaggi 2022, "Byzantine-robust learning on heterogeneous datasets via bucketing"). The victim is
 * the same in every round and for every colluder: a named id, or (default) the honest id at index
 * {@code SplitMix64(derive(runSeed, MIMIC_STREAM)).nextInt(H)} of the {@code H} honest ids in
 * canonical order, which depends only on the run seed and the honest set.
 */
final class MimicAttack implements ModelAttack {
    static final String FROM_SEED = "seed";
    private static final long MIMIC_STREAM = 0x4D494D4943L; // "MIMIC"

    private final String victim; // FROM_SEED or a node id

    MimicAttack(String victim) {
        if (victim.isEmpty()) {
            throw new AttackException("mimic: victim must be 'seed' or a node id, got an empty value");
        }
        this.victim = victim.equalsIgnoreCase(FROM_SEED) ? FROM_SEED : victim;
    }

    @Override
    public AttackKind kind() {
        return AttackKind.MIMIC;
    }

    @Override
    public String spec() {
        return "mimic:victim=" + victim;
    }

    @Override
    public boolean needsOwnUpdate() {
        return false;
    }

    /**
     * The victim's index among {@code v}'s honest ids (canonical order).
     *
     * @throws AttackException if a named victim is not an honest node of the round
     */
    int victimIndex(OmniscientView v, long runSeed) {
        List<String> honest = v.honestIds();
        if (victim.equals(FROM_SEED)) {
            return new SplitMix64(SplitMix64.derive(runSeed, MIMIC_STREAM)).nextInt(honest.size());
        }
        int k = honest.indexOf(victim);
        if (k < 0) {
            throw new AttackException("mimic: victim " + victim + " is not an honest node of this round; honest: " + honest);
        }
        return k;
    }

    @Override
    public Bfp16Block craft(AttackContext ctx) {
        OmniscientView v = ctx.view();
        return v.honestBlock(victimIndex(v, ctx.runSeed()));
    }

    @Override
    public String toString() {
        return spec();
    }
}
