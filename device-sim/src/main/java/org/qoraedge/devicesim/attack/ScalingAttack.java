package org.qoraedge.devicesim.attack;

/** Publishes {@code lambda * delta} (float32 products). */
final class ScalingAttack extends UpdateAttack {
    private final double lambda;

    ScalingAttack(double lambda) {
        if (!Double.isFinite(lambda)) {
            throw new AttackException("scaling: lambda must be finite, got " + lambda);
        }
        this.lambda = lambda;
    }

    @Override
    public AttackKind kind() {
        return AttackKind.SCALING;
    }

    @Override
    public String spec() {
        return "scaling:lambda=" + lambda;
    }

    @Override
    public boolean needsOwnUpdate() {
        return true;
    }

    @Override
    public float[] craftUpdate(AttackContext ctx) {
        float[] u = ctx.ownUpdate();
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) (lambda * u[i]);
        }
        return u;
    }
}
