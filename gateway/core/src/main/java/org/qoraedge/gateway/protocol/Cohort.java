package org.qoraedge.gateway.protocol;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.NodeIds;

/**
 * The cohort of a partial-participation round (docs/PROTOCOL.md section 6.2): the {@code k} nodes
 * of the eligible set with the smallest key {@code SHA-256(model digest || round || node id)},
 * where the model digest is the 32 raw bytes of the spec section 7 digest of the global model the
 * round starts from, the round a u64 big-endian, and the node id its UTF-8 bytes. Keys are compared
 * as unsigned bytes, ties (which need a SHA-256 collision) by the node ids' UTF-8 bytes. Anyone
 * holding the previous round's record can recompute it: neither the gateway nor a node chooses who
 * is asked. Pure and thread-safe.
 */
public final class Cohort {
    private static final HexFormat HEX = HexFormat.of();

    private Cohort() {
    }

    /**
     * A node's selection key for a round.
     *
     * @param modelDigest the 64 hex digits of the starting model's digest
     * @param round the round, {@code >= 0}
     * @param nodeId a valid node id
     * @return the 32-byte SHA-256 key
     * @throws ProtocolException for a digest that is not 64 hex digits or a negative round
     */
    public static byte[] key(String modelDigest, long round, String nodeId) {
        return key(digestBytes(modelDigest), round, NodeIds.utf8(nodeId));
    }

    private static byte[] key(byte[] digest, long round, byte[] id) {
        MessageDigest sha = Digests.sha256();
        sha.update(digest);
        sha.update(ByteBuffer.allocate(Long.BYTES).putLong(round).array());
        sha.update(id);
        return sha.digest();
    }

    /**
     * The cohort: the {@code k} eligible nodes with the smallest keys, or every eligible node when
     * there are {@code k} or fewer, in canonical order (UTF-8 bytes, docs/PROTOCOL.md section 2).
     *
     * @param modelDigest the 64 hex digits of the starting model's digest
     * @param round the round
     * @param eligible the eligible node ids (any order; duplicates refused)
     * @param k the cohort size, {@code >= 1}
     * @throws ProtocolException for {@code k < 1}, a bad digest, a negative round or a duplicate id
     */
    public static List<String> select(String modelDigest, long round, Collection<String> eligible, int k) {
        if (k < 1) {
            throw new ProtocolException("cohort size must be >= 1, got " + k);
        }
        byte[] digest = digestBytes(modelDigest);
        if (round < 0) {
            throw new ProtocolException("round must be >= 0, got " + round);
        }
        int n = eligible.size();
        String[] ids = eligible.toArray(new String[0]);
        byte[][] utf8 = new byte[n][];
        byte[][] keys = new byte[n][];
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            utf8[i] = NodeIds.utf8(ids[i]);
            keys[i] = key(digest, round, utf8[i]);
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Arrays.compareUnsigned(keys[a], keys[b]);
            return c != 0 ? c : NodeIds.compare(utf8[a], utf8[b]);
        });
        Integer[] chosen = Arrays.copyOf(idx, Math.min(k, n));
        Arrays.sort(chosen, (a, b) -> NodeIds.compare(utf8[a], utf8[b]));
        List<String> out = new ArrayList<>(chosen.length);
        for (int i = 0; i < chosen.length; i++) {
            if (i > 0 && NodeIds.compare(utf8[chosen[i - 1]], utf8[chosen[i]]) == 0) {
                throw new ProtocolException("eligible set names node " + NodeIds.escape(ids[chosen[i]]) + " twice");
            }
            out.add(ids[chosen[i]]);
        }
        if (chosen.length < n) {
            checkNoDuplicate(utf8, ids);
        }
        return List.copyOf(out);
    }

    private static void checkNoDuplicate(byte[][] utf8, String[] ids) {
        Integer[] idx = new Integer[utf8.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> NodeIds.compare(utf8[a], utf8[b]));
        for (int i = 1; i < idx.length; i++) {
            if (NodeIds.compare(utf8[idx[i - 1]], utf8[idx[i]]) == 0) {
                throw new ProtocolException("eligible set names node " + NodeIds.escape(ids[idx[i]]) + " twice");
            }
        }
    }

    private static byte[] digestBytes(String modelDigest) {
        if (modelDigest.length() != 64) {
            throw new ProtocolException("model digest must be 64 hex digits, got " + modelDigest.length() + " characters");
        }
        try {
            return HEX.parseHex(modelDigest);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("model digest is not hex: " + modelDigest);
        }
    }
}
