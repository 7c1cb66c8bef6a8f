package org.qoraedge.gateway.reputation;

import java.util.Comparator;
import org.qoraedge.fixedpoint.InvalidNodeIdException;
import org.qoraedge.fixedpoint.NodeIds;

/**
 * The canonical order of node ids (spec section 5): unsigned lexicographic order of their UTF-8
 * bytes, which for valid ids is the order of their Unicode code points, compared here without
 * encoding (the ledger looks ids up once per frame). Not {@code String.compareTo}: UTF-16 order
 * differs above U+FFFF.
 */
final class CanonicalOrder {
    static final Comparator<String> IDS = CanonicalOrder::compare;

    private CanonicalOrder() {
    }

    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * Refuses an id that {@link NodeIds#utf8} refuses (empty, control character, lone surrogate).
     *
     * @param what names the id's role in the message, for example {@code "absent node"}
     */
    static String valid(String id, String what) {
        if (id == null) {
            throw new ReputationException(what + " is null");
        }
        try {
            NodeIds.utf8(id);
        } catch (InvalidNodeIdException e) {
            throw new ReputationException(what + " " + NodeIds.escape(id) + " is not a valid node id: " + e.getMessage(), e);
        }
        return id;
    }
}
