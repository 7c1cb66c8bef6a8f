package org.qoraedge.devicesim.attack;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A protocol-level attack with its parameters, parsed from a spec such as {@code flooding},
 * {@code flooding:frames=20} or {@code malformed-truncated:keep=40}. The MQTT fleet carries it out
 * ({@code org.qoraedge.devicesim.mqtt.ProtocolAttacker}); this class only parses and checks the
 * values, so a bad spec is refused before any broker or gateway starts.
 *
 * <p>Ranges: {@code stale-replay:age} >= 1; {@code wrong-signature:victim} {@code next},
 * {@code self} or a node id; {@code sybil:identities} in [1, 1000]; {@code malformed-truncated:keep}
 * {@code half} or a byte count >= 9 (shorter payloads are refused as bad magic or version, another
 * attack); {@code malformed-oversized:factor} > 1 and <= 64; {@code malformed-wrong-dimension:delta}
 * non-zero; {@code malformed-bad-version:version} in [0, 255] except 1; {@code flooding:frames} in
 * [1, 10000].
 *
 * @param kind a protocol-level kind
 * @param parameters every parameter of the kind, defaults filled in, in catalogue order
 */
public record ProtocolAttackSpec(AttackKind kind, Map<String, String> parameters) {
    public ProtocolAttackSpec {
        if (kind.level() != AttackLevel.PROTOCOL) {
            throw new AttackException("'" + kind.id() + "' is a model-level attack; --attack takes it, not --protocol-attack");
        }
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * @throws AttackException for an unknown or model-level id, an unknown parameter or a value out
     *     of its range
     */
    public static ProtocolAttackSpec parse(String spec) {
        String s = spec.trim();
        int colon = s.indexOf(':');
        AttackKind kind = AttackKind.byId(colon < 0 ? s : s.substring(0, colon));
        if (kind.level() != AttackLevel.PROTOCOL) {
            throw new AttackException("'" + kind.id() + "' is a model-level attack; protocol-level ones are "
                    + String.join(", ", ids()));
        }
        ProtocolAttackSpec p = new ProtocolAttackSpec(kind, Attacks.parameters(kind, colon < 0 ? "" : s.substring(colon + 1)));
        p.check();
        return p;
    }

    /**
     * Specs separated by {@code ;}: {@code none} (or empty) gives no attack, {@code all} every
     * protocol-level attack with its defaults. A kind may appear once.
     */
    public static List<ProtocolAttackSpec> parseList(String specs) {
        List<ProtocolAttackSpec> out = new ArrayList<>();
        Set<AttackKind> seen = new LinkedHashSet<>();
        for (String part : specs.split(";")) {
            String t = part.trim();
            if (t.isEmpty() || t.equalsIgnoreCase("none")) {
                continue;
            }
            List<ProtocolAttackSpec> add = new ArrayList<>();
            if (t.equalsIgnoreCase("all")) {
                for (AttackKind k : AttackCatalogue.ofLevel(AttackLevel.PROTOCOL)) {
                    add.add(parse(k.id()));
                }
            } else {
                add.add(parse(t));
            }
            for (ProtocolAttackSpec p : add) {
                if (!seen.add(p.kind())) {
                    throw new AttackException("protocol attack " + p.kind().id() + " is given twice in '" + specs + "'");
                }
                out.add(p);
            }
        }
        return List.copyOf(out);
    }

    /** The protocol-level ids, catalogue order. */
    public static List<String> ids() {
        return AttackCatalogue.ofLevel(AttackLevel.PROTOCOL).stream().map(AttackKind::id).toList();
    }

    /** The spec with every parameter, e.g. {@code flooding:frames=100}. */
    public String spec() {
        StringBuilder sb = new StringBuilder(kind.id());
        String sep = ":";
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
            sep = ",";
        }
        return sb.toString();
    }

    /** A parameter's value as written. */
    public String parameter(String name) {
        String v = parameters.get(name);
        if (v == null) {
            throw new AttackException(kind.id() + " has no parameter '" + name + "'; it has " + parameters.keySet());
        }
        return v;
    }

    /** An integer parameter (checked by {@link #parse}). */
    public int intParameter(String name) {
        return integer(name, parameter(name));
    }

    /** A number parameter (checked by {@link #parse}). */
    public double doubleParameter(String name) {
        return number(name, parameter(name));
    }

    private void check() {
        switch (kind) {
            case STALE_REPLAY:
                range("age", 1, Integer.MAX_VALUE);
                break;
            case WRONG_SIGNATURE: {
                String v = parameter("victim");
                if (v.isEmpty() || v.contains("/") || v.contains("+") || v.contains("#")) {
                    throw new AttackException(kind.id() + ": victim = '" + v + "' is not next, self or a node id");
                }
                break;
            }
            case SYBIL:
                range("identities", 1, 1000);
                break;
            case MALFORMED_TRUNCATED:
                if (!parameter("keep").toLowerCase(Locale.ROOT).equals("half")) {
                    range("keep", 9, Integer.MAX_VALUE);
                }
                break;
            case MALFORMED_OVERSIZED: {
                double f = doubleParameter("factor");
                if (!(f > 1 && f <= 64)) {
                    throw new AttackException(kind.id() + ": factor = " + parameter("factor") + " must be > 1 and <= 64");
                }
                break;
            }
            case MALFORMED_WRONG_DIMENSION:
                if (intParameter("delta") == 0) {
                    throw new AttackException(kind.id() + ": delta = 0 would publish the round's own dimension");
                }
                break;
            case MALFORMED_BAD_VERSION: {
                int v = range("version", 0, 255);
                if (v == 1) {
                    throw new AttackException(kind.id() + ": version = 1 is the version the gateway speaks");
                }
                break;
            }
            case FLOODING:
                range("frames", 1, 10_000);
                break;
            default:
                throw new AttackException("no protocol-level checks for " + kind.id());
        }
    }

    private int range(String name, int min, int max) {
        int v = intParameter(name);
        if (v < min || v > max) {
            throw new AttackException(kind.id() + ": " + name + " = " + v + " is outside [" + min + ", " + max + "]");
        }
        return v;
    }

    private int integer(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new AttackException(kind.id() + ": " + name + " = '" + value + "' is not an integer");
        }
    }

    private double number(String name, String value) {
        try {
            double d = Double.parseDouble(value);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new AttackException(kind.id() + ": " + name + " = '" + value + "' is not a finite number");
    }
}
