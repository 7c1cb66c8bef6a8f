package org.qoraedge.devicesim.sim;

import java.util.List;
import java.util.Locale;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.attack.Attacks;
import org.qoraedge.devicesim.data.Partition;
import org.qoraedge.devicesim.train.TrainingConfig;

/**
 * One simulated run: the fleet, who is Byzantine and how they attack, the aggregation rule, the
 * training, and the seed everything derives from. Build with {@link #builder()}.
 *
 * @param dataset the dataset's name, as {@link org.qoraedge.devicesim.data.Datasets} knows it
 * @param model the model spec ({@link org.qoraedge.devicesim.model.Models#create})
 * @param nodes fleet size {@code n}
 * @param byzantine how many nodes are Byzantine; also Krum's {@code f} unless {@code krumF} is set
 * @param byzantineIds the Byzantine nodes' ids; empty: {@code byzantine} ids drawn from the seed
 * @param attack the attack spec ({@link Attacks#create}), or {@code none}: then the chosen nodes
 *     behave honestly (the attack-free baseline with the same declared f)
 * @param krumF the {@code f} given to Krum and Multi-Krum; -1 means {@code byzantine}
 * @param threads threads that train nodes in parallel within a round (results do not depend on it)
 * @param density the fraction of coordinates honest nodes send (top-k with error feedback, as
 *     {@code NodeClient}'s sparse mode); 1 sends dense updates
 * @param byzantineDensity the fraction of their crafted block's coordinates Byzantine nodes send
 *     (top-k by magnitude, no error feedback); 1 sends the whole block
 * @param dpClip local differential privacy on honest nodes: the L2 norm each update is clipped to,
 *     0 for none
 * @param dpSigma the noise multiplier: Gaussian noise of standard deviation {@code dpSigma * dpClip}
 *     is added after clipping (with {@code dpClip > 0} only)
 */
public record SimConfig(String dataset, String model, int nodes, int byzantine, List<String> byzantineIds,
        String attack, AggregatorSpec aggregator, int krumF, int rounds, TrainingConfig training,
        Partition partition, long seed, int threads, double density, double byzantineDensity, double dpClip, double dpSigma) {
    public static final String NO_ATTACK = "none";

    /**
     * @throws InvalidConfigException for a count out of range or an id list of the wrong length
     * @throws org.qoraedge.devicesim.attack.AttackException for an attack spec {@link Attacks#create} refuses
     */
    public SimConfig {
        if (nodes < 1) {
            throw new InvalidConfigException("nodes must be >= 1, got " + nodes);
        }
        if (byzantine < 0 || byzantine >= nodes) {
            throw new InvalidConfigException("byzantine must be in [0, " + nodes + "), got " + byzantine);
        }
        byzantineIds = List.copyOf(byzantineIds);
        if (!byzantineIds.isEmpty() && byzantineIds.size() != byzantine) {
            throw new InvalidConfigException(byzantineIds.size() + " Byzantine ids given for byzantine = " + byzantine);
        }
        if (rounds < 1) {
            throw new InvalidConfigException("rounds must be >= 1, got " + rounds);
        }
        if (krumF < -1) {
            throw new InvalidConfigException("krumF must be >= 0 (or -1 for the Byzantine count), got " + krumF);
        }
        if (threads < 1) {
            throw new InvalidConfigException("threads must be >= 1, got " + threads);
        }
        if (!(density > 0 && density <= 1)) {
            throw new InvalidConfigException("density must be in (0, 1], got " + density);
        }
        if (!(byzantineDensity > 0 && byzantineDensity <= 1)) {
            throw new InvalidConfigException("the Byzantine density must be in (0, 1], got " + byzantineDensity);
        }
        if (!(dpClip >= 0 && dpClip < Double.POSITIVE_INFINITY)) {
            throw new InvalidConfigException("the DP clip norm must be finite and >= 0 (0: no DP), got " + dpClip);
        }
        if (!(dpSigma >= 0 && dpSigma < Double.POSITIVE_INFINITY) || (dpClip == 0 && dpSigma != 0)) {
            throw new InvalidConfigException("the DP noise multiplier must be finite, >= 0, and given with a clip norm; got "
                    + dpSigma + " with clip " + dpClip);
        }
        attack = attack.trim();
        if (!isAttackFree(attack)) {
            Attacks.create(attack); // refuse a bad spec now, not in round 1
        }
    }

    static boolean isAttackFree(String attack) {
        return attack.toLowerCase(Locale.ROOT).equals(NO_ATTACK);
    }

    /** True when no node attacks. */
    public boolean attackFree() {
        return isAttackFree(attack) || byzantine == 0;
    }

    /** The {@code f} Krum and Multi-Krum are given. */
    public int effectiveKrumF() {
        return krumF >= 0 ? krumF : byzantine;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder from this configuration. */
    public Builder toBuilder() {
        return new Builder().dataset(dataset).model(model).nodes(nodes).byzantine(byzantine).byzantineIds(byzantineIds)
                .attack(attack).aggregator(aggregator).krumF(krumF).rounds(rounds).training(training)
                .partition(partition).seed(seed).threads(threads).density(density).byzantineDensity(byzantineDensity)
                .dp(dpClip, dpSigma);
    }

    /** True when honest nodes clip (and noise) their updates. */
    public boolean localDp() {
        return dpClip > 0;
    }

    /** Defaults: synthetic data, logistic regression, 20 nodes, none Byzantine, mean, 30 rounds. */
    public static final class Builder {
        private String dataset = "synthetic";
        private String model = "logreg";
        private int nodes = 20;
        private int byzantine = 0;
        private List<String> byzantineIds = List.of();
        private String attack = NO_ATTACK;
        private AggregatorSpec aggregator = AggregatorSpec.MEAN;
        private int krumF = -1;
        private int rounds = 30;
        private TrainingConfig training = TrainingConfig.DEFAULT;
        private Partition partition = Partition.IID;
        private long seed = 1;
        private int threads = 1;
        private double density = 1;
        private double byzantineDensity = 1;
        private double dpClip;
        private double dpSigma;

        public Builder dataset(String v) {
            dataset = v;
            return this;
        }

        public Builder model(String v) {
            model = v;
            return this;
        }

        public Builder nodes(int v) {
            nodes = v;
            return this;
        }

        public Builder byzantine(int v) {
            byzantine = v;
            return this;
        }

        public Builder byzantineIds(List<String> v) {
            byzantineIds = v;
            return this;
        }

        public Builder attack(String v) {
            attack = v;
            return this;
        }

        public Builder aggregator(AggregatorSpec v) {
            aggregator = v;
            return this;
        }

        public Builder aggregator(String v) {
            aggregator = AggregatorSpec.parse(v);
            return this;
        }

        public Builder krumF(int v) {
            krumF = v;
            return this;
        }

        public Builder rounds(int v) {
            rounds = v;
            return this;
        }

        public Builder training(TrainingConfig v) {
            training = v;
            return this;
        }

        public Builder partition(Partition v) {
            partition = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder density(double v) {
            density = v;
            return this;
        }

        public Builder byzantineDensity(double v) {
            byzantineDensity = v;
            return this;
        }

        /** Local DP: clip to L2 norm {@code clip}, then Gaussian noise of standard deviation {@code sigma * clip}. */
        public Builder dp(double clip, double sigma) {
            dpClip = clip;
            dpSigma = sigma;
            return this;
        }

        public SimConfig build() {
            return new SimConfig(dataset, model, nodes, byzantine, byzantineIds, attack, aggregator, krumF, rounds,
                    training, partition, seed, threads, density, byzantineDensity, dpClip, dpSigma);
        }
    }
}
