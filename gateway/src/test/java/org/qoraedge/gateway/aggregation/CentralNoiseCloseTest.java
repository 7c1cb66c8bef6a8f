package org.qoraedge.gateway.aggregation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.ModelUpdate;
import org.qoraedge.fixedpoint.privacy.InvalidPrivacyParameterException;
import org.qoraedge.fixedpoint.robust.PipelineSpec;

/** {@link RoundClose} with central noise, and {@link CentralNoiseSettings}' own refusals. */
class CentralNoiseCloseTest {
    private static final byte[] SECRET = new byte[32];

    private static RoundBuffer buffer(AggregationSettings a, Bfp16Block... blocks) {
        RoundBuffer b = RoundBufferFactory.reference().open(1, blocks[0].dimension(), a);
        for (int k = 0; k < blocks.length; k++) {
            b.add("node-" + k, blocks[k]);
        }
        return b;
    }

    @Test
    void noiseThatNeedsAnExponentAbove113FailsTheRoundClosedAndLeavesTheModel() {
        AggregationSettings mean = AggregationSettings.pipeline(PipelineSpec.parse("mean"), 1);
        Bfp16Block top = Bfp16Block.of(Bfp16Block.MAX_EXPONENT, new int[] {32767, -32767, 32767, 1});
        Bfp16Block model = ModelUpdate.zeros(4);
        // sigma^2 = 2^64: noise of about 2^32 LSB on mantissas already at the largest exponent
        CentralNoiseSettings loud = CentralNoiseSettings.of(BigInteger.ONE.shiftLeft(64).toString(), SECRET);
        RoundClose.Outcome o = RoundClose.close(mean, buffer(mean, top, top), List.of("node-0", "node-1"), model, null, null, 0,
                a -> loud.apply(1, a));
        assertFalse(o.aggregated());
        assertTrue(o.failure().startsWith("central noise refused: noised aggregate needs exponent "), o.failure());
        assertSame(model, o.modelAfter());
        assertNull(o.nextReference());
    }

    @Test
    void withoutNoiseTheNextReferenceIsTheRulesAggregateAndWithItTheNoisedOne() {
        AggregationSettings mean = AggregationSettings.pipeline(PipelineSpec.parse("mean"), 1);
        Bfp16Block u = Bfp16Block.of(-10, new int[] {1000, -2000, 3000, 0});
        RoundClose.Outcome plain = RoundClose.close(mean, buffer(mean, u, u), List.of("node-0", "node-1"), ModelUpdate.zeros(4));
        assertSame(plain.result().aggregate(), plain.nextReference());
        assertNull(plain.noisedAggregate());
        Bfp16Block shifted = Bfp16Block.of(-10, new int[] {1001, -1999, 3001, 1});
        RoundClose.Outcome noised = RoundClose.close(mean, buffer(mean, u, u), List.of("node-0", "node-1"), ModelUpdate.zeros(4),
                null, null, 0, a -> shifted);
        assertSame(shifted, noised.nextReference());
        assertEquals(ModelUpdate.add(ModelUpdate.zeros(4), shifted), noised.modelAfter(), "the model moves by the noised block");
        assertEquals(plain.result().aggregate(), noised.result().aggregate(), "the rule's aggregate is kept as computed");
    }

    @Test
    void refusesSettingsItCannotRunNamingWhatIsWrong() {
        assertEquals("3/2", CentralNoiseSettings.of(" 6 / 4 ", SECRET).sigma2());
        assertEquals("5", CentralNoiseSettings.of("5", SECRET).sigma2());
        String[][] cases = {
            {"-1", "is not an integer or a fraction"},
            {"", "is not an integer or a fraction"},
            {"1/2/3", "is not an integer or a fraction"},
            {"0x10", "is not an integer or a fraction"},
            {"0/5", "must be positive"},
        };
        for (String[] c : cases) {
            InvalidPrivacyParameterException e = assertThrows(InvalidPrivacyParameterException.class,
                    () -> CentralNoiseSettings.of(c[0], SECRET), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        InvalidPrivacyParameterException e = assertThrows(InvalidPrivacyParameterException.class,
                () -> CentralNoiseSettings.of("1", new byte[31]));
        assertEquals("the central noise secret has 31 bytes; it must have at least 32", e.getMessage());
        assertFalse(CentralNoiseSettings.of("1", SECRET).toString().contains("00000000"), "the secret is never printed");
    }
}
