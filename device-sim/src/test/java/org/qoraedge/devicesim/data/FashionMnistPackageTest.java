package org.qoraedge.devicesim.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Reads the real files of Debian's dataset-fashion-mnist package. Skipped when they are absent,
 * except under CI=true, where their absence is a failure (CI must install the package).
 */
class FashionMnistPackageTest {
    @Test
    void loadsTheDebianPackageFiles() throws Exception {
        if (!FashionMnist.isPresent(FashionMnist.DEBIAN_DIR)) {
            String msg = "Fashion-MNIST files are not in " + FashionMnist.DEBIAN_DIR
                    + "; install them with: apt-get install -y dataset-fashion-mnist";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true and " + msg);
            }
            Assumptions.abort(msg);
        }
        TrainTest tt = FashionMnist.load();
        assertEquals(60_000, tt.train().size());
        assertEquals(10_000, tt.test().size());
        assertEquals(784, tt.train().numFeatures());
        for (int c : tt.train().classCounts()) {
            assertEquals(6_000, c);
        }
        for (int c : tt.test().classCounts()) {
            assertEquals(1_000, c);
        }
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < 1000; i++) {
            for (int j = 0; j < 784; j++) {
                min = Math.min(min, tt.train().feature(i, j));
                max = Math.max(max, tt.train().feature(i, j));
            }
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        assertTrue(tt.train().label(0) >= 0 && tt.train().label(0) < 10);
        assertEquals(9, tt.train().label(0), "the first training image of Fashion-MNIST is an ankle boot");
    }
}
