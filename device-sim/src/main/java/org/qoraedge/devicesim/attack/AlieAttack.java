package org.qoraedge.devicesim.attack;

/** Every colluder publishes {@code mean + z * std} of the honest updates, per coordinate. */
final class AlieAttack extends UpdateAttack {
    private final Double z; // null: the paper's z_max from n and f

    AlieAttack(Double z) {
        if (z != null && !Double.isFinite(z)) {
            throw new AttackException("alie: z must be finite, got " + z);
        }
        this.z = z;
    }

    @Override
    public AttackKind kind() {
        return AttackKind.ALIE;
    }

    @Override
    public String spec() {
        return "alie:z=" + (z == null ? "paper" : z.toString());
    }

    @Override
    public boolean needsOwnUpdate() {
        return false;
    }

    /** The z this attack uses in a round with {@code n} nodes of which {@code f} collude. */
    double z(int n, int f) {
        return z != null ? z : Attacks.alieZ(n, f);
    }

    @Override
    public float[] craftUpdate(AttackContext ctx) {
        OmniscientView v = ctx.view();
        return update(v, z(v.totalNodes(), v.byzantineCount()));
    }

    /** {@code (float) (mean_i + z * std_i)} of the honest updates, per coordinate. */
    static float[] update(OmniscientView v, double z) {
        float[] u = new float[v.dimension()];
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) (v.mean(i) + z * v.std(i));
        }
        return u;
    }
}
