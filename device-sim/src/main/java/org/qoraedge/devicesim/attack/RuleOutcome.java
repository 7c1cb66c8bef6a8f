package org.qoraedge.devicesim.attack;

import java.util.Arrays;
import java.util.Objects;
import org.qoraedge.fixedpoint.Bfp16Block;

/**
 * What a {@link ServerRule} did with a round's blocks: the aggregate, and which inputs (indices
 * into the canonical order the rule was given) it used, in the order the rule reports them (Krum
 * and Multi-Krum: best score first; the mean: ascending).
 *
 * <p>"Used" means the input's values entered the aggregate: every input for the mean, the selection
 * for Krum and Multi-Krum, and for a rule that weighs values without selecting (a median, a trimmed
 * mean, centered clipping) every input that reached it, that is, that no screen dropped. Immutable;
 * arrays are copied in and out.
 */
public final class RuleOutcome {
    private final Bfp16Block aggregate;
    private final int[] used;
    private final boolean[] isUsed;

    private RuleOutcome(Bfp16Block aggregate, int[] used, int inputs) {
        this.aggregate = Objects.requireNonNull(aggregate, "aggregate");
        this.used = used;
        this.isUsed = new boolean[inputs];
        for (int k : used) {
            if (k < 0 || k >= inputs) {
                throw new AttackException("a rule outcome names input " + k + "; the round has inputs 0.." + (inputs - 1));
            }
            if (isUsed[k]) {
                throw new AttackException("a rule outcome names input " + k + " twice: " + Arrays.toString(used));
            }
            isUsed[k] = true;
        }
    }

    /**
     * @param aggregate the rule's aggregate block
     * @param used the indices of the inputs it used (copied), each in {@code [0, inputs)} once
     * @param inputs how many blocks the rule was given
     * @throws AttackException for an index out of range or repeated
     */
    public static RuleOutcome of(Bfp16Block aggregate, int[] used, int inputs) {
        return new RuleOutcome(aggregate, used.clone(), inputs);
    }

    /** An outcome that used every one of {@code inputs} blocks (the mean). */
    public static RuleOutcome usingAll(Bfp16Block aggregate, int inputs) {
        int[] all = new int[inputs];
        for (int k = 0; k < inputs; k++) {
            all[k] = k;
        }
        return new RuleOutcome(aggregate, all, inputs);
    }

    public Bfp16Block aggregate() {
        return aggregate;
    }

    /** How many blocks the rule was given. */
    public int inputs() {
        return isUsed.length;
    }

    /** The used inputs in the rule's order (a copy). */
    public int[] used() {
        return used.clone();
    }

    /** Whether input {@code k} entered the aggregate. */
    public boolean isUsed(int k) {
        return isUsed[k];
    }

    @Override
    public String toString() {
        return "RuleOutcome{used " + Arrays.toString(used) + " of " + isUsed.length + ", aggregate e="
                + aggregate.exponent() + "}";
    }
}
