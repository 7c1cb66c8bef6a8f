package org.qoraedge.gateway.protocol;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The two key file formats (docs/PROTOCOL.md, "Keys"): UTF-8 text, one key per line, {@code #}
 * starts a comment, fields separated by spaces.
 * <ul>
 *   <li>the gateway's registry: {@code <node-id> hmac-sha256 <64 hex secret>} or
 *       {@code <node-id> ed25519 <64 hex raw public key>};</li>
 *   <li>a node's credentials: {@code <node-id> hmac-sha256 <64 hex secret>} or
 *       {@code <node-id> ed25519 <64 hex seed>}.</li>
 * </ul>
 */
public final class KeyFiles {
    private static final HexFormat HEX = HexFormat.of();

    private KeyFiles() {
    }

    /** One parsed line. */
    public record Entry(String nodeId, SignatureScheme scheme, byte[] key) {
    }

    /** Reads the gateway's registry: node id to verifying key, sorted by node id. */
    public static Map<String, VerifyingKey> readRegistry(Path file) throws IOException {
        Map<String, VerifyingKey> out = new TreeMap<>();
        for (Entry e : read(file)) {
            VerifyingKey k = e.scheme() == SignatureScheme.HMAC_SHA256 ? VerifyingKey.hmac(e.key()) : VerifyingKey.ed25519(e.key());
            out.put(e.nodeId(), k);
        }
        return out;
    }

    /** Reads a node's credentials file: exactly one line. */
    public static NodeCredentials readCredentials(Path file) throws IOException {
        List<Entry> entries = read(file);
        if (entries.size() != 1) {
            throw new ProtocolException(file + " holds " + entries.size() + " keys; a node's credentials file holds exactly 1");
        }
        Entry e = entries.get(0);
        return e.scheme() == SignatureScheme.HMAC_SHA256 ? NodeCredentials.hmac(e.nodeId(), e.key())
                : NodeCredentials.ed25519(e.nodeId(), e.key());
    }

    /**
     * Parses either format; refuses a file that is not UTF-8, bad ids, unknown schemes, keys that are not 32 bytes
     * of hex, duplicates.
     */
    public static List<Entry> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new ProtocolException(file + " is not valid UTF-8 (" + e + ")");
        }
        Map<String, Entry> byId = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+");
            String where = file + " line " + (i + 1);
            if (parts.length != 3) {
                throw new ProtocolException(where + " has " + parts.length + " fields; expected: <node-id> <scheme> <hex key>");
            }
            try {
                Identifiers.utf8("node id", parts[0]);
                SignatureScheme scheme = SignatureScheme.ofKeyFileName(parts[1]);
                byte[] key;
                try {
                    key = HEX.parseHex(parts[2]);
                } catch (IllegalArgumentException e) {
                    throw new ProtocolException("key is not hex");
                }
                if (key.length != 32) {
                    throw new ProtocolException("key has " + key.length + " bytes; keys have 32");
                }
                if (byId.put(parts[0], new Entry(parts[0], scheme, key)) != null) {
                    throw new ProtocolException("node id " + parts[0] + " appears twice");
                }
            } catch (ProtocolException e) {
                throw new ProtocolException(where + ": " + e.getMessage());
            }
        }
        return List.copyOf(byId.values());
    }

    /** One line of either format. */
    public static String line(String nodeId, SignatureScheme scheme, byte[] key) {
        Identifiers.utf8("node id", nodeId);
        return nodeId + " " + scheme.keyFileName() + " " + HEX.formatHex(key);
    }
}
