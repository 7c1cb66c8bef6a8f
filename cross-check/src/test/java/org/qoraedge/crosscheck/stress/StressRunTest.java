package org.qoraedge.crosscheck.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qoraedge.crosscheck.PlatformInfo;
import org.qoraedge.crosscheck.report.DigestReport;

class StressRunTest {
    @Test
    void splitMix64IsTheStreamOfSplittableRandom() {
        // java.util.SplittableRandom(seed).nextLong() is SplitMix64 with the same gamma and mixer:
        // an independent implementation of the stream the stress rounds are specified by.
        for (long seed : new long[] {0, 1, -1, 1234567, Long.MIN_VALUE}) {
            StressRandom ours = new StressRandom(seed);
            SplittableRandom jdk = new SplittableRandom(seed);
            for (int i = 0; i < 1000; i++) {
                assertEquals(jdk.nextLong(), ours.nextLong(), "seed " + seed + " draw " + i);
            }
        }
    }

    @Test
    void scaledFloatsAreExactWhereRepresentable() {
        StressRandom r = new StressRandom(7);
        for (int i = 0; i < 20000; i++) {
            int q = r.between(-(1 << 23), 1 << 23);
            int s = r.between(-140, 100);
            assertEquals(Float.floatToRawIntBits(Math.scalb((float) q, s)), Float.floatToRawIntBits(StressInputs.scaled(q, s)),
                    q + " * 2^" + s);
        }
    }

    @Test
    void sameSeedSameDigestsAndEveryFamilyPresent() {
        PlatformInfo p = PlatformInfo.current(false);
        DigestReport a = StressRun.run(new StressRun.Parameters(42, 12, 64, 512), p);
        DigestReport b = StressRun.run(new StressRun.Parameters(42, 12, 64, 512), p);
        assertEquals(a.digest(), b.digest());
        assertEquals(0, a.failed(), "the fast path agrees with the reference on every round");
        assertEquals(StressRun.FAMILIES.length, a.groups().size());
        for (String f : StressRun.FAMILIES) {
            assertEquals(12, a.group(f).cases(), f);
            assertEquals(a.group(f).digest(), b.group(f).digest(), f);
        }
        DigestReport c = StressRun.run(new StressRun.Parameters(43, 12, 64, 512), p);
        for (String f : StressRun.FAMILIES) {
            assertNotEquals(a.group(f).digest(), c.group(f).digest(), "another seed changes family " + f);
        }
    }

    @Test
    void aSeedGivesTheDigestItAlwaysHas() {
        // `stress --seed 7 --rounds 40 --dim-max 300`, as printed before the generator moved to
        // fixedpoint: pins StressRandom's remainder draws, on which every published digest depends
        DigestReport r = StressRun.run(new StressRun.Parameters(7, 40, 64, 300), PlatformInfo.current(false));
        assertEquals("63ab32cc2ea5354c4c24b0a30c1cf6a4d4c6f8e765dbf2e81f0b67e9d6d3ce14", r.digest());
    }

    @Test
    void refusesParametersOutsideTheirRange() {
        assertThrows(IllegalArgumentException.class, () -> new StressRun.Parameters(1, 0, 64, 64));
        assertThrows(IllegalArgumentException.class, () -> new StressRun.Parameters(1, 1, 65, 64));
        assertThrows(IllegalArgumentException.class, () -> new StressRun.Parameters(1, 1, 64, 4097));
    }
}
