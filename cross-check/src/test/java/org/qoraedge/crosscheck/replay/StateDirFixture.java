package org.qoraedge.crosscheck.replay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.qoraedge.fixedpoint.Bfp16;
import org.qoraedge.fixedpoint.Bfp16Block;
import org.qoraedge.fixedpoint.Digests;
import org.qoraedge.fixedpoint.NodeIds;
import org.qoraedge.fixedpoint.Oracle;
import org.qoraedge.fixedpoint.krum.Krum;
import org.qoraedge.fixedpoint.krum.KrumResult;
import org.qoraedge.fixedpoint.krum.Metric;
import org.qoraedge.gateway.audit.AuditLog;
import org.qoraedge.gateway.audit.AuditRecord;
import org.qoraedge.gateway.protocol.Ed25519Keys;
import org.qoraedge.gateway.protocol.Frame;
import org.qoraedge.gateway.protocol.FrameKind;
import org.qoraedge.gateway.protocol.FrameSigner;
import org.qoraedge.gateway.protocol.NodeCredentials;
import org.qoraedge.gateway.protocol.SignatureScheme;
import org.qoraedge.gateway.protocol.SparseFrame;
import org.qoraedge.gateway.state.RoundJournal;

/**
 * A gateway state directory written by hand: {@code audit.log} and {@code rounds/*.journal} for
 * four rounds (1: Krum, kept; 2: failed below quorum, kept; 3: Krum, frames not kept; 4: Multi-Krum
 * with PAIRWISE, kept) and the journal of round 5, still open (no record yet). Expected results
 * come from fixedpoint's reference Krum called here and the BigInteger model sum of fixedpoint's
 * test-jar ({@link Oracle#exactSum}), not from the replay code. A test may alter a round's record
 * before the log is written.
 */
final class StateDirFixture {
    static final String FLEET = "orchard";
    static final String GATEWAY = "gw-1";
    static final String MODEL_ID = "mlp-1";
    static final int D = 32;
    static final String SPARSE_NODE = "n02";
    static final byte[] GATEWAY_SEED = filled(42);
    static final FrameSigner GATEWAY_SIGNER = FrameSigner.ed25519(GATEWAY_SEED);
    static final String GATEWAY_KEY = HexFormat.of().formatHex(Ed25519Keys.publicKeyOf(GATEWAY_SEED));

    final Path dir;
    final Path log;
    final Path rounds;
    final List<NodeCredentials> nodes = new ArrayList<>();
    final List<AuditRecord> records = new ArrayList<>();
    final List<String> lines = new ArrayList<>();

    StateDirFixture(Path dir) {
        this.dir = dir;
        this.log = dir.resolve("audit.log");
        this.rounds = dir.resolve("rounds");
        for (int i = 1; i <= 9; i++) {
            byte[] key = filled(100 + i);
            String id = String.format("n%02d", i);
            nodes.add(i % 2 == 0 ? NodeCredentials.ed25519(id, key) : NodeCredentials.hmac(id, key));
        }
    }

    /** Writes the four rounds and the open fifth; {@code alter} may change each record before it is signed. */
    StateDirFixture write(UnaryOperator<AuditRecord> alter) throws IOException {
        Files.createDirectories(rounds);
        Bfp16Block model = Bfp16Block.of(0, new short[D]);
        model = round(1, model, 7, "krum", "common", 1, 0, true, alter);
        model = round(2, model, 3, "krum", "common", 1, 0, true, alter);
        model = round(3, model, 6, "krum", "common", 1, 0, false, alter);
        model = round(4, model, 9, "multi-krum", "pairwise", 2, 0, true, alter);
        try (RoundJournal j = RoundJournal.create(rounds.resolve(journalName(5)), FLEET, 5, modelFrame(model, 5))) {
            j.accepted(update(nodes.get(0), 5, block(nodes.get(0).nodeId(), 5, false)));
        }
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        Files.writeString(log, sb.toString(), StandardCharsets.UTF_8);
        return this;
    }

    StateDirFixture write() throws IOException {
        return write(r -> r);
    }

    static String journalName(long round) {
        return String.format("%020d.journal", round);
    }

    Path journal(long round) {
        return rounds.resolve(journalName(round));
    }

