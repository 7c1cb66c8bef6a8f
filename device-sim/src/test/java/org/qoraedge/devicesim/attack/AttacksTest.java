package org.qoraedge.devicesim.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qoraedge.devicesim.data.Dataset;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.random.SplitMix64;

class AttacksTest {
    static final int D = 300;

    static float[] randomUpdate(long seed, double mean, double scale) {
        SplitMix64 r = new SplitMix64(seed);
        float[] u = new float[D];
        for (int i = 0; i < D; i++) {
            u[i] = (float) (mean + scale * r.nextGaussian());
        }
        return u;
    }

    /** 14 honest updates around a common direction, 6 colluders: the n = 20, f = 6 setting. */
    static OmniscientView view() {
        String[] ids = new String[14];
        float[][] ups = new float[14][];
        float[] direction = randomUpdate(99, 0, 0.01);
        for (int k = 0; k < 14; k++) {
            ids[k] = String.format("node-%02d", 20 - k); // deliberately not in canonical order
            float[] noise = randomUpdate(k, 0, 0.004);
            ups[k] = new float[D];
            for (int i = 0; i < D; i++) {
                ups[k][i] = direction[i] + noise[i];
            }
        }
        return OmniscientView.of(ids, ups, new String[] {"node-01", "node-02", "node-03", "node-04", "node-05", "node-06"});
    }

    static AttackContext ctx(float[] own, OmniscientView v) {
        return AttackContext.of("node-03", 4, D, own, v, 1234, 1);
    }

    @Test
    void signFlipNegatesTheUpdateAndItsBlockExactly() {
        float[] own = randomUpdate(1, 0.001, 0.01);
        ModelAttack a = Attacks.create("sign-flip");
        Bfp16Block honest = Bfp16.encode(own);
        Bfp16Block flipped = a.craft(ctx(own, null));
        assertEquals(honest.exponent(), flipped.exponent());
        for (int i = 0; i < D; i++) {
            assertEquals(-honest.mantissa(i), flipped.mantissa(i));
        }
    }

    @Test
    void scalingScalesByLambda() {
        float[] own = randomUpdate(2, 0, 0.01);
        UpdateAttack a = (UpdateAttack) Attacks.create("scaling:lambda=-4");
        float[] u = a.craftUpdate(ctx(own, null));
        for (int i = 0; i < D; i++) {
            assertEquals(-4 * own[i], u[i], 0f); // a power of two: exact in float32
        }
        float[] ten = ((UpdateAttack) Attacks.create("scaling")).craftUpdate(ctx(own, null));
        assertEquals((float) (10.0 * own[7]), ten[7], 0f);
        assertEquals("scaling:lambda=10.0", Attacks.create("scaling").spec());
    }

    @Test
    void gaussianNoiseHasTheRequestedSpreadAndFollowsTheSeed() {
        UpdateAttack a = (UpdateAttack) Attacks.create("gaussian:sigma=0.5");
        AttackContext c = AttackContext.of("node-01", 1, 20_000, null, null, 77, 1);
        float[] u = a.craftUpdate(c);
        double s = 0;
        double s2 = 0;
        for (float x : u) {
            s += x;
            s2 += x * (double) x;
        }
        assertEquals(0, s / u.length, 0.02);
        assertEquals(0.5, Math.sqrt(s2 / u.length), 0.02);
        assertArrayEquals(u, a.craftUpdate(c));
        assertFalse(Arrays.equals(u, a.craftUpdate(AttackContext.of("node-01", 1, 20_000, null, null, 78, 1))));
        assertFalse(a.needsOwnUpdate());
    }

    @Test
    void labelFlipPoisonsTheShardNotTheUpdate() {
        Dataset shard = Dataset.of("s", 1, new String[] {"a", "b", "c", "d"}, new float[] {1, 2, 3, 4, 5},
                new int[] {0, 1, 2, 3, 1});
        ModelAttack reverse = Attacks.create("label-flip");
        assertArrayEquals(new int[] {3, 2, 1, 0, 2}, reverse.poisonShard(shard).labels());
        assertArrayEquals(new int[] {1, 2, 3, 0, 2}, Attacks.create("label-flip:mapping=shift").poisonShard(shard).labels());
        assertArrayEquals(new int[] {0, 1, 2, 3, 1}, shard.labels(), "the node's own shard is unchanged");
        float[] own = randomUpdate(3, 0, 0.01);
        assertEquals(Bfp16.encode(own), reverse.craft(ctx(own, null)));
        assertTrue(reverse.needsOwnUpdate());
    }

