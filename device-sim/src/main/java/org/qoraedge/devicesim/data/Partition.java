package org.qoraedge.devicesim.data;

import java.util.Locale;
import org.qoraedge.devicesim.InvalidConfigException;

/**
 * How a training set is split between nodes: {@code iid}, or {@code dirichlet:ALPHA} (non-IID,
 * see {@link Sharding#dirichlet}).
 */
public record Partition(boolean iid, double alpha) {
    public static final Partition IID = new Partition(true, Double.NaN);

    /**
     * @throws InvalidConfigException for a non-IID partition whose alpha is not positive and finite
     */
    public Partition {
        if (!iid && (!(alpha > 0) || Double.isInfinite(alpha))) {
            throw new InvalidConfigException("Dirichlet alpha must be positive and finite, got " + alpha);
        }
    }

    public static Partition dirichlet(double alpha) {
        return new Partition(false, alpha);
    }

    /**
     * {@code iid}, {@code dirichlet:0.5} or {@code dirichlet=0.5}.
     *
     * @throws InvalidConfigException naming what is wrong
     */
    public static Partition parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("iid")) {
            return IID;
        }
        if (s.startsWith("dirichlet:") || s.startsWith("dirichlet=")) {
            String a = s.substring("dirichlet:".length());
            try {
                return dirichlet(Double.parseDouble(a));
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("partition " + spec + ": alpha '" + a + "' is not a number");
            }
        }
        throw new InvalidConfigException("unknown partition '" + spec + "'; use iid or dirichlet:ALPHA");
    }

    /**
     * The shards' sample indices into {@code train}, one array per shard; Dirichlet shards get at
     * least {@code minShardSize} samples each.
     */
    public int[][] split(Dataset train, int shards, long seed, int minShardSize) {
        return iid ? Sharding.iid(train.size(), shards, seed)
                : Sharding.dirichlet(train.labels(), train.numClasses(), shards, alpha, seed, minShardSize);
    }

    @Override
    public String toString() {
        return iid ? "iid" : "dirichlet:" + alpha;
    }
}
