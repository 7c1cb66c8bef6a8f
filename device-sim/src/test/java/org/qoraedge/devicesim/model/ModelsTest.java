package org.qoraedge.devicesim.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.devicesim.data.Dataset;
import org.qoraedge.fixedpoint.random.SplitMix64;

class ModelsTest {
    static final int F = 6;
    static final int C = 4;

    static Stream<Model> models() {
        return Stream.of(new LogisticRegression(F, C), new Mlp(F, 5, C));
    }

    static Dataset randomData(int n, long seed) {
        SplitMix64 r = new SplitMix64(seed);
        float[] x = new float[n * F];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < F; j++) {
                x[i * F + j] = (float) r.nextGaussian();
            }
            y[i] = r.nextInt(C);
        }
        return Dataset.of("random", F, new String[] {"a", "b", "c", "d"}, x, y);
    }

    static float[] randomParams(Model m, long seed, double scale) {
        SplitMix64 r = new SplitMix64(seed);
        float[] p = new float[m.parameterCount()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (scale * r.nextGaussian());
        }
        return p;
    }

    /**
     * Central differences of the model's own loss, in double, against its analytic gradient. The
     * perturbed parameter is a float, so the step actually taken is measured, not assumed.
     */
    @ParameterizedTest
    @MethodSource("models")
    void gradientMatchesFiniteDifferences(Model m) {
        Dataset d = randomData(12, 1);
        int[] idx = {0, 3, 5, 7, 8, 11, 2};
        float[] p = randomParams(m, 2, 0.5);
        double[] g = new double[m.parameterCount()];
        m.lossAndGradient(p, d, idx, 0, idx.length, g);
        double[] scratch = new double[m.parameterCount()];
        double worst = 0;
        for (int k = 0; k < p.length; k++) {
            float saved = p[k];
            float up = (float) (saved + 1e-3);
            float down = (float) (saved - 1e-3);
            p[k] = up;
            double lu = m.lossAndGradient(p, d, idx, 0, idx.length, scratch);
            p[k] = down;
            double ld = m.lossAndGradient(p, d, idx, 0, idx.length, scratch);
            p[k] = saved;
            double numeric = (lu - ld) / ((double) up - (double) down);
            double err = Math.abs(numeric - g[k]) / Math.max(1e-3, Math.abs(numeric) + Math.abs(g[k]));
            worst = Math.max(worst, err);
            assertEquals(numeric, g[k], 1e-5 + 1e-4 * Math.abs(numeric), m.name() + " parameter " + k);
        }
        assertTrue(worst < 1e-4, m.name() + " worst relative error " + worst);
    }

    @ParameterizedTest
    @MethodSource("models")
    void lossIsTheMeanCrossEntropyAndAccuracyCountsArgMax(Model m) {
        Dataset d = randomData(40, 3);
        float[] p = randomParams(m, 4, 0.3);
        int[] all = new int[d.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        double lossViaGradient = m.lossAndGradient(p, d, all, 0, all.length, new double[m.parameterCount()]);
        Evaluation ev = m.evaluate(p, d);
        assertEquals(lossViaGradient, ev.loss(), 1e-12);
        int correct = 0;
        for (int i = 0; i < d.size(); i++) {
            if (m.predict(p, d, i) == d.label(i)) {
                correct++;
            }
        }
        assertEquals(correct, ev.correct());
        assertEquals(correct / 40.0, ev.accuracy());
    }

    @Test
    void zeroLogisticRegressionHasLossLogC() {
        Model m = new LogisticRegression(F, C);
        assertEquals(Math.log(C), m.evaluate(m.initialParameters(0), randomData(10, 1)).loss(), 1e-12);
        assertEquals(C * F + C, m.parameterCount());
    }

    @Test
    void mlpInitialisationIsSeededAndBiasesStartAtZero() {
        Mlp m = new Mlp(F, 5, C);
        assertArrayEquals(m.initialParameters(3), m.initialParameters(3));
        assertTrue(!Arrays.equals(m.initialParameters(3), m.initialParameters(4)));
        float[] p = m.initialParameters(3);
        assertEquals(5 * F + 5 + C * 5 + C, p.length);
        for (int k = 0; k < 5; k++) {
            assertEquals(0f, p[5 * F + k]);
        }
    }

    @Test
    void refusesMismatchedShapes() {
        Model m = new LogisticRegression(F, C);
        Dataset d = randomData(5, 1);
        ModelShapeException e = assertThrows(ModelShapeException.class, () -> m.evaluate(new float[3], d));
        assertTrue(e.getMessage().contains("parameter vector has 3 entries, logreg has 28 parameters"), e.getMessage());
        assertThrows(ModelShapeException.class, () -> new LogisticRegression(F + 1, C).evaluate(new float[C * (F + 1) + C], d));
        assertThrows(ModelShapeException.class,
                () -> m.lossAndGradient(new float[28], d, new int[] {0}, 0, 1, new double[27]));
        assertThrows(ModelShapeException.class,
                () -> m.lossAndGradient(new float[28], d, new int[] {0}, 1, 1, new double[28]));
        assertEquals("mlp-12", Models.create("mlp-12", 3, 2).name());
        assertEquals("logreg", Models.create("logreg", 3, 2).name());
        assertThrows(ModelShapeException.class, () -> Models.create("cnn", 3, 2));
    }
}