    @Test
    void alieIsMeanPlusZStdWithinTheHonestSpread() {
        OmniscientView v = view();
        UpdateAttack a = (UpdateAttack) Attacks.create("alie");
        double z = Attacks.alieZ(20, 6);
        assertEquals(0.6745, z, 1e-4, "PhiInverse(15 / 20)");
        float[] u = a.craftUpdate(ctx(null, v));
        for (int i = 0; i < D; i++) {
            assertEquals((float) (v.mean(i) + z * v.std(i)), u[i], 0f);
            assertTrue(u[i] >= v.mean(i) - z * v.std(i) - 1e-9 && u[i] <= v.mean(i) + z * v.std(i) + 1e-9);
        }
        // every colluder sends the same vector
        assertArrayEquals(u, a.craftUpdate(AttackContext.of("node-05", 4, D, null, v, 999, 1)));
        float[] explicit = ((UpdateAttack) Attacks.create("alie:z=-1.5")).craftUpdate(ctx(null, v));
        assertEquals((float) (v.mean(0) - 1.5 * v.std(0)), explicit[0], 0f);
    }

    @Test
    void aliePaperZIsUndefinedWhenTooManyCollude() {
        AttackException e = assertThrows(AttackException.class, () -> Attacks.alieZ(10, 6));
        assertTrue(e.getMessage().contains("give z explicitly"), e.getMessage());
        // n = 2, f = 0: s = 2 = n, z would be PhiInverse(0) = -infinity
        assertTrue(assertThrows(AttackException.class, () -> Attacks.alieZ(2, 0)).getMessage().contains("- f = 2 for n = 2, f = 0"));
    }

    @Test
    void ipmIsAntiAlignedWithTheHonestMean() {
        OmniscientView v = view();
        float[] u = ((UpdateAttack) Attacks.create("ipm:epsilon=0.5")).craftUpdate(ctx(null, v));
        double dot = 0;
        double nu = 0;
        double nm = 0;
        for (int i = 0; i < D; i++) {
            dot += u[i] * v.mean(i);
            nu += u[i] * (double) u[i];
            nm += v.mean(i) * v.mean(i);
            assertEquals((float) (-0.5 * v.mean(i)), u[i], 0f);
        }
        assertTrue(dot < 0);
        assertEquals(-1, dot / Math.sqrt(nu * nm), 1e-6, "cosine with the honest mean");
    }

    @Test
    void exponentInflationRaisesTheBlockExponentAboveEveryHonestBlock() {
        OmniscientView v = view();
        int maxHonest = Integer.MIN_VALUE;
        for (int k = 0; k < v.honestCount(); k++) {
            maxHonest = Math.max(maxHonest, Bfp16.encode(v.honestUpdate(k)).exponent());
        }
        Bfp16Block plain = Attacks.create("exponent-inflation").craft(ctx(null, v));
        assertEquals(maxHonest + 2, plain.exponent());
        // spike=false: the values are the IPM payload, quantized at the coarser exponent
        float[] values = Bfp16.decode(plain);
        double step = Math.scalb(1.0, plain.exponent());
        for (int i = 0; i < D; i++) {
            assertEquals(-0.1 * v.mean(i), values[i], step / 2 + 1e-12);
        }
        // a canonical encoding of the same values would have a lower exponent
        assertTrue(Bfp16.encode(values).exponent() < plain.exponent());

        Bfp16Block spiked = Attacks.create("exponent-inflation:boost=5,spike=true,epsilon=1").craft(ctx(null, v));
        assertEquals(maxHonest + 5, spiked.exponent());
        assertEquals(32767, spiked.mantissa(D - 1));
        Bfp16Block at7 = Attacks.create("exponent-inflation:spike=true,coordinate=7").craft(ctx(null, v));
        assertEquals(32767, at7.mantissa(7));
        assertThrows(AttackException.class, () -> Attacks.create("exponent-inflation:boost=16"));
    }

