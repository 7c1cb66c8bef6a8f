package org.qoraedge.fixedpoint.robust;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.qoraedge.fixedpoint.krum.Metric;

/** Seeded random well-formed pipelines whose every step's quorum holds for a round of {@code n} blocks. */
final class RandomPipelines {
    private RandomPipelines() {
    }

    static Pipeline pipeline(SplittableRandom r, int n) {
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
        steps.add(aggregator(r, left));
        return Pipeline.of(steps);
    }

    static Aggregator aggregator(SplittableRandom r, int n) {
        int half = (n - 1) / 2;
        Metric metric = r.nextBoolean() ? Metric.COMMON : Metric.PAIRWISE;
        int choice = r.nextInt(n >= 3 ? 6 : 4);
        return switch (choice) {
            case 0 -> Mean.of();
            case 1 -> Median.of(r.nextInt(half + 1));
            case 2 -> TrimmedMean.of(r.nextInt(half + 1));
            case 3 -> CenteredClip.of(r.nextInt(half + 1), 1 + r.nextInt(3));
            case 4 -> Krum.of(r.nextInt((n - 3) / 2 + 1), metric);
            default -> {
                int f = r.nextInt((n - 3) / 2 + 1);
                yield MultiKrum.of(f, 1 + r.nextInt(n - 2 * f - 2), metric);
            }
        };
    }
}
