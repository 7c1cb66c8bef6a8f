package org.qoraedge.gateway.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.VerifyingKey;

/** Deterministic credentials and updates for tests. */
public final class TestNodes {
    private TestNodes() {
    }

    /** Credentials whose key bytes derive from the id; even indices HMAC, odd Ed25519 when mixed. */
    public static NodeCredentials credentials(String id, boolean ed25519) {
        byte[] key = new byte[32];
        new SplittableRandom(id.hashCode() * 31L + 7).nextBytes(key);
        return ed25519 ? NodeCredentials.ed25519(id, key) : NodeCredentials.hmac(id, key);
    }

    /** {@code count} nodes {@code prefix01..}, alternating HMAC and Ed25519. */
    public static List<NodeCredentials> fleet(String prefix, int count) {
        List<NodeCredentials> out = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add(credentials(String.format("%s%02d", prefix, i), i % 2 == 0));
        }
        return out;
    }

    public static Map<String, VerifyingKey> registry(List<NodeCredentials> nodes) {
        Map<String, VerifyingKey> m = new TreeMap<>();
        for (NodeCredentials c : nodes) {
            m.put(c.nodeId(), c.verifyingKey());
        }
        return m;
    }

    /** Writes the gateway's key file for {@code nodes}. */
    public static Path writeRegistry(Path file, List<NodeCredentials> nodes) throws IOException {
        StringBuilder sb = new StringBuilder("# test registry\n");
        for (NodeCredentials c : nodes) {
            sb.append(c.registryLine()).append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * A deterministic update: honest nodes scatter around a common direction; {@code byzantine}
     * ones send a large opposite vector.
     */
    public static Bfp16Block update(String nodeId, long round, int d, boolean byzantine) {
        SplittableRandom common = new SplittableRandom(round * 1_000_003L);
        SplittableRandom own = new SplittableRandom(round * 1_000_003L + nodeId.hashCode());
        float[] x = new float[d];
        for (int i = 0; i < d; i++) {
            float base = (float) (common.nextDouble() - 0.5) * 0.1f;
            float noise = (float) (own.nextDouble() - 0.5) * 0.01f;
            x[i] = byzantine ? -50f * base + 3f : base + noise;
        }
        return Bfp16.encode(x);
    }
}
