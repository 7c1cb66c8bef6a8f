package org.qoraedge.fixedpoint;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Node ids and the canonical order of a round (spec section 5): ids sorted by the unsigned
 * lexicographic order of their UTF-8 bytes, a proper prefix first. Not {@code String.compareTo}
 * (UTF-16 order differs above U+FFFF), no case folding, no normalization.
 */
public final class NodeIds {
    private NodeIds() {
    }

    /**
     * The UTF-8 bytes of a node id, validated: non-empty, valid Unicode (no lone surrogate) and no
     * control character.
     *
     * @throws InvalidNodeIdException naming what is wrong
     */
    public static byte[] utf8(String id) {
        if (id.isEmpty()) {
            throw new InvalidNodeIdException("node id is empty");
        }
        for (int i = 0; i < id.length(); ) {
            int cp = id.codePointAt(i);
            if (Character.isISOControl(cp)) {
                throw new InvalidNodeIdException(String.format("node id has control character U+%04X at index %d", cp, i));
            }
            i += Character.charCount(cp);
        }
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer b = enc.encode(CharBuffer.wrap(id));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new InvalidNodeIdException("node id is not valid Unicode (lone surrogate): " + escape(id));
        }
    }

    /**
     * Decodes a node id from UTF-8 bytes received from outside, refusing invalid UTF-8 (overlong
     * forms, encoded surrogates, truncated sequences) and everything {@link #utf8} refuses.
     */
    public static String fromUtf8(byte[] bytes) {
        try {
            String id = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            utf8(id);
            return id;
        } catch (CharacterCodingException e) {
            throw new InvalidNodeIdException("node id bytes are not valid UTF-8 (" + bytes.length + " bytes)");
        }
    }

    /** Unsigned lexicographic comparison of UTF-8 bytes; a proper prefix sorts first. */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /**
     * The canonical order of a round's ids: {@code order[k]} is the index in {@code ids} of the id
     * whose update becomes block {@code k}.
     *
     * @throws InvalidNodeIdException for an invalid id or a duplicate (equal UTF-8 bytes)
     */
    public static int[] canonicalOrder(String[] ids) {
        if (ids.length == 0) {
            throw new EmptyInputException("no node ids given");
        }
        byte[][] keys = new byte[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            keys[i] = utf8(ids[i]);
        }
        return canonicalOrder(keys, ids);
    }

    private static int[] canonicalOrder(byte[][] keys, String[] ids) {
        Integer[] idx = new Integer[keys.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> compare(keys[a], keys[b]));
        int[] order = new int[idx.length];
        for (int k = 0; k < order.length; k++) {
            order[k] = idx[k];
            if (k > 0 && compare(keys[order[k - 1]], keys[order[k]]) == 0) {
                throw new InvalidNodeIdException("duplicate node id " + escape(ids[order[k]]) + " at indices "
                        + Math.min(order[k - 1], order[k]) + " and " + Math.max(order[k - 1], order[k]));
            }
        }
        return order;
    }

    /** The id with non-ASCII and control characters escaped, for messages and logs. */
    public static String escape(String id) {
        StringBuilder sb = new StringBuilder(id.length() + 2).append('"');
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.append('"').toString();
    }
}
