package org.qoraedge.gateway.deploy;

import java.util.Locale;
import org.qoraedge.gateway.protocol.Identifiers;

/**
 * Names that go into Mosquitto's password and ACL files as they are: usernames (node ids, the
 * gateway's user) and the fleet (a topic level of every ACL line). On top of the protocol's
 * identifier rules (no {@code / + #}, no control character), Mosquitto's file formats need: no
 * {@code :} (it ends the username in a password file line) and no whitespace of any kind (ACL lines
 * are split on it, and a line break would start a new rule).
 */
public final class BrokerNames {
    private BrokerNames() {
    }

    /** Refuses {@code name} with a message naming it and its first unsafe character. */
    public static void check(String what, String name) {
        if (name == null || name.isEmpty()) {
            throw new DeploymentException(what + " is empty; Mosquitto's password and ACL files need a name");
        }
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            String why = null;
            if (c == '+' || c == '#' || c == '/') {
                why = "an MQTT topic wildcard or separator";
            } else if (c == ':') {
                why = "the separator of Mosquitto's password file";
            } else if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                why = "whitespace, which splits (or, as a line break, ends) a line of Mosquitto's ACL file";
            } else if (Character.isISOControl(c)) {
                why = "a control character";
            }
            if (why != null) {
                throw new DeploymentException(what + " \"" + escape(name) + "\" cannot go into a Mosquitto password or ACL file: character "
                        + String.format(Locale.ROOT, "U+%04X", c) + " at index " + i + " is " + why);
            }
            i += Character.charCount(c);
        }
        if (!Identifiers.isValid(name)) {
            throw new DeploymentException(what + " \"" + escape(name) + "\" is not a valid identifier (docs/PROTOCOL.md section 2)");
        }
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029) {
                b.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
