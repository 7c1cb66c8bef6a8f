package org.qoraedge.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.junit.jupiter.api.Assertions;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.ProtocolException;
import org.qoraedge.gateway.protocol.RejectionNotice;
import org.qoraedge.gateway.protocol.RoundAnnouncement;
import org.qoraedge.gateway.protocol.SignedText;
import org.qoraedge.gateway.protocol.TextMessage;
import org.qoraedge.gateway.protocol.VerifyingKey;

/**
 * The protocol's text payloads (docs/PROTOCOL.md: round announcement, rejection notice, and the
 * {@code key=value} lines under them, which birth, death and status messages share): any bytes parse
 * to fields that mean exactly what the bytes say, or are refused with a {@link ProtocolException}.
 */
class TextMessageFuzzTest {

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void textMessagesParseToFieldsThatSurviveReEncodingOrAreRefusedWithAProtocolException(byte[] payload) {
        TextMessage t;
        try {
            t = TextMessage.parse(payload);
        } catch (ProtocolException e) {
            return;
        }
        assertEquals(t.fields(), TextMessage.parse(t.toBytes()).fields(), "fields after toBytes and parse");
    }

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void roundAnnouncementsParseToExactlyTheNumbersTheyCarryOrAreRefusedWithAProtocolException(byte[] payload) {
        RoundAnnouncement a;
        try {
            a = RoundAnnouncement.parse(payload);
        } catch (ProtocolException e) {
            return;
        }
        TextMessage t = TextMessage.parse(payload);
        assertEquals(t.requireLong("round"), a.round(), "round");
        assertEquals(t.requireLong("dimension"), a.dimension(), "dimension");
        assertEquals(t.requireLong("maxFrameBytes"), a.maxFrameBytes(), "maxFrameBytes");
        assertEquals(t.requireLong("deadline"), a.deadlineEpochMillis(), "deadline");
        assertEquals(t.requireLong("f"), a.f(), "f");
        assertEquals(t.requireLong("m"), a.m(), "m");
        byte[] once = a.toMessage().toBytes();
        assertEquals(a.toMessage().toString(), RoundAnnouncement.parse(once).toMessage().toString(), "announcement re-encoded");
    }

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void rejectionNoticesParseToExactlyWhatTheyCarryOrAreRefusedWithAProtocolException(byte[] payload) {
        RejectionNotice n;
        try {
            n = RejectionNotice.parse(payload);
        } catch (ProtocolException e) {
            return;
        }
        TextMessage t = TextMessage.parse(payload);
        assertEquals(t.require("reason"), n.reason().wireName(), "reason");
        assertEquals(t.requireLong("sequence"), n.sequence(), "sequence");
        byte[] once = n.toMessage().toBytes();
        assertEquals(n.toMessage().toString(), RejectionNotice.parse(once).toMessage().toString(), "notice re-encoded");
    }

    /** The gateway key of the signed-text seeds (seed bytes 0..31 = 7). */
    static final byte[] GATEWAY_SEED = filled(7);
    static final String ROUND_TOPIC = "qora/v1/fuzz/round";

    private static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }

    @FuzzTest(maxDuration = FuzzRuns.MAX_DURATION)
    void signedTextIsAcceptedOnlyAsTheGatewaySignedItOrIsRefusedWithAProtocolException(byte[] payload) {
        byte[] body;
        try {
            body = SignedText.verify(ROUND_TOPIC, payload,
                    VerifyingKey.ed25519(Ed25519Keys.publicKeyOf(GATEWAY_SEED)));
        } catch (ProtocolException e) {
            return;
        }
        // Ed25519 signatures are deterministic: what verifies is byte for byte what the gateway would publish.
        Assertions.assertArrayEquals(payload,
                SignedText.sign(ROUND_TOPIC, body, FrameSigner.ed25519(GATEWAY_SEED)));
    }
}
