package org.qoraedge.gateway.reputation;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.StringJoiner;
import org.qoraedge.fixedpoint.NodeIds;

/**
 * One node's reputation before and after a round or an operator action. Immutable.
 *
 * @param node the node id
 * @param round the round applied, or the round the operator named for an unban
 * @param before the score before, ppm in [0, 1_000_000]
 * @param after the score after, ppm in [0, 1_000_000]
 * @param reasons why, in {@link ChangeReason} order; never empty
 */
public record ReputationChange(String node, long round, int before, int after, Set<ChangeReason> reasons) {

    public ReputationChange {
        if (reasons.isEmpty()) {
            throw new ReputationException("a reputation change of " + NodeIds.escape(node) + " needs a reason");
        }
        reasons = Collections.unmodifiableSet(EnumSet.copyOf(reasons));
    }

    /** Whether this change banned the node. */
    public boolean banned() {
        return reasons.contains(ChangeReason.BANNED);
    }

    /**
     * One line for logs and audit records:
     * {@code round 12 node-7 0.5 -> 0.42 far-outside}.
     */
    public String describe() {
        return "round " + round + " " + node + " " + Ppm.format(before) + " -> " + Ppm.format(after) + " " + reasonsText();
    }

    /** The reasons' wire names joined by commas, in {@link ChangeReason} order, e.g. {@code far-outside,banned}. */
    public String reasonsText() {
        StringJoiner r = new StringJoiner(",");
        for (ChangeReason x : reasons) {
            r.add(x.wireName());
        }
        return r.toString();
    }
}
