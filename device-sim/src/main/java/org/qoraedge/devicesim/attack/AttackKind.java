package org.qoraedge.devicesim.attack;

import java.util.List;
import java.util.Locale;

/**
 * Every attack of the catalogue, by the name the command line, the reports and the MQTT fleet use.
 * Model-level kinds are built by {@link Attacks#create}; protocol-level kinds are parsed by
 * {@link ProtocolAttackSpec} and carried out on the wire by the MQTT fleet; their descriptions say
 * what is sent and what the gateway must do with it.
 */
public enum AttackKind {
    SIGN_FLIP("sign-flip", AttackLevel.MODEL, false,
            "Publishes the negation of its honestly trained update (-1 x delta).",
            List.of()),
    SCALING("scaling", AttackLevel.MODEL, false,
            "Publishes its honestly trained update multiplied by lambda (model replacement / boosting).",
            List.of(new AttackParameter("lambda", "10", "the factor; any finite value"))),
    GAUSSIAN_NOISE("gaussian", AttackLevel.MODEL, false,
            "Publishes a vector of independent N(0, sigma^2) coordinates instead of an update"
                    + " (the Gaussian Byzantine of Blanchard et al. 2017); needs no training.",
            List.of(new AttackParameter("sigma", "1.0", "standard deviation per coordinate, > 0"))),
    LABEL_FLIP("label-flip", AttackLevel.MODEL, false,
            "Data poisoning: trains honestly, but on its shard with every label y replaced by"
                    + " C - 1 - y (reverse) or (y + 1) mod C (shift), and publishes that update.",
            List.of(new AttackParameter("mapping", "reverse", "reverse | shift"))),
    ALIE("alie", AttackLevel.MODEL, true,
            "A Little Is Enough (Baruch, Baruch, Goldberg 2019): every colluder publishes"
                    + " mean + z * std of the round's honest updates, per coordinate. By default z is the"
                    + " paper's z_max = PhiInverse((n - s) / n) with s = floor(n / 2 + 1) - f.",
            List.of(new AttackParameter("z", "paper", "a finite number, or 'paper' for the formula from n and f"))),
    IPM("ipm", AttackLevel.MODEL, true,
            "Inner-product manipulation (Xie, Koyejo, Gupta 2019, 'Fall of Empires'): every colluder"
                    + " publishes -epsilon * mean of the round's honest updates.",
            List.of(new AttackParameter("epsilon", "0.1", "> 0; small values (0.1) evade Krum, large ones (10+) break the mean"))),
    EXPONENT_INFLATION("exponent-inflation", AttackLevel.MODEL, true,
            "A colluding cluster whose BFP-16 blocks carry a block exponent 'boost' above the largest"
                    + " exponent of the honest blocks, built directly (not by Bfp16.encode). Payload"
                    + " -epsilon * honest mean, IPM's direction. With spike=false (default) the block is a"
                    + " valid but coarser, non-canonical encoding of that small payload: its values are those"
                    + " of IPM, only its exponent is larger. PAIRWISE measures each pair in units of the"
                    + " pair's lower exponent, so a small-norm block with its own low exponent is penalised"
                    + " (every distance to it counted in fine units) while the same values behind an inflated"
                    + " exponent are measured in the honest nodes' units: the inflation removes PAIRWISE's"
                    + " accidental defence against IPM-like payloads. With spike=true one coordinate also"
                    + " holds the full mantissa +32767 (a huge value; the reason a canonical encoder would"
                    + " give that exponent), which wrecks the mean.",
            List.of(new AttackParameter("boost", "2", "exponent increase over the largest honest exponent, 1..15"),
                    new AttackParameter("epsilon", "0.1", "payload -epsilon * honest mean, >= 0 (0: zero payload)"),
                    new AttackParameter("spike", "false", "true | false: put the full mantissa on one coordinate"),
                    new AttackParameter("coordinate", "last", "index of the spike coordinate, or 'last'"
                            + " (the last class bias in both built-in models)"))),
    ZERO("zero", AttackLevel.MODEL, false,
            "Free rider: publishes the all-zero update without training.",
            List.of()),
    MIMIC("mimic", AttackLevel.MODEL, true,
            "Every colluder publishes, bit for bit, the block of one honest node, the victim: the same node"
                    + " in every round, drawn from the run seed among the honest ids (or named). The copies are"
                    + " real honest updates, so distance- and norm-based rules (Krum, Multi-Krum, norm"
                    + " screening, NNM) cannot tell them apart and select them; the harm is that one node's"
                    + " data counts f + 1 times, which on non-IID shards (dirichlet) pulls the model towards"
                    + " the victim's classes (Karimireddy, He, Jaggi 2022).",
            List.of(new AttackParameter("victim", "seed", "'seed' (drawn from the run seed among the honest ids)"
                    + " or the id of an honest node"))),
    ALIE_ADAPTIVE("alie-adaptive", AttackLevel.MODEL, true,
            "ALIE with z searched every round against the server's rule (the adaptive attack of the"
                    + " robust-aggregation benchmarks): the colluders run the rule on the round's honest"
                    + " blocks plus their copies of mean + z * std for z = max * k / steps, k = 0..steps."
                    + " criterion=used (default) publishes the largest z of which the rule uses at least one"
                    + " copy (Krum, Multi-Krum: selected; the mean: always, so z = max), or z = 0 (the honest"
                    + " mean) if none is used; criterion=harm publishes the z whose aggregate goes furthest"
                    + " along std (largest <aggregate, std>), which weighs z against how many copies the rule"
                    + " keeps.",
            List.of(new AttackParameter("max", "5", "the largest z tried, > 0"),
                    new AttackParameter("steps", "50", "grid steps between 0 and max, 1.." + AdaptiveScaleAttack.MAX_STEPS),
                    new AttackParameter("criterion", "used", "used (largest z still used) | harm (largest"
                            + " <aggregate, std>; tries the whole grid)"))),
    IPM_ADAPTIVE("ipm-adaptive", AttackLevel.MODEL, true,
            "IPM with epsilon searched every round against the server's rule: the colluders try"
                    + " -epsilon * mean of the honest updates for epsilon = max * k / steps, k = 1..steps."
                    + " criterion=used (default) publishes the largest epsilon of which the rule uses at least"
                    + " one copy (the mean: epsilon = max, which reverses the mean's step), or max / steps if"
                    + " none is used; criterion=harm publishes the epsilon whose aggregate has the most"
                    + " negative inner product with the honest mean, which weighs epsilon against how many"
                    + " copies the rule keeps.",
            List.of(new AttackParameter("max", "10", "the largest epsilon tried, > 0"),
                    new AttackParameter("steps", "100", "grid steps up to max, 1.." + AdaptiveScaleAttack.MAX_STEPS),
                    new AttackParameter("criterion", "used", "used (largest epsilon still used) | harm (most"
                            + " negative <aggregate, mean>; tries the whole grid)"))),
    NORM_MATCHED("norm-matched", AttackLevel.MODEL, true,
            "Every colluder publishes a harmful direction (the negated honest mean, IPM's direction, or its"
                    + " own update negated) rescaled to the median L2 norm of the round's honest blocks (within"
                    + " the encoding's rounding, 2^(e-1) * sqrt(d) for block exponent e). Two-sided norm"
                    + " screening ranks it among the middle honest norms and keeps it, and norm clipping leaves"
                    + " it whole; against the mean it is an IPM with epsilon = median norm / |honest mean|, above"
                    + " 1 as soon as the honest updates disagree. Distance-based rules (Krum, Multi-Krum) still"
                    + " see it far from the honest cluster.",
            List.of(new AttackParameter("direction", "negated-mean", "negated-mean (IPM's direction)"
                    + " | negated-own (each attacker's own trained update, negated; the target norm still comes from the"
                    + " honest blocks)"))),

