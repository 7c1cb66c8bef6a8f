package org.qoraedge.gateway.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The text payloads of the protocol (announcements, notices, status, round records): UTF-8 lines
 * {@code key=value}, each ended by {@code \n}, keys in a fixed documented order. Values never hold
 * a line break (writers replace one with a space). Immutable.
 */
public final class TextMessage {
    /** Longest text payload a reader accepts. */
    public static final int MAX_BYTES = 64 * 1024;

    private final Map<String, String> fields;

    private TextMessage(Map<String, String> fields) {
        this.fields = Collections.unmodifiableMap(fields);
    }

    /** A builder that keeps insertion order. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses a payload; refuses more than {@link #MAX_BYTES}, invalid UTF-8, a line without
     * {@code =} or a key given twice.
     */
    public static TextMessage parse(byte[] payload) {
        if (payload.length > MAX_BYTES) {
            throw new ProtocolException("text message has " + payload.length + " bytes; at most " + MAX_BYTES);
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("text message is not valid UTF-8");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : s.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ProtocolException("text message line has no key=value form: '" + line + "'");
            }
            String key = line.substring(0, eq);
            if (m.put(key, line.substring(eq + 1)) != null) {
                throw new ProtocolException("text message gives key '" + key + "' twice");
            }
        }
        return new TextMessage(m);
    }

    /** The value of {@code key}, or null. */
    public String get(String key) {
        return fields.get(key);
    }

    /** The value of {@code key}; refuses a missing key. */
    public String require(String key) {
        String v = fields.get(key);
        if (v == null) {
            throw new ProtocolException("text message lacks key '" + key + "'");
        }
        return v;
    }

    /** The value of {@code key} as a decimal long; refuses a missing or non-numeric value. */
    public long requireLong(String key) {
        String v = require(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ProtocolException("text message key '" + key + "' is not an integer: '" + v + "'");
        }
    }

    /** The value of {@code key} as a decimal int; refuses a missing or non-numeric value, or one beyond the int range. */
    public int requireInt(String key) {
        long v = requireLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ProtocolException("text message key '" + key + "' = " + v + " is beyond the int range");
        }
        return (int) v;
    }

    /** Every field, in the order given. */
    public Map<String, String> fields() {
        return fields;
    }

    public byte[] toBytes() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : fields.entrySet()) {
            sb.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return new String(toBytes(), StandardCharsets.UTF_8);
    }

    /** Collects fields in order. */
    public static final class Builder {
        private final Map<String, String> fields = new LinkedHashMap<>();

        public Builder put(String key, Object value) {
            String v = String.valueOf(value).replace('\n', ' ').replace('\r', ' ');
            fields.put(key, v);
            return this;
        }

        public TextMessage build() {
            return new TextMessage(new LinkedHashMap<>(fields));
        }
    }
}
