package org.qoraedge.gateway.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Identifiers are topic levels: only what the MQTT client can carry in a topic is accepted. */
class IdentifiersTest {
    @Test
    void refusesCharactersTheMqttClientCannotPutInATopicNamingThem() {
        for (String id : new String[] {"node-\uFDF0", "node-\uFFFD", "node-\uD83D\uDE00", "a/b", "a+b", "a#b", "", "node-\u0085"}) {
            assertFalse(Identifiers.isValid(id), id);
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> Identifiers.utf8("node id", "pump-\uFFFD"));
        assertTrue(e.getMessage().contains("U+FFFD"), e.getMessage());
    }

    @Test
    void acceptsOrdinaryUnicodeIds() {
        for (String id : new String[] {"node-01", "pompe-\u00e9t\u00e9", "\u6cf5-7", "\u0441\u0435\u043d\u0441\u043e\u0440"}) {
            assertTrue(Identifiers.isValid(id), id);
        }
    }
}