    STALE_REPLAY("stale-replay", AttackLevel.PROTOCOL, false,
            "Re-publishes, byte for byte, the correctly signed update frame it sent 'age' rounds earlier"
                    + " (nothing in the first 'age' rounds). The gateway must reject it (wrong-round; an old"
                    + " sequence number would be replayed-sequence) and count it.",
            List.of(new AttackParameter("age", "1", "how many rounds old the replayed frame is, >= 1"))),
    WRONG_SIGNATURE("wrong-signature", AttackLevel.PROTOCOL, false,
            "Impersonation: before its own update, publishes an update on another node's topic with that"
                    + " node's id, signed with the attacker's own key (victim=self: its own frame with a"
                    + " corrupted signature). The gateway must reject it (bad-signature), and the victim's"
                    + " genuine update must still count.",
            List.of(new AttackParameter("victim", "next", "the impersonated node id, 'next' (the next id of the"
                    + " fleet, wrapping) or 'self'"))),
    SYBIL("sybil", AttackLevel.PROTOCOL, false,
            "Publishes its update under fresh node ids that are not in the gateway's key registry"
                    + " (sybil-<attacker>-<k>), each signed with its own random key, on their own update"
                    + " topics. The gateway must reject them (unknown-node); they never count towards"
                    + " quorum or aggregation.",
            List.of(new AttackParameter("identities", "5", "how many unknown ids per attacker, 1..1000"))),
    MALFORMED_TRUNCATED("malformed-truncated", AttackLevel.PROTOCOL, false,
            "Publishes a valid update frame cut short (header intact, block and signature incomplete)."
                    + " Must be rejected as malformed.",
            List.of(new AttackParameter("keep", "half", "how many bytes of the frame are kept: 'half' or a"
                    + " count >= 9 and below the frame's length"))),
    MALFORMED_OVERSIZED("malformed-oversized", AttackLevel.PROTOCOL, false,
            "Publishes a valid update frame padded with zero bytes beyond the maximum frame size of the"
                    + " round's dimension (291 + 2d). Must be rejected as oversize before it is parsed.",
            List.of(new AttackParameter("factor", "4", "size as a multiple of the maximum frame size, > 1 and <= 64"))),
    MALFORMED_WRONG_DIMENSION("malformed-wrong-dimension", AttackLevel.PROTOCOL, false,
            "Publishes a well-formed, correctly signed frame whose block has dimension d + delta instead"
                    + " of the round's d (coordinates cut or zero-padded). Must be rejected as wrong-dimension.",
            List.of(new AttackParameter("delta", "-1", "the published dimension is d + delta (non-zero;"
                    + " d + delta >= 1, and the frame must stay within the maximum size)"))),
    MALFORMED_BAD_VERSION("malformed-bad-version", AttackLevel.PROTOCOL, false,
            "Publishes a valid update frame whose version byte is replaced. Must be rejected as bad-version.",
            List.of(new AttackParameter("version", "255", "the version byte sent, 0..255 except 1"))),
    FLOODING("flooding", AttackLevel.PROTOCOL, false,
            "After its accepted update, publishes 'frames' more: re-signed copies with fresh sequence"
                    + " numbers. The gateway must keep one update per node and round, reject the rest"
                    + " (duplicate-update), and still close the round.",
            List.of(new AttackParameter("frames", "100", "extra frames per round per attacker, 1..10000")));

