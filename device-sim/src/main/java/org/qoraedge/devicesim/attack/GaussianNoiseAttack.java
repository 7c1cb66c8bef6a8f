package org.qoraedge.devicesim.attack;

import org.qoraedge.fixedpoint.random.SplitMix64;

/** Publishes independent {@code N(0, sigma^2)} coordinates drawn from the context's seed. */
final class GaussianNoiseAttack extends UpdateAttack {
    private final double sigma;

    GaussianNoiseAttack(double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma)) {
            throw new AttackException("gaussian: sigma must be positive and finite, got " + sigma);
        }
        this.sigma = sigma;
    }

    @Override
    public AttackKind kind() {
        return AttackKind.GAUSSIAN_NOISE;
    }

    @Override
    public String spec() {
        return "gaussian:sigma=" + sigma;
    }

    @Override
    public boolean needsOwnUpdate() {
        return false;
    }

    @Override
    public float[] craftUpdate(AttackContext ctx) {
        SplitMix64 rng = new SplitMix64(ctx.seed());
        float[] u = new float[ctx.dimension()];
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) (sigma * rng.nextGaussian());
        }
        return u;
    }
}
