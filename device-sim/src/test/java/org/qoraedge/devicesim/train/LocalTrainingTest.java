package org.qoraedge.devicesim.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qoraedge.devicesim.InvalidConfigException;
import org.qoraedge.devicesim.data.Dataset;
import org.qoraedge.devicesim.data.InvalidDatasetException;
import org.qoraedge.devicesim.data.Sharding;
import org.qoraedge.devicesim.data.SyntheticSensorData;
import org.qoraedge.devicesim.data.TrainTest;
import org.qoraedge.devicesim.model.LogisticRegression;
import org.qoraedge.devicesim.model.Mlp;
import org.qoraedge.devicesim.model.Model;

class LocalTrainingTest {
    static final TrainTest DATA = SyntheticSensorData.generate(3, 200, 100);

    static Dataset shard() {
        return DATA.train().subset("shard", Sharding.iid(DATA.train().size(), 4, 1)[0]);
    }

    static Stream<Model> models() {
        int f = DATA.train().numFeatures();
        int c = DATA.train().numClasses();
        return Stream.of(new LogisticRegression(f, c), new Mlp(f, 16, c));
    }

    @ParameterizedTest
    @MethodSource("models")
    void trainingDecreasesTheLoss(Model m) {
        Dataset shard = shard();
        float[] p0 = m.initialParameters(1);
        double before = m.evaluate(p0, shard).loss();
        float[] p1 = LocalTraining.train(m, p0, shard, new TrainingConfig(3, 16, 0.05), 9);
        double after = m.evaluate(p1, shard).loss();
        assertTrue(after < 0.7 * before, m.name() + ": loss " + before + " -> " + after);
        assertTrue(m.evaluate(p1, DATA.test()).accuracy() > 0.6, m.name());
    }

    @ParameterizedTest
    @MethodSource("models")
    void sameSeedSameBitsOtherSeedOtherBits(Model m) {
        Dataset shard = shard();
        float[] g = m.initialParameters(2);
        TrainingConfig cfg = new TrainingConfig(2, 8, 0.1);
        float[] a = LocalTraining.update(m, g, shard, cfg, 5);
        float[] b = LocalTraining.update(m, g, shard, cfg, 5);
        float[] c = LocalTraining.update(m, g, shard, cfg, 6);
        assertArrayEquals(a, b); // Arrays.equals on float[] compares bits
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void updateIsLocalMinusGlobalAndGlobalIsUntouched() {
        Model m = new LogisticRegression(DATA.train().numFeatures(), DATA.train().numClasses());
        Dataset shard = shard();
        float[] g = LocalTraining.train(m, m.initialParameters(0), shard, TrainingConfig.DEFAULT, 1);
        float[] copy = g.clone();
        float[] local = LocalTraining.train(m, g, shard, TrainingConfig.DEFAULT, 2);
        float[] delta = LocalTraining.update(m, g, shard, TrainingConfig.DEFAULT, 2);
        assertArrayEquals(copy, g);
        for (int j = 0; j < g.length; j++) {
            assertEquals(local[j] - g[j], delta[j], 0f);
        }
    }

    @Test
    void refusesBadConfigAndEmptyShards() {
        assertThrows(InvalidConfigException.class, () -> new TrainingConfig(0, 32, 0.1));
        assertThrows(InvalidConfigException.class, () -> new TrainingConfig(1, 0, 0.1));
        assertThrows(InvalidConfigException.class, () -> new TrainingConfig(1, 32, Double.NaN));
        Model m = new LogisticRegression(DATA.train().numFeatures(), DATA.train().numClasses());
        Dataset empty = DATA.train().subset("empty", new int[0]);
        assertThrows(InvalidDatasetException.class,
                () -> LocalTraining.train(m, m.initialParameters(0), empty, TrainingConfig.DEFAULT, 1));
    }
}
