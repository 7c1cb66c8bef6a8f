package org.qoraedge.gateway.fuzz;

import java.util.Arrays;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.VerifyingKey;

/** The fixed keys the seed frames are signed with (so that the corpus holds frames that verify). */
final class SeedKeys {
    static final byte[] HMAC_SECRET = filled(9);
    static final byte[] ED25519_SEED = filled(7);
    static final FrameSigner HMAC_SIGNER = FrameSigner.hmac(HMAC_SECRET);
    static final FrameSigner ED25519_SIGNER = FrameSigner.ed25519(ED25519_SEED);
    static final VerifyingKey HMAC = VerifyingKey.hmac(HMAC_SECRET);
    static final VerifyingKey ED25519 = VerifyingKey.ed25519(Ed25519Keys.publicKeyOf(ED25519_SEED));

    private SeedKeys() {
    }

    private static byte[] filled(int b) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return k;
    }
}
