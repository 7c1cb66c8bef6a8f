package org.qoraedge.fixedpoint.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.fast.FastPipeline;
import org.qoraedge.fixedpoint.fast.Parallelism;

/** FastPipeline against the reference Pipeline on seeded random pipelines and rounds: same bytes, same kept indices, same refusals. */
class FastPipelineEquivalenceTest {

    @Test
    void everyRandomPipelineGivesTheReferencesAggregateAndKeptIndices() {
        int compared = 0;
        for (long seed = 0; seed < 300; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 1 + r.nextInt(12);
            int d = 1 + r.nextInt(40);
            int centre = r.nextInt(-30, 10);
            Bfp16Block[] blocks = new Bfp16Block[n];
            for (int j = 0; j < n; j++) {
                blocks[j] = block(r, d, centre);
            }
            Bfp16Block reference = r.nextBoolean() ? null : block(r, d, centre);
            Pipeline p = RandomPipelines.pipeline(r, n);
            PipelineResult want;
            try {
                want = p.apply(blocks, reference);
            } catch (RuntimeException refused) {
                for (Parallelism par : List.of(Parallelism.serial(), Parallelism.threads(2))) {
                    RuntimeException got = null;
                    try {
                        FastPipeline.apply(p, blocks, reference, par);
                    } catch (RuntimeException e) {
                        got = e;
                    }
                    String what = "seed " + seed + " " + p;
                    assertEquals(refused.getClass(), got == null ? null : got.getClass(), what);
                    assertEquals(refused.getMessage(), got.getMessage(), what);
                }
                continue;
            }
            for (Parallelism par : List.of(Parallelism.serial(), Parallelism.threads(2))) {
                FastPipeline.Result got = FastPipeline.apply(p, blocks, reference, par);
                String what = "seed " + seed + " " + p;
                assertEquals(want.digest(), Digests.block(got.aggregate()), what);
                assertEquals(want.kept().size(), got.kept().size(), what);
                if (want.krum().isPresent()) {
                    assertArrayEquals(want.krum().get().selected(), got.selected(), what);
                } else {
                    assertEquals(null, got.selected(), what);
                }
                for (int s = 0; s < got.kept().size(); s++) {
                    assertArrayEquals(want.kept(s), got.kept().get(s), what);
                }
            }
            compared++;
        }
        assertEquals(true, compared > 200, "most random pipelines run: " + compared);
    }

    private static Bfp16Block block(SplittableRandom r, int d, int centre) {
        short[] m = new short[d];
        for (int i = 0; i < d; i++) {
            m[i] = (short) r.nextInt(-32767, 32768);
        }
        return Bfp16Block.of(Math.max(-126, Math.min(113, centre + r.nextInt(-8, 9))), m);
    }
}