    private final String id;
    private final AttackLevel level;
    private final boolean colluding;
    private final String description;
    private final List<AttackParameter> parameters;

    AttackKind(String id, AttackLevel level, boolean colluding, String description, List<AttackParameter> parameters) {
        this.id = id;
        this.level = level;
        this.colluding = colluding;
        this.description = description;
        this.parameters = parameters;
    }

    /** The name used on the command line and in reports, e.g. {@code sign-flip}. */
    public String id() {
        return id;
    }

    public AttackLevel level() {
        return level;
    }

    /** True when the attackers coordinate through an omniscient view of the honest updates. */
    public boolean colluding() {
        return colluding;
    }

    public String description() {
        return description;
    }

    /** The parameters with their defaults, in the order they are documented. */
    public List<AttackParameter> parameters() {
        return parameters;
    }

    /**
     * The kind named {@code id} (case-insensitive; {@code _} and {@code -} are interchangeable).
     *
     * @throws AttackException naming the unknown id and listing the known ones
     */
    public static AttackKind byId(String id) {
        String norm = id.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (AttackKind k : values()) {
            if (k.id.equals(norm)) {
                return k;
            }
        }
        StringBuilder known = new StringBuilder();
        for (AttackKind k : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(k.id);
        }
        throw new AttackException("unknown attack '" + id + "'; known: " + known);
    }
}
