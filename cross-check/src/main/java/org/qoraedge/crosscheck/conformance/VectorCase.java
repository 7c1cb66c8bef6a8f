package org.qoraedge.crosscheck.conformance;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * One line of a {@code bfp16-krum-vectors/1} file (docs/CONFORMANCE.md).
 *
 * @param source the file and line it came from, for messages
 */
public record VectorCase(String kind, String id, JsonObject input, JsonObject expected, String source) {

    /**
     * True when the spec says this case must be refused.
     *
     * @throws MalformedCaseException when {@code expected.refuse} is there but not a boolean
     */
    public boolean expectsRefusal() {
        if (!expected.has("refuse")) {
            return false;
        }
        JsonElement r = expected.get("refuse");
        if (!r.isJsonPrimitive() || !r.getAsJsonPrimitive().isBoolean()) {
            throw new MalformedCaseException("case " + id + " (" + source + ") is malformed: expected.refuse is " + r
                    + ", not true or false");
        }
        return r.getAsBoolean();
    }

    @Override
    public String toString() {
        return id;
    }
}
