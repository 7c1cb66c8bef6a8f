package org.qoraedge.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Refusals of the text payloads found while fuzzing them (org.qoraedge.gateway.fuzz.TextMessageFuzzTest). */
class TextMessagesTest {
    private static final String ANNOUNCEMENT = "protocol=1\nfleet=fleet\nround=3\nmodel=m\ndimension=4\nmaxFrameBytes=299\n"
            + "deadline=1767225600000\naggregator=krum\nmetric=common\nf=1\nm=0\nmodelDigest=ab\ngateway=gateway\n";

    @Test
    void anAnnouncementWithinTheIntRangeParsesToItsNumbers() {
        RoundAnnouncement a = RoundAnnouncement.parse(ANNOUNCEMENT.getBytes(StandardCharsets.UTF_8));
        assertEquals(4, a.dimension());
        assertEquals(1, a.f());
        assertEquals(0, a.m());
        assertFalse(a.weighting(), "no weighting key: an unweighted round");
        assertFalse(a.toMessage().toString().contains("weighting"), "an unweighted announcement writes no weighting key");
        RoundAnnouncement w = RoundAnnouncement.parse((ANNOUNCEMENT + "weighting=true\n").getBytes(StandardCharsets.UTF_8));
        assertTrue(w.weighting());
        assertEquals(w, RoundAnnouncement.parse(w.toMessage().toBytes()));
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> RoundAnnouncement.parse((ANNOUNCEMENT + "weighting=yes\n").getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("weighting=yes; must be true or false"), e.getMessage());
    }

    /**
     * Found while writing the fuzz property (corpus input review-dimension-beyond-int): the int fields
     * were cast from long, so dimension=4294967300 was read as dimension 4.
     */
    @Test
    void refusesAnAnnouncementWhoseIntFieldsAreBeyondTheIntRange() {
        for (String field : new String[] {"dimension=4", "f=1", "m=0"}) {
            String key = field.substring(0, field.indexOf('='));
            byte[] payload = ANNOUNCEMENT.replace("\n" + field + "\n", "\n" + key + "=4294967300\n").getBytes(StandardCharsets.UTF_8);
            ProtocolException e = assertThrows(ProtocolException.class, () -> RoundAnnouncement.parse(payload), key);
            assertTrue(e.getMessage().contains("'" + key + "' = 4294967300 is beyond the int range"), e.getMessage());
        }
    }
}
