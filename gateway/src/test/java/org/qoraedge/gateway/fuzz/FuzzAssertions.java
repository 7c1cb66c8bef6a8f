package org.qoraedge.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every refusal of a hostile input must satisfy besides its type. */
final class FuzzAssertions {
    private FuzzAssertions() {
    }

    /** The refusal's message names {@code what} (a file), so an operator knows which file is bad. */
    static void assertNames(String what, Exception e) {
        String m = e.getMessage();
        assertTrue(m != null && m.contains(what), () -> "refusal does not name " + what + ": " + e);
    }
}
