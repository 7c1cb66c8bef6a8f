package org.qoraedge.gateway.protocol;

import org.qoraedge.fixedpoint.FixedPointException;
import org.qoraedge.fixedpoint.NodeIds;

/**
 * The rules shared by fleet names, node ids and model ids (docs/PROTOCOL.md, "Identifiers"): 1 to
 * 64 bytes of valid UTF-8, no control character, none of the MQTT topic characters
 * {@code / + #} (fleets and node ids are topic levels), and no character the MQTT client cannot
 * put in a topic (Eclipse Paho 1.2.5 refuses every character from U+FDD0 up, surrogate pairs
 * included, and every ISO control character).
 */
public final class Identifiers {
    /** Longest identifier, in UTF-8 bytes. */
    public static final int MAX_BYTES = 64;

    private Identifiers() {
    }

    /** Validates an identifier and returns its UTF-8 bytes. */
    public static byte[] utf8(String what, String id) {
        byte[] b;
        try {
            b = NodeIds.utf8(id);
        } catch (FixedPointException e) {
            throw new ProtocolException(what + " is not a valid identifier: " + e.getMessage());
        }
        check(what, id, b.length);
        return b;
    }

    /** Decodes and validates an identifier received from outside. */
    public static String fromUtf8(String what, byte[] bytes) {
        String id;
        try {
            id = NodeIds.fromUtf8(bytes);
        } catch (FixedPointException e) {
            throw new ProtocolException(what + " is not a valid identifier: " + e.getMessage());
        }
        check(what, id, bytes.length);
        return id;
    }

    private static void check(String what, String id, int length) {
        if (length > MAX_BYTES) {
            throw new ProtocolException(what + " " + NodeIds.escape(id) + " has " + length + " UTF-8 bytes; at most " + MAX_BYTES);
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '/' || c == '+' || c == '#') {
                throw new ProtocolException(what + " " + NodeIds.escape(id) + " contains '" + c + "', which MQTT topics reserve");
            }
            if (c >= 0xFDD0 || Character.isSurrogate(c) || Character.isISOControl(c)) {
                throw new ProtocolException(what + " " + NodeIds.escape(id) + " contains U+" + String.format("%04X", (int) c)
                        + ", which the MQTT client cannot put in a topic (characters from U+FDD0 up and control characters)");
            }
        }
    }

    /** True when {@code id} passes {@link #utf8}. */
    public static boolean isValid(String id) {
        try {
            utf8("id", id);
            return true;
        } catch (ProtocolException e) {
            return false;
        }
    }

}
