package org.qoraedge.crosscheck.stress;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qoraedge.crosscheck.report.DigestReport;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.fast.FastRobust;
import org.qoraedge.fixedpoint.fast.Parallelism;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.fixedpoint.robust.Aggregator;
import org.qoraedge.fixedpoint.robust.CenteredClip;
import org.qoraedge.fixedpoint.robust.CenteredClipResult;
import org.qoraedge.fixedpoint.robust.Dyadic;
import org.qoraedge.fixedpoint.robust.Krum;
import org.qoraedge.fixedpoint.robust.Mean;
import org.qoraedge.fixedpoint.robust.Median;
import org.qoraedge.fixedpoint.robust.MultiKrum;
import org.qoraedge.fixedpoint.robust.Nnm;
import org.qoraedge.fixedpoint.robust.NormScreen;
import org.qoraedge.fixedpoint.robust.Pipeline;
import org.qoraedge.fixedpoint.robust.PipelineResult;
import org.qoraedge.fixedpoint.robust.Step;
import org.qoraedge.fixedpoint.robust.TrimmedMean;

/**
 * The robust rules' stress families (one case per rule per round, and one random pipeline), on the
 * first {@link #MAX_NODES} blocks and {@link #MAX_DIM} coordinates of a stress round: the range of
 * the public robust vectors, which the exact reference covers in well under a second per round.
 * Each rule's fast path ({@link FastRobust}: vector kernels where the JVM allows, threads) runs on
 * the same blocks and must agree with the reference to the bit on this platform too: a case where
 * it does not is a failed case (the outcome recorded, and digested, is the reference's).
 */
final class RobustStress {
    /** The families this class adds, in report order. */
    static final String[] FAMILIES = {"median", "trimmed-mean", "norm-screen", "nnm", "centered-clip", "pipeline"};
    static final int MAX_NODES = 32;
    static final int MAX_DIM = 512;

    private RobustStress() {
    }

    static void round(DigestReport report, String id, StressRandom r, Bfp16Block[] round) {
        Bfp16Block[] blocks = subRound(round);
        int n = blocks.length;
        int half = (n - 1) / 2;
        // each rule's parameter cycles through 0, its maximum and one between, as the vectors' do
        Parallelism p = Parallelism.defaults();
        int f = pick(r, half);
        String median = outcome(() -> Digests.block(Median.reference(blocks, f)));
        report.group("median").add(id, "n=" + n + " f=" + f + " " + median,
                median.equals(outcome(() -> Digests.block(FastRobust.median(blocks, f, p)))));
        int b = pick(r, half);
        String trimmed = outcome(() -> Digests.block(TrimmedMean.reference(blocks, b)));
        report.group("trimmed-mean").add(id, "n=" + n + " b=" + b + " " + trimmed,
                trimmed.equals(outcome(() -> Digests.block(FastRobust.trimmedMean(blocks, b, p)))));
        int l = r.nextInt(n);
        int h = r.nextInt(n - l);
        String screen = outcome(() -> "kept=" + Digests.indices(NormScreen.reference(blocks, l, h)) + " tnbs="
                + Digests.block(NormScreen.tnbs(blocks, l, h)));
        report.group("norm-screen").add(id, "n=" + n + " l=" + l + " h=" + h + " " + screen, screen.equals(outcome(() -> "kept="
                + Digests.indices(FastRobust.normScreen(blocks, l, h, p)) + " tnbs=" + Digests.block(FastRobust.tnbs(blocks, l, h, p)))));
        int g = pick(r, half);
        String nnm = outcome(() -> mixed(Nnm.reference(blocks, g)));
        report.group("nnm").add(id, "n=" + n + " f=" + g + " " + nnm, nnm.equals(outcome(() -> mixed(FastRobust.nnm(blocks, g, p)))));
        int c = pick(r, half);
        int iterations = r.between(1, 4);
        Bfp16Block reference = switch (r.nextInt(3)) {
            case 0 -> null;
            case 1 -> blocks[r.nextInt(n)];
            default -> StressInputs.rawBlock(r, blocks[0].dimension(), r.between(-126, 113));
        };
        String clipRef = outcome(() -> CenteredClip.reference(blocks, c, iterations, reference).digest());
        report.group("centered-clip").add(id, "n=" + n + " f=" + c + " L=" + iterations + " "
                + outcome(() -> centeredClip(CenteredClip.reference(blocks, c, iterations, reference))),
                clipRef.equals(outcome(() -> Digests.block(FastRobust.centeredClip(blocks, c, iterations, reference, p)))));
        Pipeline pipeline = pipeline(r, n);
        report.group("pipeline").add(id, "n=" + n + " " + pipeline + " "
                + outcome(() -> pipelineOutcome(pipeline.apply(blocks, reference))), true);
    }

