package org.qoraedge.devicesim.attack;

/** Every colluder publishes {@code -epsilon * mean} of the honest updates. */
final class IpmAttack extends UpdateAttack {
    private final double epsilon;

    IpmAttack(double epsilon) {
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new AttackException("ipm: epsilon must be positive and finite, got " + epsilon);
        }
        this.epsilon = epsilon;
    }

    @Override
    public AttackKind kind() {
        return AttackKind.IPM;
    }

    @Override
    public String spec() {
        return "ipm:epsilon=" + epsilon;
    }

    @Override
    public boolean needsOwnUpdate() {
        return false;
    }

    @Override
    public float[] craftUpdate(AttackContext ctx) {
        return update(ctx.view(), epsilon);
    }

    /** {@code (float) (-epsilon * mean_i)} of the honest updates, per coordinate. */
    static float[] update(OmniscientView v, double epsilon) {
        float[] u = new float[v.dimension()];
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) (-epsilon * v.mean(i));
        }
        return u;
    }
}