    @Test
    void zeroIsZero() {
        Bfp16Block b = Attacks.create("zero").craft(AttackContext.of("node-09", 2, D, null, null, 1, 1));
        assertTrue(b.isZero());
        assertEquals(D, b.dimension());
        assertEquals(0, b.exponent());
    }

    @Test
    void colludingAttacksNeedTheViewAndSayWhy() {
        AttackException e = assertThrows(AttackException.class, () -> Attacks.create("alie").craft(ctx(null, null)));
        assertTrue(e.getMessage().contains("omniscient view"), e.getMessage());
        AttackException own = assertThrows(AttackException.class, () -> Attacks.create("sign-flip").craft(ctx(null, null)));
        assertTrue(own.getMessage().contains("own trained update"), own.getMessage());
    }

    @Test
    void omniscientViewIsIndependentOfInputOrder() {
        OmniscientView v = view();
        assertEquals("node-07", v.honestIds().get(0));
        assertEquals(20, v.totalNodes());
        assertEquals(6, v.byzantineCount());
        List<String> ids = v.honestIds();
        String[] reversed = new String[ids.size()];
        float[][] ups = new float[ids.size()][];
        for (int k = 0; k < ids.size(); k++) {
            reversed[k] = ids.get(ids.size() - 1 - k);
            ups[k] = v.honestUpdate(ids.size() - 1 - k);
        }
        OmniscientView w = OmniscientView.of(reversed, ups, new String[] {"node-06", "node-05", "node-04", "node-03",
            "node-02", "node-01"});
        assertArrayEquals(v.mean(), w.mean());
        assertArrayEquals(v.std(), w.std());
    }

    @Test
    void specsParseAndBadOnesAreRefusedWithReasons() {
        assertEquals("exponent-inflation:boost=3,epsilon=0.1,spike=false,coordinate=last",
                Attacks.create("Exponent_Inflation:boost=3").spec());
        assertEquals("alie:z=paper", Attacks.create("alie").spec());
        assertTrue(assertThrows(AttackException.class, () -> Attacks.create("scaling:factor=3")).getMessage()
                .contains("unknown parameter 'factor'; known: lambda"));
        assertTrue(assertThrows(AttackException.class, () -> Attacks.create("ipm:epsilon=abc")).getMessage()
                .contains("not a number"));
        assertTrue(assertThrows(AttackException.class, () -> Attacks.create("backdoor")).getMessage()
                .contains("unknown attack 'backdoor'"));
        assertTrue(assertThrows(AttackException.class, () -> Attacks.create("stale-replay")).getMessage()
                .contains("protocol-level"));
        assertThrows(AttackException.class, () -> Attacks.create("gaussian:sigma=0"));
        assertThrows(AttackException.class, () -> Attacks.create("scaling:lambda=Infinity"));
        AttackException nonFinite = assertThrows(AttackException.class,
                () -> Attacks.create("scaling:lambda=1e300").craft(ctx(randomUpdate(1, 0, 1), null)));
        assertTrue(nonFinite.getMessage().contains("Infinity"), nonFinite.getMessage());
    }

    @Test
    void catalogueListsEveryAttackWithItsLevel() {
        List<AttackKind> all = AttackCatalogue.all();
        assertEquals(20, all.size());
        assertEquals(List.of("sign-flip", "scaling", "gaussian", "label-flip", "alie", "ipm", "exponent-inflation", "zero",
                "mimic", "alie-adaptive", "ipm-adaptive", "norm-matched"),
                AttackCatalogue.modelLevelIds());
        List<String> protocol = AttackCatalogue.ofLevel(AttackLevel.PROTOCOL).stream().map(AttackKind::id).toList();
        assertEquals(List.of("stale-replay", "wrong-signature", "sybil", "malformed-truncated", "malformed-oversized",
                "malformed-wrong-dimension", "malformed-bad-version", "flooding"), protocol);
        for (AttackKind k : all) {
            assertFalse(k.description().isBlank(), k.id());
            assertEquals(k, AttackKind.byId(k.id()));
            if (k.level() == AttackLevel.MODEL) {
                assertEquals(k, Attacks.create(k.id()).kind(), "every model-level attack is implemented");
            }
        }
        assertTrue(AttackCatalogue.describe().contains("malformed-bad-version"));
    }
}
