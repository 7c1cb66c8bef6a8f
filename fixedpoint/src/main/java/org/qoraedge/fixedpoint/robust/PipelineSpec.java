package org.qoraedge.fixedpoint.robust;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * A pipeline written on one line, as a person types it in a configuration file or on a command
 * line, and read back exactly (robust spec section 7). The grammar:
 * <pre>
 *   pipeline  = step *( "&gt;" step )
 *   step      = rule [ "(" arg *( "," arg ) ")" ]
 *   rule      = "norm-screen" / "nnm" / "mean" / "krum" / "multi-krum" / "median"
 *             / "trimmed-mean" / "centered-clip"
 *   arg       = 1*DIGIT / "auto" / "common" / "pairwise"
 * </pre>
 * Spaces around any token are ignored; names are lower case. The rules and their arguments:
 * {@code norm-screen(l, h)}, {@code nnm(f)}, {@code mean}, {@code krum(f [, metric])},
 * {@code multi-krum(f [, m] [, metric])} ({@code m} a number or {@code auto}, the default:
 * {@code n' - 2f - 2} of the aggregator's own input {@code n'}), {@code median(f)},
 * {@code trimmed-mean(b)}, {@code centered-clip(f, L)}; {@code metric} is {@code common} (the
 * default) or {@code pairwise}. Exactly one aggregator ({@code mean}, {@code krum},
 * {@code multi-krum}, {@code median}, {@code trimmed-mean}, {@code centered-clip}), last.
 *
 * <p>Everything is checked when the line is read: a rule not in the list, a missing or extra
 * argument, a number out of range, an aggregator that is not last. {@link #canonical()} writes
 * the line back with every argument spelled out, the form a round's record carries.
 */
public final class PipelineSpec {
    private static final List<String> RULES = List.of("norm-screen", "nnm", "mean", "krum", "multi-krum", "median",
            "trimmed-mean", "centered-clip");
    /** {@code m} of {@code multi-krum} left to the round: {@code n' - 2f - 2}. */
    public static final int AUTO = 0;

    /**
     * One step as written.
     *
     * @param rule the rule's name
     * @param a the first number ({@code f}, {@code b} or {@code l}; 0 when the rule has none)
     * @param b the second number ({@code h}, {@code L} or Multi-Krum's {@code m}, {@link #AUTO}
     *     for {@code auto}; 0 when none)
     * @param metric Krum's metric (COMMON for the other rules)
     */
    public record StepSpec(String rule, int a, int b, Metric metric) {
        boolean aggregator() {
            return !rule.equals("norm-screen") && !rule.equals("nnm");
        }

        String canonical() {
            String metricName = metric.name().toLowerCase(Locale.ROOT);
            return switch (rule) {
                case "norm-screen", "centered-clip" -> rule + "(" + a + ", " + b + ")";
                case "nnm", "median", "trimmed-mean" -> rule + "(" + a + ")";
                case "krum" -> rule + "(" + a + ", " + metricName + ")";
                case "multi-krum" -> rule + "(" + a + ", " + (b == AUTO ? "auto" : Integer.toString(b)) + ", " + metricName + ")";
                default -> rule;
            };
        }
    }

    private final List<StepSpec> steps;

    private PipelineSpec(List<StepSpec> steps) {
        this.steps = List.copyOf(steps);
    }

    /** The steps, in order. */
    public List<StepSpec> steps() {
        return steps;
    }

    /** The aggregator (the last step). */
    public StepSpec aggregator() {
        return steps.get(steps.size() - 1);
    }

    /**
     * Reads one line.
     *
     * @throws PipelineSyntaxException when the line does not follow the grammar, names an unknown
     *     rule or gives a rule the wrong number or kind of arguments
     * @throws RuleParameterException when a number is below the rule's smallest legal value
     * @throws PipelineShapeException when no aggregator is last, or one comes before the last step
     */
    public static PipelineSpec parse(String text) {
        Reader r = new Reader(text);
        List<StepSpec> steps = new ArrayList<>();
        do {
            steps.add(r.step());
        } while (r.accept('>'));
        r.end();
        PipelineSpec spec = new PipelineSpec(steps);
        spec.build(spec.minimumUpdates()); // every rule's own checks, and the shape, before any round
        return spec;
    }

    /** The line with every argument spelled out: {@code norm-screen(1, 1) > multi-krum(1, auto, common)}. */
    public String canonical() {
        StringBuilder sb = new StringBuilder();
        for (StepSpec s : steps) {
            sb.append(sb.length() == 0 ? "" : " > ").append(s.canonical());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return canonical();
    }

    /**
     * True when the aggregator averages and so takes weights: {@code mean}, {@code multi-krum},
     * {@code centered-clip} (see {@link Pipeline}, "Weighted rounds"). Known from the line alone, so
     * a gateway that weights its rounds can refuse its configuration when it starts.
     */
    public boolean acceptsWeights() {
        return switch (aggregator().rule()) {
            case "mean", "multi-krum", "centered-clip" -> true;
            default -> false;
        };
    }

    /**
     * Refuses this pipeline for weighted rounds unless {@link #acceptsWeights()}.
     *
     * @throws RuleWeightsException naming the aggregator as the line's canonical form writes it
     */
    public void checkAcceptsWeights() {
        if (!acceptsWeights()) {
            throw new RuleWeightsException(aggregator().canonical());
        }
    }

    /**
     * The fewest accepted updates for which every step's quorum holds (each step applies its own
     * quorum to its own input, robust spec section 7).
     */
    public int minimumUpdates() {
        StepSpec agg = aggregator();
        long need = switch (agg.rule()) {
            case "krum" -> 2L * agg.a() + 3;
            case "multi-krum" -> 2L * agg.a() + 2 + Math.max(1, agg.b());
            case "median", "trimmed-mean", "centered-clip" -> 2L * agg.a() + 1;
            default -> 1;
        };
        for (int i = steps.size() - 2; i >= 0; i--) {
            StepSpec s = steps.get(i);
            need = s.rule().equals("nnm") ? Math.max(need, 2L * s.a() + 1) : need + s.a() + s.b();
        }
        return (int) Math.min(Integer.MAX_VALUE, need);
    }

    /**
     * The pipeline for a round with {@code n} accepted updates ({@code n} fixes Multi-Krum's
     * {@code auto} selection size: {@code n' - 2f - 2} of its input {@code n'}, at least 1).
     */
    public Pipeline build(int n) {
        int width = n;
        List<Step> out = new ArrayList<>(steps.size());
        for (StepSpec s : steps) {
            switch (s.rule()) {
                case "norm-screen" -> {
                    out.add(NormScreen.of(s.a(), s.b()));
                    width -= s.a() + s.b();
                }
                case "nnm" -> out.add(Nnm.of(s.a()));
                case "mean" -> out.add(Mean.of());
                case "krum" -> out.add(Krum.of(s.a(), s.metric()));
                case "multi-krum" -> out.add(MultiKrum.of(s.a(), s.b() != AUTO ? s.b() : Math.max(1, width - 2 * s.a() - 2),
                        s.metric()));
                case "median" -> out.add(Median.of(s.a()));
                case "trimmed-mean" -> out.add(TrimmedMean.of(s.a()));
                case "centered-clip" -> out.add(CenteredClip.of(s.a(), s.b()));
                default -> throw new IllegalStateException(s.rule());
            }
        }
        return Pipeline.of(out);
    }

    /** A recursive-descent reader of one line. */
    private static final class Reader {
        private final String text;
        private int pos;

        Reader(String text) {
            this.text = text == null ? "" : text;
        }

        StepSpec step() {
            skipSpaces();
            int at = pos;
            while (pos < text.length() && (Character.isLowerCase(text.charAt(pos)) || text.charAt(pos) == '-')) {
                pos++;
            }
            String rule = text.substring(at, pos);
            if (rule.isEmpty()) {
                throw problem(at, "expected a rule (" + String.join(", ", RULES) + ")");
            }
            if (!RULES.contains(rule)) {
                throw problem(at, "unknown rule '" + rule + "'; the rules are " + String.join(", ", RULES));
            }
            List<String> args = new ArrayList<>();
            if (accept('(')) {
                do {
                    skipSpaces();
                    int a = pos;
                    while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
                        pos++;
                    }
                    if (a == pos) {
                        throw problem(a, "expected an argument of " + rule);
                    }
                    args.add(text.substring(a, pos));
                } while (accept(','));
                expect(')');
            }
            return spec(rule, args, at);
        }

        private StepSpec spec(String rule, List<String> args, int at) {
            return switch (rule) {
                case "norm-screen" -> new StepSpec(rule, number(rule, "l", args, 0, 2, at), number(rule, "h", args, 1, 2, at),
                        Metric.COMMON);
                case "centered-clip" -> new StepSpec(rule, number(rule, "f", args, 0, 2, at), number(rule, "L", args, 1, 2, at),
                        Metric.COMMON);
                case "nnm", "median" -> new StepSpec(rule, number(rule, "f", args, 0, 1, at), 0, Metric.COMMON);
                case "trimmed-mean" -> new StepSpec(rule, number(rule, "b", args, 0, 1, at), 0, Metric.COMMON);
                case "mean" -> {
                    count(rule, args, 0, 0, "no arguments", at);
                    yield new StepSpec(rule, 0, 0, Metric.COMMON);
                }
                case "krum" -> {
                    count(rule, args, 1, 2, "(f [, metric])", at);
                    yield new StepSpec(rule, integer(rule, "f", args.get(0), at), 0,
                            args.size() == 2 ? metric(rule, args.get(1), at) : Metric.COMMON);
                }
                default -> multiKrum(rule, args, at);
            };
        }

        private StepSpec multiKrum(String rule, List<String> args, int at) {
            count(rule, args, 1, 3, "(f [, m] [, metric])", at);
            int f = integer(rule, "f", args.get(0), at);
            int m = AUTO;
            Metric metric = Metric.COMMON;
            for (int i = 1; i < args.size(); i++) {
                String a = args.get(i);
                boolean isMetric = a.equals("common") || a.equals("pairwise");
                if (isMetric && i == args.size() - 1) {
                    metric = metric(rule, a, at);
                } else if (i == 1 && !isMetric) {
                    m = a.equals("auto") ? AUTO : integer(rule, "m", a, at);
                    if (m == AUTO && !a.equals("auto")) {
                        throw new RuleParameterException(rule, "m", 0, 1);
                    }
                } else {
                    throw problem(at, rule + " takes (f [, m] [, metric]); '" + a + "' is not in its place");
                }
            }
            return new StepSpec(rule, f, m, metric);
        }

        private int number(String rule, String name, List<String> args, int index, int count, int at) {
            count(rule, args, count, count, count == 1 ? "(" + name + ")" : "two numbers", at);
            return integer(rule, name, args.get(index), at);
        }

        private void count(String rule, List<String> args, int min, int max, String form, int at) {
            if (args.size() < min || args.size() > max) {
                throw problem(at, rule + " takes " + form + ", got " + args.size() + " argument" + (args.size() == 1 ? "" : "s"));
            }
        }

        private int integer(String rule, String name, String a, int at) {
            if (!a.chars().allMatch(Character::isDigit) || a.length() > 9) {
                throw problem(at, rule + "'s " + name + " must be a whole number below 10^9, got '" + a + "'");
            }
            return Integer.parseInt(a);
        }

        private Metric metric(String rule, String a, int at) {
            return switch (a) {
                case "common" -> Metric.COMMON;
                case "pairwise" -> Metric.PAIRWISE;
                default -> throw problem(at, rule + "'s metric is common or pairwise, got '" + a + "'");
            };
        }

        boolean accept(char c) {
            skipSpaces();
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(char c) {
            if (!accept(c)) {
                throw problem(pos, "expected '" + c + "'");
            }
        }

        void end() {
            skipSpaces();
            if (pos < text.length()) {
                throw problem(pos, "expected '>' or the end of the line");
            }
        }

        private void skipSpaces() {
            while (pos < text.length() && text.charAt(pos) == ' ') {
                pos++;
            }
        }

        private PipelineSyntaxException problem(int at, String message) {
            String shown = text.length() > 120 ? text.substring(0, 120) + "..." : text;
            return new PipelineSyntaxException(message + " (at character " + (at + 1) + " of '" + shown + "')", at);
        }
    }
}
