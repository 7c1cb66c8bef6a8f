package org.qoraedge.devicesim.attack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The list of every attack, model-level and protocol-level, in a fixed order. */
public final class AttackCatalogue {
    private AttackCatalogue() {
    }

    /** Every catalogued attack, model-level first. */
    public static List<AttackKind> all() {
        return List.of(AttackKind.values());
    }

    /** The attacks of one level, in catalogue order. */
    public static List<AttackKind> ofLevel(AttackLevel level) {
        List<AttackKind> out = new ArrayList<>();
        for (AttackKind k : AttackKind.values()) {
            if (k.level() == level) {
                out.add(k);
            }
        }
        return List.copyOf(out);
    }

    /** The ids of the model-level attacks (what the in-process simulator and the matrix run). */
    public static List<String> modelLevelIds() {
        return ofLevel(AttackLevel.MODEL).stream().map(AttackKind::id).toList();
    }

    /** A plain-text table of the catalogue: id, level, colluding, parameters, description. */
    public static String describe() {
        StringBuilder sb = new StringBuilder();
        for (AttackKind k : AttackKind.values()) {
            sb.append(String.format("%-26s %-8s %s%n", k.id(), k.level().name().toLowerCase(Locale.ROOT),
                    k.colluding() ? "colluding" : ""));
            sb.append("    ").append(k.description()).append('\n');
            for (AttackParameter p : k.parameters()) {
                sb.append("    ").append(p.name()).append(" (default ").append(p.defaultValue()).append("): ")
                        .append(p.description()).append('\n');
            }
        }
        return sb.toString();
    }

    static String knownIds() {
        return String.join(", ", Arrays.stream(AttackKind.values()).map(AttackKind::id).toList());
    }
}
