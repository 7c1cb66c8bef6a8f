package org.qoraedge.devicesim.attack;

/** Free rider: the all-zero update (encoded as exponent 0, every mantissa 0). */
final class ZeroAttack extends UpdateAttack {
    @Override
    public AttackKind kind() {
        return AttackKind.ZERO;
    }

    @Override
    public String spec() {
        return "zero";
    }

    @Override
    public boolean needsOwnUpdate() {
        return false;
    }

    @Override
    public float[] craftUpdate(AttackContext ctx) {
        return new float[ctx.dimension()];
    }
}
