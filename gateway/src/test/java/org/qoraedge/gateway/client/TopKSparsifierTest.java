package org.qoraedge.gateway.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.protocol.FrameCodec;
import org.qoraedge.gateway.protocol.ProtocolException;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SparseFrame;

/** Top-k selection with error feedback on the node (docs/PROTOCOL.md section 4.1). */
class TopKSparsifierTest {
    @Test
    void keepsTheLargestMagnitudesWithTiesToTheLowerIndex() {
        // |values|: 3 5 5 1 5 2 at exponent 0; k = ceil(0.5 * 6) = 3 -> indices 1, 2, 4
        Bfp16Block u = Bfp16Block.of(0, new short[] {3, -5, 5, 1, -5, 2});
        TopKSparsifier.Selection s = new TopKSparsifier(0.5).select(u);
        assertArrayEquals(new int[] {1, 2, 4}, s.indices());
        assertArrayEquals(new short[] {-5, 5, -5}, s.mantissas());
        assertEquals(0, s.exponent());
        // ties: four equal magnitudes, k = 2 -> the two lowest indices
        s = new TopKSparsifier(0.5).select(Bfp16Block.of(0, new short[] {7, -7, 7, -7}));
        assertArrayEquals(new int[] {0, 1}, s.indices());
    }

    @Test
    void countIsCeilingOfDensityTimesDimensionAtLeastOne() {
        assertEquals(1, TopKSparsifier.count(0.01, 50));
        assertEquals(1, TopKSparsifier.count(0.01, 100));
        assertEquals(2, TopKSparsifier.count(0.01, 101));
        assertEquals(7850, TopKSparsifier.count(1.0, 7850));
        assertEquals(785, TopKSparsifier.count(0.1, 7850));
    }

    @Test
    void errorFeedbackCarriesTheUnsentResidualToTheNextRound() {
        TopKSparsifier t = new TopKSparsifier(0.25); // k = 1 of 4
        TopKSparsifier.Selection first = t.select(Bfp16Block.of(0, new short[] {4, 3, 2, 1}));
        assertArrayEquals(new int[] {0}, first.indices());
        assertArrayEquals(new double[] {0, 3, 2, 1}, t.residual());
        // next update 0, 1, 2, 0: corrected 0, 4, 4, 1 -> index 1 (tie to lower), residual 0, 0, 4, 1
        TopKSparsifier.Selection second = t.select(Bfp16Block.of(0, new short[] {0, 1, 2, 0}));
        assertArrayEquals(new int[] {1}, second.indices());
        assertArrayEquals(new short[] {4}, second.mantissas());
        assertArrayEquals(new double[] {0, 0, 4, 1}, t.residual());
        // a zero update still sends what was carried
        TopKSparsifier.Selection third = t.select(Bfp16Block.of(0, new short[] {0, 0, 0, 0}));
        assertArrayEquals(new int[] {2}, third.indices());
        assertArrayEquals(new short[] {4}, third.mantissas());
    }

    @Test
    void sentPlusResidualIsTheCorrectedUpdateExactly() {
        TopKSparsifier t = new TopKSparsifier(0.3);
        short[] m = new short[10];
        for (int i = 0; i < m.length; i++) {
            m[i] = (short) ((i * 7919) % 601 - 300);
        }
        Bfp16Block u = Bfp16Block.of(-4, m);
        TopKSparsifier.Selection s = t.select(u);
        double[] r = t.residual();
        Bfp16Block sent = s.densify();
        for (int i = 0; i < m.length; i++) {
            assertEquals(m[i] * 0.0625, sent.mantissa(i) * Math.scalb(1.0, sent.exponent()) + r[i], 0.0, "index " + i);
        }
    }

    @Test
    void aFullDensitySelectionDensifiesToTheUpdate() {
        Bfp16Block u = Bfp16Block.of(-10, new short[] {1, -2, 32767, -32767});
        TopKSparsifier.Selection s = new TopKSparsifier(1.0).select(u);
        assertEquals(u, s.densify());
    }

    @Test
    void densifyOfTheEncodedSparseFrameIsTheSelection() {
        TopKSparsifier.Selection s = new TopKSparsifier(0.1).select(Bfp16Block.of(-3, new short[] {
            0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -300}));
        SparseFrame f = new SparseFrame(SignatureScheme.HMAC_SHA256, "f", "n", 1, 1, "m", s.exponent(), s.dimension(),
                s.indices(), s.mantissas());
        byte[] bytes = f.unsignedBytes();
        assertEquals(s.densify(), FrameCodec.parseHeader(bytes, bytes.length).block());
        assertArrayEquals(new int[] {1, 19}, s.indices());
    }

    @Test
    void refusesADensityOutsideZeroToOne() {
        assertThrows(ProtocolException.class, () -> new TopKSparsifier(0));
        assertThrows(ProtocolException.class, () -> new TopKSparsifier(1.5));
        assertThrows(ProtocolException.class, () -> new TopKSparsifier(Double.NaN));
    }
}
