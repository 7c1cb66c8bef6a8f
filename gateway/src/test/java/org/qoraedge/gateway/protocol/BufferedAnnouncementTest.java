package org.qoraedge.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The buffered mode's lines of the round announcement (docs/PROTOCOL.md section 6.3). */
class BufferedAnnouncementTest {
    private static final String DIGEST = "ab".repeat(32);

    private static RoundAnnouncement of(RoundAnnouncement.Buffered b) {
        return new RoundAnnouncement("demo", 7, "m", 4, Frame.maxSize(4), 0, "mean", "none", 0, 0, DIGEST, "gw", false, null, b);
    }

    @Test
    void aBufferedAnnouncementNamesTheModeTheBufferSizeAndTheStalenessLimit() {
        String text = new String(of(new RoundAnnouncement.Buffered(5, 2)).toMessage().toBytes(), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("gateway=gw\nmode=buffered\nbufferSize=5\nmaxStaleness=2\n"), text);
        RoundAnnouncement back = RoundAnnouncement.parse(text.getBytes(StandardCharsets.UTF_8));
        assertEquals(new RoundAnnouncement.Buffered(5, 2), back.buffered());
        assertEquals(5, back.oldestVersionTaken(), "version 7, two behind");
    }

    @Test
    void aSynchronousAnnouncementHasNoModeLineAndTakesOnlyItsRound() {
        String text = new String(of(null).toMessage().toBytes(), StandardCharsets.UTF_8);
        assertFalse(text.contains("mode="), text);
        RoundAnnouncement back = RoundAnnouncement.parse(text.getBytes(StandardCharsets.UTF_8));
        assertNull(back.buffered());
        assertEquals(7, back.oldestVersionTaken());
        assertNull(RoundAnnouncement.parse((text + "mode=sync\n").getBytes(StandardCharsets.UTF_8)).buffered());
    }

    @Test
    void anUnknownModeOrOutOfRangeBufferLinesAreRefused() {
        String base = new String(of(null).toMessage().toBytes(), StandardCharsets.UTF_8);
        for (String tail : new String[] {"mode=async\n", "mode=buffered\n", "mode=buffered\nbufferSize=0\nmaxStaleness=2\n",
            "mode=buffered\nbufferSize=3\nmaxStaleness=-1\n", "mode=buffered\nbufferSize=3\nmaxStaleness=x\n"}) {
            assertThrows(ProtocolException.class, () -> RoundAnnouncement.parse((base + tail).getBytes(StandardCharsets.UTF_8)), tail);
        }
    }
}
