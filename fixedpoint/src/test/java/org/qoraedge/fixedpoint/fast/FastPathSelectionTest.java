package org.qoraedge.fixedpoint.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.RandomBlocks;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;

/**
 * Which kernels the public entry points choose, in the three JVMs fixedpoint's build starts (see its
 * pom): with the incubator module (vector kernels, on x86_64 and aarch64; also limited to 128-bit
 * vectors), without it (the scalar kernels must load and work: no NoClassDefFoundError), and with it
 * but {@code -Dqora.vector=false}.
 */
class FastPathSelectionTest {
    private static final boolean MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static final String ARCH = System.getProperty("os.arch");

    private static String expectation() {
        String e = System.getProperty("qora.expect.kernels");
        assumeTrue(e != null, "run by fixedpoint's surefire executions, which say what to expect");
        return e;
    }

    /**
     * The kernels this JVM was started for (one surefire execution per case, each naming its case in
     * {@code qora.expect.kernels}): one test that checks that case, so that no execution skips the
     * others' checks.
     */
    @Test
    void selectsTheKernelsThisJvmWasStartedFor() {
        String expected = expectation();
        switch (expected) {
            case "vector-if-supported" -> usesTheVectorKernelsWhenTheModuleIsPresentOnX86OrArm64();
            case "vector-128-bit" -> usesNarrowVectorsWhenTheJvmLimitsTheWidth();
            case "scalar-without-module" -> fallsBackToScalarWithoutTheModule();
            case "scalar-forced" -> systemPropertyForcesScalar();
            default -> fail("unknown qora.expect.kernels = " + expected);
        }
    }

    private static void usesTheVectorKernelsWhenTheModuleIsPresentOnX86OrArm64() {
        boolean supported = ARCH.equals("amd64") || ARCH.equals("x86_64") || ARCH.equals("aarch64");
        assertEquals(MODULE && supported, FastKrum.vectorized(), FastKrum.implementation());
        if (MODULE && supported) {
            assertNotNull(Kernels.vectorOrNull());
            assertTrue(FastKrum.implementation().startsWith("vector"), FastKrum.implementation());
        }
    }

    private static void usesNarrowVectorsWhenTheJvmLimitsTheWidth() {
        assertTrue(FastKrum.vectorized(), FastKrum.implementation());
        assertEquals("vector (DoubleVector 128 bits, 2 lanes)", FastKrum.implementation());
    }

    private static void fallsBackToScalarWithoutTheModule() {
        assertFalse(MODULE, "this execution must start the JVM without --add-modules jdk.incubator.vector");
        assertFalse(FastKrum.vectorized());
        assertNull(Kernels.vectorOrNull());
        assertTrue(FastKrum.implementation().contains("jdk.incubator.vector not present"), FastKrum.implementation());
    }

    private static void systemPropertyForcesScalar() {
        assertTrue(MODULE, "this execution must start the JVM with --add-modules jdk.incubator.vector");
        assertFalse(FastKrum.vectorized());
        assertTrue(FastKrum.implementation().contains("forced by -Dqora.vector=false"), FastKrum.implementation());
    }

    /** Whatever was chosen, the public entry points give the reference's results. */
    @Test
    void chosenKernelsGiveTheReferenceResults() {
        expectation();
        for (long seed = 1; seed <= 6; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int n = 5 + r.nextInt(20);
            Bfp16Block[] b = RandomBlocks.round(r, n, Rounds.DIMENSIONS[r.nextInt(Rounds.DIMENSIONS.length)]);
            int f = (n - 3) / 4;
            int m = n - 2 * f - 2;
            KrumResult want = Krum.multiKrum(b, f, m, Metric.COMMON);
            FastKrumEquivalenceTest.assertSameResult(want, FastKrum.multiKrum(b, f, m, Metric.COMMON), "batch");
            RoundBuffer buffer = new RoundBuffer(b[0].dimension(), n);
            int[] order = new int[n];
            for (int j = n - 1; j >= 0; j--) {
                order[j] = buffer.add(b[j]);
            }
            FastKrumEquivalenceTest.assertSameResult(want, buffer.multiKrum(order, f, m, Metric.COMMON), "incremental");
        }
    }
}