    /** One digest of NNM's n output blocks, in order. */
    private static String mixed(Bfp16Block[] ys) {
        StringBuilder sb = new StringBuilder();
        for (Bfp16Block y : ys) {
            sb.append(Digests.block(y)).append('\n');
        }
        return Digests.hex(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static Bfp16Block[] subRound(Bfp16Block[] round) {
        Bfp16Block[] out = Arrays.copyOf(round, Math.min(round.length, MAX_NODES));
        for (int j = 0; j < out.length; j++) {
            if (out[j].dimension() > MAX_DIM) {
                short[] m = new short[MAX_DIM];
                out[j].copyMantissas(0, m, 0, MAX_DIM);
                out[j] = Bfp16Block.of(out[j].exponent(), m);
            }
        }
        return out;
    }

    /** 0, the maximum or a value between, with equal chances. */
    private static int pick(StressRandom r, int max) {
        return switch (r.nextInt(3)) {
            case 0 -> 0;
            case 1 -> max;
            default -> r.nextInt(max + 1);
        };
    }

    private interface Outcome {
        String get();
    }

    private static String outcome(Outcome o) {
        try {
            return o.get();
        } catch (FixedPointException e) {
            return "refused " + e.getClass().getSimpleName();
        }
    }

    private static String centeredClip(CenteredClipResult cc) {
        StringBuilder diagnostics = new StringBuilder();
        for (int l = 1; l <= cc.iterations(); l++) {
            Dyadic t = cc.thresholds().get(l - 1);
            diagnostics.append(t.toFraction()).append(' ').append(Arrays.toString(cc.clipped(l))).append(' ')
                    .append(Digests.block(cc.iterates().get(l - 1))).append('\n');
        }
        return "ref=" + cc.referenceDigest() + " iterations=" + Digests.hex(diagnostics.toString().getBytes(StandardCharsets.UTF_8))
                + " aggregate=" + cc.digest();
    }

    private static String pipelineOutcome(PipelineResult p) {
        StringBuilder sb = new StringBuilder();
        for (String kept : p.keptDigests()) {
            sb.append("kept=").append(kept).append(' ');
        }
        p.krum().ifPresent(k -> sb.append("eRef=").append(k.referenceExponent()).append(" scores=").append(k.scoresDigest())
                .append(" ranking=").append(k.rankingDigest()).append(" selected=").append(k.selectedDigest()).append(' '));
        p.centeredClip().ifPresent(cc -> sb.append(centeredClip(cc)).append(' '));
        return sb.append("aggregate=").append(p.digest()).toString();
    }

    /**
     * A random well-formed pipeline: up to two pre-steps, then an aggregator. Its parameters fit the
     * blocks each step will see, except one pipeline in eight, whose aggregator asks for one more
     * block than it gets: the refusal is part of the outcome.
     */
    static Pipeline pipeline(StressRandom r, int n) {
        List<Step> steps = new ArrayList<>();
        int left = n;
        int pre = r.nextInt(3);
        for (int p = 0; p < pre; p++) {
            if (r.nextBoolean() && left >= 4) {
                int l = r.nextInt((left - 1) / 3 + 1);
                int h = r.nextInt((left - 1) / 3 + 1);
                steps.add(NormScreen.of(l, h));
                left -= l + h;
            } else {
                steps.add(Nnm.of(r.nextInt((left - 1) / 2 + 1)));
            }
        }
        boolean tooFew = r.oneIn(8);
        steps.add(aggregator(r, left, tooFew));
        return Pipeline.of(steps);
    }

    private static Aggregator aggregator(StressRandom r, int n, boolean tooFew) {
        int half = (n - 1) / 2;
        Metric metric = r.nextBoolean() ? Metric.COMMON : Metric.PAIRWISE;
        int kf = n >= 3 ? r.nextInt((n - 3) / 2 + 1) : 0;
        return switch (r.nextInt(n >= 3 ? 6 : 4)) {
            case 0 -> Mean.of();
            case 1 -> Median.of(tooFew ? half + 1 : r.nextInt(half + 1));
            case 2 -> TrimmedMean.of(tooFew ? half + 1 : r.nextInt(half + 1));
            case 3 -> CenteredClip.of(tooFew ? half + 1 : r.nextInt(half + 1), r.between(1, 3));
            case 4 -> Krum.of(tooFew ? (n - 1) / 2 : kf, metric);
            default -> MultiKrum.of(kf, tooFew ? n - 2 * kf - 1 : r.between(1, n - 2 * kf - 2), metric);
        };
    }
}
