package org.qoraedge.devicesim.attack;

/** Publishes {@code -delta}: exact in float32 and in BFP-16 (mantissas negate exactly). */
final class SignFlipAttack extends UpdateAttack {
    @Override
    public AttackKind kind() {
        return AttackKind.SIGN_FLIP;
    }

    @Override
    public String spec() {
        return "sign-flip";
    }

    @Override
    public boolean needsOwnUpdate() {
        return true;
    }

    @Override
    public float[] craftUpdate(AttackContext ctx) {
        float[] u = ctx.ownUpdate();
        for (int i = 0; i < u.length; i++) {
            u[i] = -u[i];
        }
        return u;
    }
}
