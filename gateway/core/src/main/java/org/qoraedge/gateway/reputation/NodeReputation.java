package org.qoraedge.gateway.reputation;

/**
 * One node's reputation record. Immutable. The counters count only rounds applied while the node
 * was not banned.
 *
 * @param score ppm in [0, 1_000_000]; 500_000 is neutral
 * @param banned whether the node is banned (until the operator lifts it)
 * @param bannedSinceRound the round that banned the node, or -1 when not banned
 * @param roundsSeen rounds that named the node (accepted, misbehaving or absent)
 * @param timesSelected rounds in which its update was selected
 * @param timesFar rounds in which its update was far outside
 * @param timesMisbehaved rounds in which it misbehaved
 */
public record NodeReputation(int score, boolean banned, long bannedSinceRound, long roundsSeen, long timesSelected,
        long timesFar, long timesMisbehaved) {

    /** A node never seen: neutral, not banned, no rounds. */
    public static final NodeReputation NEW = new NodeReputation(Ppm.NEUTRAL, false, -1, 0, 0, 0, 0);

    /**
     * @throws ReputationException for a score outside [0, 1_000_000], a ban round inconsistent with
     *         the flag (banned needs a round {@code >= 0}, not banned needs -1), a negative counter,
     *         or more selected plus far rounds, or misbehaving rounds, than rounds seen
     */
    public NodeReputation {
        if (score < 0 || score > Ppm.ONE) {
            throw new ReputationException("score " + score + " ppm is outside [0, 1000000]");
        }
        if (banned ? bannedSinceRound < 0 : bannedSinceRound != -1) {
            throw new ReputationException((banned ? "banned" : "not banned") + " but bannedSinceRound is " + bannedSinceRound
                    + (banned ? "; a ban needs its round (>= 0)" : "; expected -1"));
        }
        if (roundsSeen < 0 || timesSelected < 0 || timesFar < 0 || timesMisbehaved < 0) {
            throw new ReputationException("negative counter: roundsSeen " + roundsSeen + ", timesSelected " + timesSelected
                    + ", timesFar " + timesFar + ", timesMisbehaved " + timesMisbehaved);
        }
        if (timesSelected > roundsSeen - timesFar || timesMisbehaved > roundsSeen) {
            throw new ReputationException("counters exceed rounds seen " + roundsSeen + ": timesSelected " + timesSelected
                    + " + timesFar " + timesFar + " must be <= it, timesMisbehaved " + timesMisbehaved + " too");
        }
    }
}
