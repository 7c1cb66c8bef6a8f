package org.qoraedge.gateway.protocol;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 *       {@code <node-id> ed25519 <64 hex seed>}, and the gateway's pinned public key
 *       {@code <gateway-id> gateway-ed25519 <64 hex raw public key>}: the only key the node
 *       trusts for models and round announcements.</li>
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
        List<Entry> entries = read(file);
        try {
            return NodeRegistry.of(entries).keys();
        } catch (ProtocolException e) {
            throw new ProtocolException(file + ": " + e.getMessage(), e);
        }
    }

    /** The scheme word of the gateway's pinned public key in a node's credentials file. */
    public static final String GATEWAY_KEY_WORD = "gateway-ed25519";

    /**
     * Reads a node's credentials file: exactly one key line of the node, and at most one line
     * pinning the gateway's public key.
     */
    public static NodeCredentials readCredentials(Path file) throws IOException {
        List<String> lines = readLines(file);
        List<String> own = new ArrayList<>(lines.size());
        Entry gateway = null;
        for (int i = 0; i < lines.size(); i++) {
            String[] parts = fields(lines.get(i));
            if (parts.length == 3 && parts[1].equals(GATEWAY_KEY_WORD)) {
                String where = file + " line " + (i + 1);
                if (gateway != null) {
                    throw new ProtocolException(where + ": a second gateway key; a credentials file pins exactly one");
                }
                try {
                    Identifiers.utf8("gateway id", parts[0]);
                    byte[] pinned = key(parts[2]);
                    Ed25519Keys.publicPoint(pinned); // refused here, by line, if it is not a public key
                    gateway = new Entry(parts[0], SignatureScheme.ED25519, pinned);
                } catch (ProtocolException e) {
                    throw new ProtocolException(where + ": " + e.getMessage());
                }
                own.add(""); // keep line numbers
            } else {
                own.add(lines.get(i));
            }
        }
        List<Entry> entries = parse(own, file.toString());
        if (entries.size() != 1) {
            throw new ProtocolException(file + " holds " + entries.size() + " node keys; a node's credentials file holds exactly 1");
        }
        Entry e = entries.get(0);
        NodeCredentials c = e.scheme() == SignatureScheme.HMAC_SHA256 ? NodeCredentials.hmac(e.nodeId(), e.key())
                : NodeCredentials.ed25519(e.nodeId(), e.key());
        return gateway == null ? c : c.withGateway(gateway.nodeId(), gateway.key());
    }

    /** The line that pins the gateway's public key in a node's credentials file. */
    public static String gatewayLine(String gatewayId, byte[] publicKey) {
        Identifiers.utf8("gateway id", gatewayId);
        if (publicKey.length != 32) {
            throw new IllegalArgumentException("an ed25519 public key has 32 bytes, got " + publicKey.length);
        }
        return gatewayId + " " + GATEWAY_KEY_WORD + " " + HEX.formatHex(publicKey);
    }

    /**
     * Parses either format; refuses a file that is not UTF-8, bad ids, unknown schemes, keys that are not 32 bytes
     * of hex, duplicates.
     */
    public static List<Entry> read(Path file) throws IOException {
        return parse(readLines(file), file.toString());
    }

    /** The file's lines; refuses a file that is not UTF-8, naming it. */
    private static List<String> readLines(Path file) throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new ProtocolException(file + " is not valid UTF-8 (" + e + ")");
        }
    }

    private static String[] fields(String line) {
        int hash = line.indexOf('#');
        String l = (hash >= 0 ? line.substring(0, hash) : line).strip();
        return l.isEmpty() ? new String[0] : l.split("\\s+");
    }

    private static byte[] key(String hex) {
        byte[] key;
        try {
            key = HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("key is not hex");
        }
        if (key.length != 32) {
            throw new ProtocolException("key has " + key.length + " bytes; keys have 32");
        }
        return key;
    }

    private static List<Entry> parse(List<String> lines, String file) {
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
                byte[] key = key(parts[2]);
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