    Path writeRegistry() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (NodeCredentials c : nodes) {
            sb.append(c.registryLine()).append('\n');
        }
        Path p = dir.resolve("keys.txt");
        Files.writeString(p, sb.toString(), StandardCharsets.UTF_8);
        return p;
    }

    private Bfp16Block round(long round, Bfp16Block model, int n, String aggregator, String metric, int f, int m, boolean keep,
            UnaryOperator<AuditRecord> alter) throws IOException {
        List<String> ids = new ArrayList<>();
        List<Bfp16Block> blocks = new ArrayList<>();
        List<AuditRecord.FrameEntry> entries = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) { // arrival order: reverse of canonical order
            NodeCredentials c = nodes.get(i);
            Bfp16Block b = block(c.nodeId(), round, i == n - 1);
            if (c.nodeId().equals(SPARSE_NODE)) {
                short[] kept = new short[D];
                for (int k = 0; k < D; k += 4) {
                    kept[k] = b.mantissa(k);
                }
                b = Bfp16Block.of(b.exponent(), kept);
            }
            byte[] frame = update(c, round, b);
            ids.add(c.nodeId());
            blocks.add(b);
            frames.add(frame);
            entries.add(new AuditRecord.FrameEntry(c.nodeId(), round, round, Digests.hex(frame), Digests.block(b), "accepted"));
        }
        byte[] modelFrame = modelFrame(model, round);
        if (keep) {
            try (RoundJournal j = RoundJournal.create(journal(round), FLEET, round, modelFrame)) {
                for (byte[] fr : frames) {
                    j.accepted(fr);
                }
            }
        }
        String[] idArray = ids.toArray(new String[0]);
        int[] order = NodeIds.canonicalOrder(idArray);
        String[] canonIds = new String[n];
        Bfp16Block[] canon = new Bfp16Block[n];
        for (int k = 0; k < n; k++) {
            canonIds[k] = idArray[order[k]];
            canon[k] = blocks.get(order[k]);
        }
        AuditRecord.Config config = new AuditRecord.Config(aggregator, metric, f, m, 1, D, MODEL_ID, ""); // no reputation kept
        AuditRecord.Timing timing = new AuditRecord.Timing(round * 1000, round * 1000 + 500, 120, false, 0);
        AuditRecord record;
        Bfp16Block next;
        if (n < 2 * f + 3) {
            next = model;
            record = new AuditRecord(FLEET, GATEWAY, GATEWAY_KEY, round, AuditRecord.GENESIS, "failed",
                    "below quorum: " + n + " accepted updates, krum with f = " + f + " needs " + (2 * f + 3), config,
                    Digests.block(model), entries, 0, List.of(canonIds), new long[0], new int[0], new int[0], 0, "",
                    Digests.block(model), List.of(), List.of(), timing, keep);
        } else {
            Metric met = metric.equals("pairwise") ? Metric.PAIRWISE : Metric.COMMON;
            KrumResult r = aggregator.equals("krum") ? Krum.krum(canon, f, met)
                    : Krum.multiKrum(canon, f, m == 0 ? n - 2 * f - 2 : m, met);
            next = Oracle.exactSum(model, r.aggregate());
            record = new AuditRecord(FLEET, GATEWAY, GATEWAY_KEY, round, AuditRecord.GENESIS, "aggregated", "", config,
                    Digests.block(model), entries, 0, List.of(canonIds), r.scores(), r.ranking(), r.selected(),
                    r.referenceExponent(), r.aggregateDigest(), Digests.block(next), List.of(), List.of(), timing, keep);
        }
        record = alter.apply(record);
        String prev = lines.isEmpty() ? AuditRecord.GENESIS : AuditLog.hash(lines.get(lines.size() - 1));
        lines.add(AuditLog.sign(record, prev, GATEWAY_SIGNER));
        records.add(record);
        return next;
    }

    static Bfp16Block block(String nodeId, long round, boolean byzantine) {
        SplittableRandom common = new SplittableRandom(round * 7919);
        SplittableRandom own = new SplittableRandom(round * 7919 + nodeId.hashCode());
        float[] x = new float[D];
        for (int i = 0; i < D; i++) {
            float base = (float) (common.nextDouble() - 0.5) * 0.1f;
            x[i] = byzantine ? -40f * base + 2f : base + (float) (own.nextDouble() - 0.5) * 0.01f;
        }
        return Bfp16.encode(x);
    }

    /**
     * {@value #SPARSE_NODE} sends SPARSE UPDATE frames (docs/PROTOCOL.md section 4.1) of its block's
     * nonzero coordinates, every fourth one at most, so that every replayed round holds one.
     */
    static byte[] update(NodeCredentials c, long round, Bfp16Block b) {
        if (c.nodeId().equals(SPARSE_NODE)) {
            int k = 0;
            int[] idx = new int[D];
            short[] man = new short[D];
            for (int i = 0; i < D; i++) {
                if (b.mantissa(i) != 0) {
                    idx[k] = i;
                    man[k++] = b.mantissa(i);
                }
            }
            if (k == 0) {
                k = 1; // index 0 with mantissa 0: a frame needs k >= 1
            }
            return new SparseFrame(c.scheme(), FLEET, c.nodeId(), round, round, MODEL_ID, b.exponent(), D,
                    Arrays.copyOf(idx, k), Arrays.copyOf(man, k)).encode(c.signer());
        }
        return new Frame(FrameKind.UPDATE, c.scheme(), FLEET, c.nodeId(), round, round, MODEL_ID, b).encode(c.signer());
    }

    static byte[] modelFrame(Bfp16Block model, long round) {
        return new Frame(FrameKind.MODEL, SignatureScheme.ED25519, FLEET, GATEWAY, round, round + 1, MODEL_ID, model)
                .encode(GATEWAY_SIGNER);
    }

    /** A copy of {@code r} with other scores. */
    static AuditRecord withScores(AuditRecord r, long[] scores) {
        return new AuditRecord(r.fleet(), r.gatewayId(), r.gatewayKey(), r.round(), r.prev(), r.outcome(), r.failure(), r.config(),
                r.modelBefore(), r.frames(), r.framesOmitted(), r.canonicalOrder(), scores, r.ranking(), r.selected(),
                r.referenceExponent(), r.aggregateDigest(), r.modelAfter(), r.reputation(), r.operator(), r.timing(),
                r.framesKept());
    }

    static byte[] filled(int x) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) x);
        return b;
    }
}
