package org.qoraedge.devicesim.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qoraedge.devicesim.model.LogisticRegression;
import org.qoraedge.devicesim.model.Model;
import org.qoraedge.devicesim.train.LocalTraining;
import org.qoraedge.devicesim.train.TrainingConfig;

class SyntheticSensorDataTest {
    @Test
    void sameSeedGivesTheSameBitsAndAnotherSeedDoesNot() {
        TrainTest a = SyntheticSensorData.generate(42);
        TrainTest b = SyntheticSensorData.generate(42);
        TrainTest c = SyntheticSensorData.generate(43);
        assertTrue(a.train().sameContent(b.train()));
        assertTrue(a.test().sameContent(b.test()));
        assertFalse(a.train().sameContent(c.train()));
    }

    @Test
    void classesAreBalancedAndFeaturesStandardized() {
        TrainTest tt = SyntheticSensorData.generate(1, 300, 100);
        assertEquals(1500, tt.train().size());
        assertEquals(500, tt.test().size());
        assertEquals(SyntheticSensorData.NUM_FEATURES, tt.train().numFeatures());
        for (int count : tt.train().classCounts()) {
            assertEquals(300, count);
        }
        for (int j = 0; j < tt.train().numFeatures(); j++) {
            double s = 0;
            double s2 = 0;
            for (int i = 0; i < tt.train().size(); i++) {
                s += tt.train().feature(i, j);
                s2 += tt.train().feature(i, j) * (double) tt.train().feature(i, j);
            }
            double mean = s / tt.train().size();
            assertEquals(0, mean, 1e-4, "feature " + j);
            assertEquals(1, s2 / tt.train().size() - mean * mean, 1e-3, "feature " + j);
        }
    }

    @Test
    void aLinearModelLearnsItWellButNotPerfectly() {
        TrainTest tt = SyntheticSensorData.generate(7);
        Model m = new LogisticRegression(tt.train().numFeatures(), tt.train().numClasses());
        float[] p = m.initialParameters(0);
        for (int epoch = 0; epoch < 20; epoch++) {
            p = LocalTraining.train(m, p, tt.train(), new TrainingConfig(1, 32, 0.1), epoch);
        }
        double acc = m.evaluate(p, tt.test()).accuracy();
        assertTrue(acc > 0.83 && acc < 0.95, "test accuracy " + acc + " should be in (0.83, 0.95)");
    }
}
