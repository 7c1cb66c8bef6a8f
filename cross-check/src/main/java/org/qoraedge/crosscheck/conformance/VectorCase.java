package org.qoraedge.crosscheck.conformance;

import com.google.gson.JsonObject;

/**
 * One line of a {@code bfp16-krum-vectors/1} file.
 *
 * @param source the file and line it came from, for messages
 */
public record VectorCase(String kind, String id, JsonObject input, JsonObject expected, String source) {

    /** True when the spec says this case must be refused. */
    public boolean expectsRefusal() {
        return expected.has("refuse") && expected.get("refuse").getAsBoolean();
    }

    @Override
    public String toString() {
        return id;
    }
}
