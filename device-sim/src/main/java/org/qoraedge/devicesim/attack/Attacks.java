package org.qoraedge.devicesim.attack;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Builds model-level attacks from specs: {@code id} or {@code id:name=value,name=value}, e.g.
 * {@code sign-flip}, {@code scaling:lambda=-4}, {@code alie:z=1.5}, {@code ipm:epsilon=10},
 * {@code exponent-inflation:boost=6,spike=false}, {@code mimic:victim=node-07},
 * {@code alie-adaptive:max=3,steps=30}, {@code norm-matched:direction=negated-own}. Unspecified parameters take the defaults listed
 * in {@link AttackKind#parameters()}.
 */
public final class Attacks {
    private Attacks() {
    }

    /**
     * @throws AttackException for an unknown id, an unknown or malformed parameter, a value out of
     *     range, or a protocol-level attack (which only the MQTT fleet can carry out)
     */
    public static ModelAttack create(String spec) {
        String s = spec.trim();
        int colon = s.indexOf(':');
        AttackKind kind = AttackKind.byId(colon < 0 ? s : s.substring(0, colon));
        if (kind.level() != AttackLevel.MODEL) {
            throw new AttackException("'" + kind.id() + "' is a protocol-level attack: the MQTT fleet carries it out"
                    + " against a gateway; the in-process simulator runs model-level attacks only ("
                    + String.join(", ", AttackCatalogue.modelLevelIds()) + ")");
        }
        Map<String, String> p = parameters(kind, colon < 0 ? "" : s.substring(colon + 1));
        switch (kind) {
            case SIGN_FLIP:
                return new SignFlipAttack();
            case SCALING:
                return new ScalingAttack(number(kind, "lambda", p.get("lambda")));
            case GAUSSIAN_NOISE:
                return new GaussianNoiseAttack(number(kind, "sigma", p.get("sigma")));
            case LABEL_FLIP:
                return new LabelFlipAttack(p.get("mapping").toLowerCase(Locale.ROOT));
            case ALIE:
                String z = p.get("z");
                return new AlieAttack(z.equalsIgnoreCase("paper") ? null : number(kind, "z", z));
            case IPM:
                return new IpmAttack(number(kind, "epsilon", p.get("epsilon")));
            case EXPONENT_INFLATION:
                String c = p.get("coordinate");
                return new ExponentInflationAttack((int) integer(kind, "boost", p.get("boost")),
                        number(kind, "epsilon", p.get("epsilon")), bool(kind, "spike", p.get("spike")),
                        c.equalsIgnoreCase("last") ? -1 : (int) integer(kind, "coordinate", c));
            case ZERO:
                return new ZeroAttack();
            case MIMIC:
                return new MimicAttack(p.get("victim"));
            case ALIE_ADAPTIVE:
                return new AdaptiveScaleAttack(AdaptiveScaleAttack.Mode.ALIE, number(kind, "max", p.get("max")),
                        (int) integer(kind, "steps", p.get("steps")),
                        AdaptiveScaleAttack.Criterion.of(kind.id(), p.get("criterion")));
            case IPM_ADAPTIVE:
                return new AdaptiveScaleAttack(AdaptiveScaleAttack.Mode.IPM, number(kind, "max", p.get("max")),
                        (int) integer(kind, "steps", p.get("steps")),
                        AdaptiveScaleAttack.Criterion.of(kind.id(), p.get("criterion")));
            case NORM_MATCHED:
                return new NormMatchedAttack(NormMatchedAttack.Direction.of(p.get("direction")));
            default:
                throw new AttackException("no model-level implementation for " + kind.id());
        }
    }

    /**
     * ALIE's {@code z_max} (Baruch et al. 2019, section 3.2): {@code s = floor(n / 2 + 1) - f}
     * honest nodes must be "won over"; {@code z = PhiInverse((n - s) / n)}.
     *
     * @throws AttackException if {@code s < 1} or {@code s >= n} (the formula gives no finite z;
     *     give z explicitly)
     */
    public static double alieZ(int n, int f) {
        if (n < 1 || f < 0 || f > n) {
            throw new AttackException("alie: need n >= 1 and 0 <= f <= n, got n = " + n + ", f = " + f);
        }
        int s = n / 2 + 1 - f;
        if (s < 1 || s >= n) {
            throw new AttackException("alie: s = floor(n / 2 + 1) - f = " + s + " for n = " + n + ", f = " + f
                    + "; the paper's z is undefined, give z explicitly (alie:z=...)");
        }
        return NormalQuantile.of((double) (n - s) / n);
    }

    static Map<String, String> parameters(AttackKind kind, String list) {
        Map<String, String> out = new LinkedHashMap<>();
        for (AttackParameter ap : kind.parameters()) {
            out.put(ap.name(), ap.defaultValue());
        }
        if (list.isBlank()) {
            return out;
        }
        for (String pair : list.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new AttackException(kind.id() + ": parameter '" + pair + "' is not name=value");
            }
            String name = pair.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!out.containsKey(name)) {
                throw new AttackException(kind.id() + ": unknown parameter '" + name + "'; known: "
                        + (out.isEmpty() ? "none" : String.join(", ", out.keySet())));
            }
            out.put(name, pair.substring(eq + 1).trim());
        }
        return out;
    }

    private static double number(AttackKind kind, String name, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new AttackException(kind.id() + ": " + name + " = '" + value + "' is not a number");
        }
    }

    private static long integer(AttackKind kind, String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new AttackException(kind.id() + ": " + name + " = '" + value + "' is not an integer");
        }
    }

    private static boolean bool(AttackKind kind, String name, String value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new AttackException(kind.id() + ": " + name + " = '" + value + "' is not true or false");
    }
}
