package org.qoraedge.gateway.protocol;

import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The nodes a gateway knows, read once from its key file: each node's verifying key, and the key
 * as the key file writes it ({@code <scheme> <hex>}), which the state file keeps so that a changed
 * key file is noticed on restart.
 */
public final class NodeRegistry {
    private final SortedMap<String, VerifyingKey> keys;
    private final SortedMap<String, String> keyText;

    private NodeRegistry(SortedMap<String, VerifyingKey> keys, SortedMap<String, String> keyText) {
        this.keys = Collections.unmodifiableSortedMap(keys);
        this.keyText = Collections.unmodifiableSortedMap(keyText);
    }

    /** The registry of a key file's entries (see {@link KeyFiles#read}). */
    public static NodeRegistry of(List<KeyFiles.Entry> entries) {
        SortedMap<String, VerifyingKey> keys = new TreeMap<>();
        SortedMap<String, String> text = new TreeMap<>();
        for (KeyFiles.Entry e : entries) {
            try {
                keys.put(e.nodeId(), e.scheme() == SignatureScheme.HMAC_SHA256 ? VerifyingKey.hmac(e.key())
                        : VerifyingKey.ed25519(e.key()));
            } catch (ProtocolException bad) {
                throw new ProtocolException("node " + e.nodeId() + ": " + bad.getMessage(), bad);
            }
            text.put(e.nodeId(), e.scheme().keyFileName() + " " + HexFormat.of().formatHex(e.key()));
        }
        return new NodeRegistry(keys, text);
    }

    /** A registry of keys alone, without their key-file text (the state file then keeps none). */
    public static NodeRegistry ofKeys(Map<String, VerifyingKey> keys) {
        return new NodeRegistry(new TreeMap<>(keys), new TreeMap<>());
    }

    /** Node id to verifying key, sorted by id. */
    public SortedMap<String, VerifyingKey> keys() {
        return keys;
    }

    /** Node id to {@code <scheme> <hex>} as in the key file, sorted by id; empty for {@link #ofKeys}. */
    public SortedMap<String, String> keyText() {
        return keyText;
    }
}
